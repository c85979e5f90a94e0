from . import models

CRON_XMLID = "ar_policy.ir_cron_ar_escalation"
CRON_DIRECT = "model._cron_escalation()"
CRON_ENQUEUE = "model._cron_escalation_enqueue()"


def _set_cron_code(env, old, new):
    cron = env.ref(CRON_XMLID, raise_if_not_found=False)
    if cron and cron.sudo().code.strip() == old:
        cron.sudo().code = new


def post_init_hook(env):
    """The nightly escalation action enqueues jobs instead of running the batches."""
    _set_cron_code(env, CRON_DIRECT, CRON_ENQUEUE)


def uninstall_hook(env):
    """Without the bridge the nightly action runs the batches itself again."""
    _set_cron_code(env, CRON_ENQUEUE, CRON_DIRECT)
