"""The dashboard's statistics on hand-made numbers: scores, margins of error, the trend rules."""
import math

import pytest

from reports import stats


def test_nps_and_its_margin_of_error():
    # 50 promoters, 20 detractors, 30 passives: NPS 30; var = .5 + .2 - .3² = .61
    score = stats.nps(50, 20, 100, min_n=30)
    assert score.value == 30.0
    assert score.margin == pytest.approx(1.96 * math.sqrt(0.61 / 100) * 100, abs=0.01)  # 15.31
    assert score.enough
    assert score.low == pytest.approx(30 - score.margin) and score.high == pytest.approx(30 + score.margin)


def test_csat_share_and_margin():
    score = stats.csat(80, 100)
    assert score.value == 80.0
    assert score.margin == pytest.approx(1.96 * math.sqrt(0.8 * 0.2 / 100) * 100, abs=0.01)  # 7.84


def test_ces_mean_and_margin_from_sums():
    values = [2, 4, 4, 4, 5, 5, 7, 9]
    score = stats.mean_score(sum(values), sum(v * v for v in values), len(values))
    assert score.value == 5.0
    sample_sd = math.sqrt(sum((v - 5) ** 2 for v in values) / 7)
    assert score.margin == pytest.approx(1.96 * sample_sd / math.sqrt(8), abs=0.001)


def test_too_few_answers_is_marked_and_no_answers_is_empty():
    assert not stats.nps(5, 1, 10, min_n=30).enough
    empty = stats.csat(0, 0)
    assert empty.value is None and empty.n == 0 and not empty.enough


def test_a_drop_larger_than_the_margin_is_a_trend():
    before = stats.Score(40.0, 5.0, 400, True)
    assert stats.score_dropped(stats.Score(30.0, 5.0, 400, True), before)  # 10 > sqrt(50) ≈ 7.07
    assert not stats.score_dropped(stats.Score(34.0, 5.0, 400, True), before)  # 6 < 7.07
    assert not stats.score_dropped(stats.Score(50.0, 5.0, 400, True), before)  # a rise
    # Not enough answers on either side: never an alert.
    assert not stats.score_dropped(stats.Score(0.0, 30.0, 10, False), before)
    # Where lower is better, a rise is the bad direction.
    assert stats.score_dropped(stats.Score(50.0, 5.0, 400, True), before, higher_is_better=False)


def test_poisson_z_for_a_weekly_count():
    # Previous 8 weeks average 4: z = (12 - 4) / sqrt(4 + 4/8) = 8 / 2.1213
    assert stats.poisson_rise_z(12, [4] * 8) == pytest.approx(3.771, abs=0.001)
    assert stats.significant_rise(12, [4] * 8)
    assert not stats.significant_rise(7, [4] * 8)  # z = 1.41
    # A cause from nowhere needs at least five complaints.
    assert not stats.significant_rise(3, [0] * 8)
    assert stats.significant_rise(5, [0] * 8)
    assert stats.poisson_rise_z(5, []) is None


def test_pareto_sorts_and_accumulates():
    assert stats.pareto([("b", 20), ("a", 50), ("c", 30)]) == [("a", 50, 50.0), ("c", 30, 80.0), ("b", 20, 100.0)]
    assert stats.pareto([]) == []


def test_median_from_a_histogram():
    assert stats.weighted_median([(10, 1), (2, 1), (5, 1)]) == 5
    assert stats.weighted_median([(1, 3), (100, 2)]) == 1
    assert stats.weighted_median([(1, 2), (3, 2)]) == 1  # the lower middle of an even count
    assert stats.weighted_median([]) is None


def test_share():
    assert stats.share(1, 3) == 33.33
    assert stats.share(0, 0) is None
