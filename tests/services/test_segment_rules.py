"""Every classification rule on small hand-made data (SQLite, and PostgreSQL when configured)."""
from __future__ import annotations

import pytest

from tests.support.complaints import complaint_row
from tests.support.customers import customer, nps, orders, recompute, scores


def test_abc_by_revenue_share_80_15_5(app):
    big = customer("Big")          # 800 of 1000 → A (the top 80 %)
    middle = customer("Middle")    # 150 → B
    small = customer("Small")      # 50 → C
    nothing = customer("Nothing")  # no revenue → C
    orders(big, (10, 400), (200, 400))
    orders(middle, (10, 150))
    orders(small, (10, 50))
    recompute(app)
    assert [scores(c).abc for c in (big, middle, small, nothing)] == ["A", "B", "C", "C"]
    assert scores(big).pareto_share == pytest.approx(80.0)
    assert scores(middle).pareto_share == pytest.approx(95.0)
    assert scores(nothing).pareto_share is None


def test_revenue_older_than_twelve_months_does_not_count(app):
    old = customer("Old money")
    recent = customer("Recent")
    orders(old, (400, 10_000))
    orders(recent, (30, 50), (120, 50))
    recompute(app)
    assert scores(recent).abc == "A"
    assert scores(old).abc == "C"


def test_thresholds_are_configurable(app):
    app.config.update(ABC_A_SHARE=50, ABC_B_SHARE=30)
    first, second, third = customer("First"), customer("Second"), customer("Third")
    orders(first, (10, 300), (100, 300))
    orders(second, (10, 300))
    orders(third, (10, 100))
    recompute(app)
    # Second starts at 60 % (≥ 50) → B; third starts at 90 % (≥ 80) → C.
    assert [scores(c).abc for c in (first, second, third)] == ["A", "B", "C"]


def test_frequent_long_standing_b_moves_up_and_one_off_a_moves_down(app):
    whale = customer("One-off whale")           # one huge order last month, new → B instead of A
    regular = customer("Regular")               # B by revenue, 12 orders in 12 months, 3 years → A
    filler = customer("Filler")
    orders(whale, (20, 5000))
    orders(regular, *[(15 + 30 * i, 90) for i in range(12)], (1000, 10))
    orders(filler, (10, 1500), (300, 1500))
    recompute(app)
    assert scores(whale).abc == "B"
    assert scores(regular).abc == "A"


def test_dead_needs_stopped_buying_low_value_and_money_trouble(app):
    """Seed 001: "dead" = least profit and probably owes you — a history that stopped, low value,
    late payment or debts. Never someone who has not bought, nor a first-time complainant."""
    dead = customer("Dead")            # C, last order 200 days ago, never paid → dead
    sleeping = customer("Sleeping")    # C, last order 200 days ago, paid → not dead
    owing = customer("Owing")          # C, buying now, owes money → not dead (buying has not stopped)
    fine = customer("Fine")            # A, active, pays → core
    prospect = customer("Prospect")    # never bought, one complaint today → new, never dead
    first_order = customer("First order")  # one small order 10 days ago and a first complaint → not dead
    orders(dead, (200, 10), due_after=14, unpaid=True)
    orders(sleeping, (200, 10), due_after=14)
    orders(owing, (40, 10), due_after=14, unpaid=True)
    orders(fine, (20, 5_000), (120, 5_000), due_after=14)
    orders(first_order, (10, 20))
    complaint_row(prospect, age_days=0)
    complaint_row(first_order, age_days=0)
    recompute(app)
    assert scores(dead).category == "dead" and scores(dead).overdue_amount > 0
    assert scores(sleeping).category == "core"
    assert scores(owing).category == "core" and scores(owing).overdue_amount > 0
    assert scores(fine).category == "core"
    assert (scores(prospect).category, scores(prospect).stage) == ("new", "prospect")
    assert (scores(first_order).category, scores(first_order).stage) == ("core", "first_time")


