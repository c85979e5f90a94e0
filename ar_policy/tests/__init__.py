from . import test_credit_check
from . import test_credit_hold
from . import test_pilot_review
from . import test_tour
from . import test_access_company
from . import test_customer_form
