from . import ar_policy_sale_demo
