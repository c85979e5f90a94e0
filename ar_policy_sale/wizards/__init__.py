from . import ar_deposit_assign_wizard
from . import ar_credit_override_wizard
