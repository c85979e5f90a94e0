from . import test_escalation_jobs
