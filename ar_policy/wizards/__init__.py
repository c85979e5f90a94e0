from . import ar_credit_change_wizard
from . import ar_credit_hold_wizard
from . import ar_credit_override_wizard
from . import ar_fee_waiver_wizard
from . import ar_concentration_confirm_wizard
from . import ar_escalation_preview
from . import ar_promise_wizard
from . import ar_dispute_wizard
