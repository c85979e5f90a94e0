import random
from datetime import date

from rules.escalation import (
    below_minimum,
    credits_cover_overdue,
    current_index,
    days_late,
    first_unordered_offset,
    reached_index,
    target_stage,
)

LADDER = [-3, 5, 10, 20, 30, 90]


def test_days_late_is_negative_before_due():
    assert days_late(date(2026, 3, 10), date(2026, 3, 7)) == -3
    assert days_late(date(2026, 3, 10), date(2026, 3, 15)) == 5


def test_offsets_must_strictly_increase():
    assert first_unordered_offset(LADDER) is None
    assert first_unordered_offset([]) is None
    assert first_unordered_offset([5, 5]) == 1
    assert first_unordered_offset([-3, 10, 5]) == 2


def test_reached_index():
    assert reached_index(LADDER, -10) is None
    assert reached_index(LADDER, -3) == 0
    assert reached_index(LADDER, 4) == 0
    assert reached_index(LADDER, 5) == 1
    assert reached_index(LADDER, 200) == 5


def test_each_stage_fires_once():
    assert target_stage(LADDER, -3) == 0
    assert target_stage(LADDER, -2, current=0) is None
    assert target_stage(LADDER, 5, current=0) == 1
    assert target_stage(LADDER, 6, current=1) is None


def test_catch_up_fires_only_the_highest_stage():
    assert target_stage(LADDER, 45) == 4
    assert target_stage(LADDER, 95, current=1) == 5


def test_before_the_first_stage_nothing_fires():
    assert target_stage(LADDER, -5) is None
    assert target_stage([], 100) is None


def test_current_index_from_another_policy():
    assert current_index(LADDER, None) is None
    assert current_index(LADDER, 15) == 2
    assert current_index(LADDER, -10) is None


def test_credits_cover_overdue():
    assert credits_cover_overdue(100.0, 100.0)
    assert credits_cover_overdue(100.0, 150.0)
    assert not credits_cover_overdue(100.0, 99.0)
    assert not credits_cover_overdue(0.0, 50.0)


def test_minimum_amount():
    assert not below_minimum(5.0, 0.0)
    assert below_minimum(5.0, 10.0)
    assert not below_minimum(10.0, 10.0)


def test_catch_up_as_the_sql_decides_it():
    """The nightly run's SQL fires the highest stage whose offset is at most the days
    late, only when that offset is above the offset of the stage the item carries
    (from any ladder). On random ladders and items (seeded) that is target_stage."""
    rng = random.Random(20261204)
    for _case in range(5000):
        offsets = sorted(rng.sample(range(-15, 150), rng.randint(1, 6)))
        days = rng.randint(-30, 200)
        current_offset = rng.choice([None, rng.randint(-15, 150), rng.choice(offsets)])
        reached = [offset for offset in offsets if offset <= days]
        sql = (offsets.index(reached[-1]) if reached and (
            current_offset is None or reached[-1] > current_offset) else None)
        assert sql == target_stage(
            offsets, days, current_index(offsets, current_offset)
        ), (offsets, days, current_offset)
