from . import ar_credit_change_wizard
from . import ar_credit_hold_wizard
from . import ar_credit_override_wizard
