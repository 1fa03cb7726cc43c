"""Relationship surveys spread evenly over the period, each customer on a stable slot."""
from collections import Counter
from datetime import timedelta

from surveys.planning import period_number, period_start, relationship_due, slot_offset
from tests.support.clock import NOW


def test_slots_spread_evenly_over_the_period():
    days = Counter(slot_offset(customer_id, 91).days for customer_id in range(1, 9101))
    assert len(days) == 91                      # every day of the quarter is used
    assert max(days.values()) <= 2 * 100        # none gets more than twice its fair share (100)


def test_slot_is_stable_and_inside_the_period():
    period, due = relationship_due(42, now=NOW, period_days=91)
    assert period_start(period, 91) <= due < period_start(period + 1, 91)
    assert relationship_due(42, now=NOW + timedelta(hours=1), period_days=91) == (period, due)
    # A slot that passed more than a day ago moves to the next period (no burst for newcomers).
    later = due + timedelta(days=2)
    assert period_number(later, 91) == period  # customer 42's slot leaves two days of the period
    assert relationship_due(42, now=later, period_days=91) == (period + 1, due + timedelta(days=91))
