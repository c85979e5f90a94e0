from . import ar_credit_file
