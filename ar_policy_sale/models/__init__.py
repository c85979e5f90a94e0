from . import ar_credit_file
from . import ar_deposit_assignment
from . import account_move
from . import payment_transaction
from . import sale_order
from . import sale_order_rating
