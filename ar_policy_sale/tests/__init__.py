from . import test_order_deposit
from . import test_order_exposure
from . import test_order_concentration
