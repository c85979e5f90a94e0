from . import ar_dunning_letter
from . import ar_statement