def test_difficult_complains_a_lot_or_pays_late(app):
    complainer = customer("Complainer")
    late_payer = customer("Late payer")
    orders(complainer, (10, 5000))
    orders(late_payer, (20, 3000), (60, 3000), (100, 3000), due_after=10, paid_after=30)
    for age in (5, 50, 100):
        complaint_row(complainer, age_days=age)
    recompute(app)
    assert scores(complainer).category == "difficult"
    assert scores(complainer).complaints_12m == 3
    assert scores(late_payer).late_payments_12m == 3
    assert scores(late_payer).category == "difficult"


def test_devoted_is_core_plus_promoter(app):
    fan = customer("Fan")
    neutral = customer("Neutral")
    for who in (fan, neutral):
        orders(who, (10, 1000), (100, 1000))
    nps(fan, 10, age_days=5)
    nps(neutral, 7, age_days=5)
    recompute(app)
    assert scores(fan).category == "devoted"
    assert scores(fan).stage == "advocate"
    assert scores(neutral).category == "core"
    assert scores(neutral).stage == "repeat"


@pytest.mark.parametrize("setup, stage", [
    (lambda c: None, "prospect"),
    (lambda c: orders(c, (10, 100)), "first_time"),
    (lambda c: orders(c, (10, 100), (50, 100)), "repeat"),
    (lambda c: orders(c, *[(10 + 30 * i, 100) for i in range(6)]), "client"),
    (lambda c: orders(c, (400, 100), (500, 100)), "inactive"),
    (lambda c: orders(c, (800, 100)), "former"),
])
def test_lifecycle_stage_from_purchases(app, setup, stage):
    who = customer("Staged")
    setup(who)
    recompute(app)
    assert scores(who).stage == stage


def test_partner_and_disqualified_are_staff_flags(app):
    partner = customer("Partner", is_partner=True)
    rejected = customer("Rejected", disqualified=True)
    orders(partner, (10, 100))
    recompute(app)
    assert scores(partner).stage == "partner"
    assert scores(rejected).stage == "disqualified"


def test_satisfaction_from_complaint_outcomes_is_recency_weighted(app):
    who = customer("Weighted")
    complaint_row(who, age_days=10, status="resolved")           # 70, weight 1.0
    complaint_row(who, age_days=400, status="resolved", reopened=1)  # 40, weight 0.25
    recompute(app)
    assert scores(who).satisfaction == pytest.approx((70 * 1.0 + 40 * 0.25) / 1.25, abs=0.05)


def test_loyalty_rewards_repeat_tenure_and_staying_after_a_complaint(app):
    loyal = customer("Loyal")
    lapsed = customer("Lapsed")
    orders(loyal, *[(10 + 30 * i, 100) for i in range(6)], (1200, 100))
    complaint_row(loyal, age_days=100, status="resolved")
    orders(lapsed, (200, 100), (300, 100))
    recompute(app)
    # 35 (6 orders in 12 months) + 20 (3+ years) + 15 (bought again after the complaint) = 70
    assert scores(loyal).loyalty == pytest.approx(70.0)
    # 35 * 1/6 (one order in 12 months: 300 days ago) + 0 (tenure < 1 year) − 25 (no order in 180 days) → 0
    assert scores(lapsed).loyalty == 0


def test_revenue_sums_respect_currency(app, monkeypatch):
    """100 PLN + 100 EUR is not 200: other currencies count at their EXCHANGE_RATES rate into
    CURRENCY, and an order in a currency without a rate adds no revenue (it still counts as an order)."""
    monkeypatch.setitem(app.config, "CURRENCY", "EUR")
    monkeypatch.setitem(app.config, "EXCHANGE_RATES", "PLN=0.25,CZK=0.04")
    mixed = customer("Mixed")
    orders(mixed, (10, 100))
    orders(mixed, (20, 100), currency="PLN")
    orders(mixed, (30, 1000), currency="CZK")
    unknown = customer("Unknown currency")
    orders(unknown, (10, 500), currency="GBP")
    orders(unknown, (15, 40), due_after=1, unpaid=True, currency="PLN")
    recompute(app)
    assert scores(mixed).revenue_12m == 100 + 25 + 40
    assert (scores(unknown).revenue_12m, scores(unknown).orders_12m) == (10, 2)
    assert scores(unknown).overdue_amount == 10
