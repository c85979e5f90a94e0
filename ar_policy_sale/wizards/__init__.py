from . import ar_deposit_assign_wizard
from . import ar_order_override_wizard
