"""Guards that a client cannot forge (DESIGN 10).

Protected fields (holds, status, limits, the ladder's bookkeeping on items, a document's
origin, disputes and promises) change only through the addon's own code paths. Those
paths mark their environment with ``POLICY_WRITE``, a plain Python object: a context
sent over JSON-RPC can carry strings, numbers, lists and dicts, never this object, so
``is_policy_write`` is true only in-process (the pattern of OCA queue_job's
``EDIT_SENTINEL``). Who may take such a path is checked before it, with ``has_group``
on the real user.
"""

CONTEXT_KEY = "ar_policy_write"
POLICY_WRITE = object()


def policy_write(records):
    """``records`` in an environment allowed to write the addon's protected fields."""
    return records.with_context(**{CONTEXT_KEY: POLICY_WRITE})


def is_policy_write(env):
    """True when ``env`` was marked by ``policy_write`` in this process."""
    return env.context.get(CONTEXT_KEY) is POLICY_WRITE


SCHEDULER_KEY = "ar_scheduler"
BY_SCHEDULER = object()


def as_scheduler(records, scheduler=True):
    """``records`` acting for the scheduled actions: history rows carry no user and
    say "by the scheduler". Only the crons' own code sets it; a client cannot."""
    return records.with_context(**{SCHEDULER_KEY: BY_SCHEDULER if scheduler else False})


def is_scheduler(env):
    """True when ``env`` acts for a scheduled action (set by ``as_scheduler``)."""
    return env.context.get(SCHEDULER_KEY) is BY_SCHEDULER


HORIZON_KEY = "ar_horizon_accepted"
HORIZON_ACCEPTED = object()


def accept_beyond_horizon(records):
    """``records`` recording a promise whose date a credit controller accepted beyond
    the company's Promise Horizon (a customer's request from the portal). Only the
    request's accept action sets it; a client cannot."""
    return records.with_context(**{HORIZON_KEY: HORIZON_ACCEPTED})


def is_beyond_horizon_accepted(env):
    return env.context.get(HORIZON_KEY) is HORIZON_ACCEPTED
