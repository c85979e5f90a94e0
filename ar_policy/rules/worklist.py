"""The collector's worklist (DESIGN 11, issue 10), without Odoo.

The customers that need a human today, each with its next action and the reason for
it, ordered by one priority (highest first):

    priority = amount weight x log10(1 + overdue net)
               x (1 + lateness weight x min(days late of the oldest overdue item, 365) / 30)
               x (1 + rating weight x (rating factor - 1))
                 (rating factor: A 1.0, B 1.25, C 1.5, D 2.0, no rating 1.25)
             + broken promise points x broken promises
             + 5 when the customer awaits an answer to a request from its account page
             + min(days since the last contact, 30) / 10  (never contacted: 30)

The four weights are company settings (``Settings``; defaults 1, 1, 1 and 5 points).
With the defaults, 10,000 overdue 30 days on a B customer: 4 x 2 x 1.25 = 10; a broken
promise adds half of that. The priority rises with each input, all others equal; a
weight of 0 leaves its input out.

Next action: the first rule that applies, in this order:
1. a promise was broken and nobody spoke to the customer since: call;
2. a promised instalment falls due today: call;
3. the customer asked on its account page for a payment plan, or for a promise date
   beyond the company's horizon: answer it (accept or decline);
4. the customer disputed an invoice on its account page and nobody spoke to it since:
   review the dispute;
5. the customer asked for a statement (a call's excuse) and none was sent since: send
   it;
6. the oldest overdue item is ``hand_over_days`` late and the net overdue is at least
   the legal minimum: hand over (to a collection agency or a lawyer);
7. a dispute has been open ``dispute_review_days`` with no contact for as long:
   review the dispute;
8. something is overdue ``call_after_days`` or more and nobody spoke to the customer
   for ``contact_every_days``: call.
A customer snoozed until a later date, or whose action was done today, is not on
today's list.
"""

import math
from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta
from typing import NamedTuple

from .money import compare, round_amount

CALL = "call"
SEND_STATEMENT = "send_statement"
HAND_OVER = "hand_over"
REVIEW_DISPUTE = "review_dispute"
ANSWER_REQUEST = "answer_request"

PROMISE_BROKEN = "promise_broken"
PROMISE_DUE = "promise_due_today"
STATEMENT_REQUESTED = "statement_requested"
HAND_OVER_THRESHOLD = "hand_over_threshold"
DISPUTE_OPEN = "dispute_open"
NO_CONTACT = "no_contact"
PLAN_REQUESTED = "plan_requested"
PROMISE_REQUESTED = "promise_requested"
CUSTOMER_DISPUTE = "customer_dispute"

# What a customer may leave waiting on its account page (``Situation.request``).
REQUEST_PLAN = "plan"
REQUEST_PROMISE = "promise"
REQUEST_DISPUTE = "dispute"

RATING_WEIGHTS = {"A": 1.0, "B": 1.25, "C": 1.5, "D": 2.0}
NO_RATING_WEIGHT = 1.25
LATENESS_CAP_DAYS = 365
LATENESS_UNIT_DAYS = 30
BROKEN_PROMISE_BONUS = 5.0
WAITING_REQUEST_BONUS = 5.0
CONTACT_CAP_DAYS = 30
CONTACT_UNIT_DAYS = 10


@dataclass(frozen=True)
class Settings:
    """The company's worklist policy (company settings, read per company by the
    worklist refresh). ``hand_over_days`` None: never hand over. The weights are the
    priority's (module docstring)."""

    call_after_days: int = 15
    contact_every_days: int = 7
    hand_over_days: int | None = 90
    legal_minimum: float = 0.0
    dispute_review_days: int = 14
    rounding: float = 0.01
    amount_weight: float = 1.0
    lateness_weight: float = 1.0
    rating_weight: float = 1.0
    broken_promise_points: float = BROKEN_PROMISE_BONUS


