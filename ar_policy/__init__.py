from . import models
from . import wizards
from . import report
from . import controllers
from . import demo
from .hooks import post_init_hook
