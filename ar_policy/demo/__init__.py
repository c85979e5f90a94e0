from . import ar_policy_demo
