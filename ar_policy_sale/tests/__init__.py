from . import test_order_deposit
from . import test_order_exposure
from . import test_order_concentration
from . import test_order_full_payment
from . import test_credit_check_lock
from . import test_credit_check_service
from . import test_order_rating
