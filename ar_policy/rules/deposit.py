"""Required deposits: which rules make a deposit due, and how much (highest wins)."""

from dataclasses import dataclass

from .credit import Decision
from .money import compare, round_amount

NONE = "none"
PERCENT = "percent"
FULL = "full"

# Why a deposit is required, in the order they are shown.
REASON_POLICY = "policy"  # the customer's own deposit policy
REASON_PREPAYMENT = "prepayment"  # status prepayment only
REASON_PILOT = "pilot"  # status pilot
REASON_LIMIT = "limit"  # the document takes exposure over the limit
REASON_HOLD = "hold"  # the customer is on hold
REASON_STAGE = "stage"  # an escalation stage with the "require deposit" action
REASON_RESTART = "restart"  # the customer was released from a hold
REASON_RATING = "rating"  # the payment rating is D (when the company lets the rating drive rules)
REASONS = (REASON_POLICY, REASON_PREPAYMENT, REASON_PILOT, REASON_LIMIT, REASON_HOLD,
           REASON_STAGE, REASON_RESTART, REASON_RATING)


def check_percent(percent):
    """A percentage is between 0 and 100."""
    return percent is not None and 0.0 <= percent <= 100.0


def policy_percent(policy, percent, min_amount, amount, rounding=0.01):
    """The customer's own policy: none, ``percent`` %, or full prepayment (100 %),
    applied only when ``amount`` is above ``min_amount`` (0 = always)."""
    if not policy or policy == NONE:
        return 0.0
    if min_amount and compare(amount, min_amount, rounding) <= 0:
        return 0.0
    if policy == FULL:
        return 100.0
    return max(0.0, min(100.0, percent or 0.0))


@dataclass(frozen=True)
class RiskSettings:
    """The company's percentage for each risk rule (0 = the rule is off)."""

    prepayment: float = 100.0
    pilot: float = 0.0
    limit: float = 0.0
    hold: float = 0.0
    restart: float = 0.0
    rating_d: float = 0.0  # a customer rated D (``score.RATING_BANDS``)


@dataclass(frozen=True)
class Requirement:
    percent: float = 0.0
    amount: float = 0.0
    reasons: tuple = ()  # every rule that applies, highest first

    @property
    def required(self):
        return self.percent > 0.0

    def covers(self, refusal):
        """Does a deposit rule cover this credit refusal ("hold", "limit",
        "prepayment")? Then the document waits for its deposit instead."""
        return refusal in self.reasons


def required_deposit(amount, *, policy=NONE, percent=0.0, min_amount=0.0, status="approved",
                     on_hold=False, over_limit=False, stage_percent=0.0, restart=False,
                     risk=None, rounding=0.01, rating=None):
    """The deposit a document of ``amount`` (tax included) requires.

    Every applicable rule has its percentage; the highest wins. ``risk`` is None when
    the company's enforcement is off: only the customer's own policy applies then.
    ``rating``: the customer's payment rating when the company lets it drive rules.
    """
    candidates = [(policy_percent(policy, percent, min_amount, amount, rounding), REASON_POLICY)]
    if risk is not None:
        candidates += [
            (risk.prepayment if status == "prepayment" else 0.0, REASON_PREPAYMENT),
            (risk.pilot if status == "pilot" else 0.0, REASON_PILOT),
            (risk.limit if over_limit else 0.0, REASON_LIMIT),
            (risk.hold if on_hold else 0.0, REASON_HOLD),
            (stage_percent or 0.0, REASON_STAGE),
            (risk.restart if restart else 0.0, REASON_RESTART),
            (risk.rating_d if rating == "D" else 0.0, REASON_RATING),
        ]
    applicable = [(min(pct, 100.0), reason) for pct, reason in candidates if pct > 0.0]
    if not applicable or compare(amount, 0.0, rounding) <= 0:
        return Requirement()
    applicable.sort(key=lambda c: (-c[0], REASONS.index(c[1])))
    best = applicable[0][0]
    return Requirement(
        percent=best,
        amount=round_amount(amount * best / 100.0, rounding),
        reasons=tuple(reason for _pct, reason in applicable),
    )


def outstanding(required, paid, rounding=0.01):
    """What is still to pay of a deposit (never negative)."""
    return max(0.0, round_amount(required - paid, rounding))


def is_paid(required, paid, rounding=0.01):
    return compare(paid, required, rounding) >= 0


def allocation_error(amount, unallocated, same_customer, same_company, rounding=0.01):
    """Why a registered payment cannot be assigned to a deposit, or ''."""
    if not same_customer:
        return "customer"
    if not same_company:
        return "company"
    if compare(amount, 0.0, rounding) <= 0:
        return "amount"
    if compare(amount, unallocated, rounding) > 0:
        return "unallocated"
    return ""


@dataclass(frozen=True)
class DepositDecision(Decision):
    """A credit decision once the deposit rules are applied to it."""

    required: float = 0.0  # the deposit the document requires
    percent: float = 0.0
    reasons: tuple = ()
    paid: float = 0.0  # what covers it (deposit paid, or advance payments)
    covered: bool = False


def apply_deposit(decision, requirement, paid, rounding=0.01):
    """The credit ``decision`` of a document once its deposit ``requirement`` is
    weighed against what is ``paid``.

    An unpaid deposit refuses the document (reason "deposit": it waits for it). A paid
    deposit lifts the credit refusals a deposit rule covers (over the limit, on hold,
    prepayment only); other refusals stay.
    """
    if not requirement.required:
        return decision
    extra = dict(required=requirement.amount, percent=requirement.percent,
                 reasons=requirement.reasons, paid=paid)
    if not is_paid(requirement.amount, paid, rounding):
        return DepositDecision(True, "deposit", decision.exposure_after,
                               outstanding(requirement.amount, paid, rounding), **extra)
    if decision.refused and not requirement.covers(decision.reason):
        return DepositDecision(True, decision.reason, decision.exposure_after, decision.excess,
                               covered=True, **extra)
    return DepositDecision(False, "", decision.exposure_after, 0.0, covered=True, **extra)
