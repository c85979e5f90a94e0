from . import ar_policy_demo
from . import ar_kpi_demo
from . import ar_policy_demo_portal