@dataclass(frozen=True)
class Situation:
    """What the worklist knows of one customer in one company today.

    ``broken_promises``: count over the score's window (for the priority);
    ``promise_broken_on``: date the latest promise broke, None if none did;
    ``promise_due_on``: next instalment date of a live promise; ``dispute_since``:
    opening date of the oldest open dispute; ``done_on``: last day the collector
    closed the customer's action; ``request``: the customer's request from its account
    page awaiting an answer (``REQUEST_PLAN``, ``REQUEST_PROMISE``, ``REQUEST_DISPUTE``),
    sent on ``request_since``.
    """

    overdue_net: float = 0.0
    oldest_days_late: int = 0
    rating: str | None = None
    broken_promises: int = 0
    promise_broken_on: Date | None = None
    promise_due_on: Date | None = None
    statement_requested: bool = False
    dispute_since: Date | None = None
    last_contact: Date | None = None
    snoozed_until: Date | None = None
    done_on: Date | None = None
    request: str | None = None
    request_since: Date | None = None

    def days_since_contact(self, today):
        return (today - self.last_contact).days if self.last_contact else None


def from_position(position, **values):
    """A ``Situation`` whose overdue net and oldest days late are a ``Position``'s."""
    return Situation(overdue_net=position.overdue_net,
                     oldest_days_late=position.oldest_overdue_days, **values)


class Action(NamedTuple):
    """What to do (``CALL`` ...), why (``PROMISE_BROKEN`` ...) and the reason's
    figures, for the message shown to the collector."""

    code: str
    reason: str
    params: dict


def priority(overdue_net, oldest_days_late, rating, broken_promises, days_since_contact,
             settings=None, awaits_answer=False):
    """The worklist's priority (module docstring) with the weights of ``settings``
    (None: the defaults); ``days_since_contact`` None: never; ``awaits_answer``: the
    customer awaits an answer to a request."""
    settings = settings or Settings()
    amount = settings.amount_weight * math.log10(1.0 + max(overdue_net, 0.0))
    lateness = 1.0 + settings.lateness_weight * (
        min(max(oldest_days_late, 0), LATENESS_CAP_DAYS) / LATENESS_UNIT_DAYS)
    weight = 1.0 + settings.rating_weight * (RATING_WEIGHTS.get(rating, NO_RATING_WEIGHT) - 1.0)
    silence = CONTACT_CAP_DAYS if days_since_contact is None else days_since_contact
    contact = min(max(silence, 0), CONTACT_CAP_DAYS) / CONTACT_UNIT_DAYS
    broken = settings.broken_promise_points * max(broken_promises, 0)
    value = amount * lateness * weight + broken + contact
    if awaits_answer:
        value += WAITING_REQUEST_BONUS
    return round_amount(value, 0.01)


def situation_priority(situation, today, settings=None):
    return priority(situation.overdue_net, situation.oldest_days_late, situation.rating,
                    situation.broken_promises, situation.days_since_contact(today), settings,
                    awaits_answer=waiting_request(situation))


def waiting_request(situation):
    """Whether the customer awaits an answer: a plan or a promise to accept or decline,
    or a dispute nobody spoke to it about since it was sent."""
    s = situation
    if s.request in (REQUEST_PLAN, REQUEST_PROMISE):
        return True
    return s.request == REQUEST_DISPUTE and (
        s.last_contact is None or s.request_since is None or s.last_contact < s.request_since
    )


