from . import res_company
from . import ar_credit_log
from . import ar_credit_file
from . import ar_credit_file_demo
from . import res_partner
from . import account_move
from . import account_partial_reconcile
from . import res_config_settings
