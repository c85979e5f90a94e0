from . import test_credit_check
from . import test_credit_hold