def next_action(situation, today, settings=None):
    """The first rule that applies (module docstring), as an ``Action``; None if none."""
    settings = settings or Settings()
    s = situation
    silence = s.days_since_contact(today)
    overdue = compare(s.overdue_net, 0.0, settings.rounding) > 0
    if s.promise_broken_on and (s.last_contact is None or s.last_contact < s.promise_broken_on):
        return Action(CALL, PROMISE_BROKEN, {
            "broken_on": s.promise_broken_on, "days": (today - s.promise_broken_on).days,
        })
    if s.promise_due_on == today:
        return Action(CALL, PROMISE_DUE, {"due_on": today})
    if waiting_request(s):
        params = {"since": s.request_since,
                  "days": (today - s.request_since).days if s.request_since else 0}
        if s.request == REQUEST_DISPUTE:
            return Action(REVIEW_DISPUTE, CUSTOMER_DISPUTE, params)
        reason = PLAN_REQUESTED if s.request == REQUEST_PLAN else PROMISE_REQUESTED
        return Action(ANSWER_REQUEST, reason, params)
    if s.statement_requested:
        return Action(SEND_STATEMENT, STATEMENT_REQUESTED, {})
    if (
        overdue
        and settings.hand_over_days is not None
        and s.oldest_days_late >= settings.hand_over_days
        and compare(s.overdue_net, settings.legal_minimum, settings.rounding) >= 0
    ):
        return Action(HAND_OVER, HAND_OVER_THRESHOLD, {
            "days_late": s.oldest_days_late, "overdue": s.overdue_net,
            "minimum": settings.legal_minimum,
        })
    if s.dispute_since:
        dispute_days = (today - s.dispute_since).days
        if dispute_days >= settings.dispute_review_days and (
            silence is None or silence >= settings.dispute_review_days
        ):
            return Action(REVIEW_DISPUTE, DISPUTE_OPEN, {
                "days": dispute_days, "days_since_contact": silence,
            })
    if overdue and s.oldest_days_late >= settings.call_after_days and (
        silence is None or silence >= settings.contact_every_days
    ):
        return Action(CALL, NO_CONTACT, {
            "days_late": s.oldest_days_late, "days_since_contact": silence,
        })
    return None


def needs_human_today(situation, today, settings=None):
    """On today's list: not snoozed past today, not done today, and an action applies."""
    settings = settings or Settings()
    if situation.snoozed_until and situation.snoozed_until > today:
        return False
    if situation.done_on == today:
        return False
    return next_action(situation, today, settings) is not None


class Entry(NamedTuple):
    key: object
    priority: float
    action: Action


def worklist(situations, today, settings=None):
    """Today's list from {customer key: ``Situation``}: the customers that need a
    human, highest priority first (then larger net overdue, then key)."""
    settings = settings or Settings()
    entries = [
        Entry(key, situation_priority(s, today, settings), next_action(s, today, settings))
        for key, s in situations.items()
        if needs_human_today(s, today, settings)
    ]
    entries.sort(key=lambda e: (-e.priority, -situations[e.key].overdue_net, e.key))
    return entries


# ---- the excuse playbook ---------------------------------------------------------

# What a call's excuse leads to (the seeded playbook and ``ar.call.excuse``).
STEP_RESEND = "resend_invoice"  # invoice not received: send it again now
STEP_PROMISE = "promise"  # waiting for approval: ask the date, record a promise
STEP_PLAN = "payment_plan"  # cash-flow trouble: offer a payment plan
STEP_DISPUTE = "dispute"  # disputes the invoice: open a dispute
STEP_PROMISE_TODAY = "promise_today"  # will pay today: a promise for today
STEP_CONTACT = "update_contact"  # wrong contact: update the invoicing contact
STEP_RETRY = "retry"  # no answer: retry next working day
STEP_STATEMENT = "send_statement"  # asks for a statement: send it now (else the worklist asks)
STEPS = (STEP_RESEND, STEP_PROMISE, STEP_PLAN, STEP_DISPUTE, STEP_PROMISE_TODAY,
         STEP_CONTACT, STEP_RETRY, STEP_STATEMENT)


def next_working_day(day, weekend=(5, 6)):
    """The first day after ``day`` that is not a weekend day (Monday = 0)."""
    day += timedelta(days=1)
    while day.weekday() in weekend:
        day += timedelta(days=1)
    return day
