"""Pure statistics behind the dashboard and the trend alerts (no Flask, no database).

Margins of error are 95 % normal approximations (z = 1.96):
- NPS = 100 * (p_promoters - p_detractors); each answer is +1, 0 or -1, so its variance is
  p + d - (p - d)^2 and the margin is 1.96 * sqrt(var / n) * 100 points.
- CSAT = share of satisfied answers (4-5 of 5) in %; margin 1.96 * sqrt(p (1-p) / n) * 100.
- CES = mean effort score; margin 1.96 * s / sqrt(n) with the sample standard deviation s.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.96


@dataclass(frozen=True)
class Score:
    value: float | None
    margin: float | None
    n: int
    enough: bool  # n >= the configured minimum: below it the chart says "too few answers"

    @property
    def low(self) -> float | None:
        return None if self.value is None or self.margin is None else self.value - self.margin

    @property
    def high(self) -> float | None:
        return None if self.value is None or self.margin is None else self.value + self.margin


def nps(promoters: int, detractors: int, n: int, *, min_n: int = 1) -> Score:
    if n <= 0:
        return Score(None, None, 0, False)
    p, d = promoters / n, detractors / n
    variance = max(p + d - (p - d) ** 2, 0.0)
    return Score(round(100 * (p - d), 2), round(Z95 * math.sqrt(variance / n) * 100, 2), n, n >= min_n)


def csat(satisfied: int, n: int, *, min_n: int = 1) -> Score:
    if n <= 0:
        return Score(None, None, 0, False)
    p = satisfied / n
    return Score(round(100 * p, 2), round(Z95 * math.sqrt(p * (1 - p) / n) * 100, 2), n, n >= min_n)


def mean_score(total: float, total_sq: float, n: int, *, min_n: int = 1) -> Score:
    """Mean with its margin from the sum and the sum of squares (how CES is stored)."""
    if n <= 0:
        return Score(None, None, 0, False)
    mean = total / n
    if n == 1:
        return Score(round(mean, 3), None, 1, 1 >= min_n)
    variance = max((total_sq - n * mean * mean) / (n - 1), 0.0)
    return Score(round(mean, 3), round(Z95 * math.sqrt(variance / n), 3), n, n >= min_n)


def score_dropped(latest: Score, previous: Score, *, higher_is_better: bool = True) -> bool:
    """The trend rule for scores: the latest period is worse than the previous one by more than
    the margin of error of the difference (sqrt(m1^2 + m2^2)); both periods need enough answers."""
    if not (latest.enough and previous.enough) or latest.value is None or previous.value is None:
        return False
    margin = math.sqrt((latest.margin or 0) ** 2 + (previous.margin or 0) ** 2)
    change = latest.value - previous.value
    worse_by = -change if higher_is_better else change
    return worse_by > margin


def poisson_rise_z(latest_count: int, previous_counts: list[int]) -> float | None:
    """How unusual this week's count of a root cause is against the previous weeks.

    Counts of independent complaints per week are modelled as Poisson with rate lambda, estimated
    as the mean of the previous weeks. Under that model the latest count has variance lambda, and
    the estimate has variance lambda / k, so z = (x - lambda) / sqrt(lambda + lambda / k). A rate
    of zero is replaced by 0.5 so a cause appearing from nothing is still judged by its size."""
    if not previous_counts:
        return None
    k = len(previous_counts)
    rate = max(sum(previous_counts) / k, 0.5)
    return (latest_count - rate) / math.sqrt(rate + rate / k)


def significant_rise(latest_count: int, previous_counts: list[int], *, z_threshold: float = 2.33,
                     min_count: int = 5) -> bool:
    """One-sided test at about 1 % (z > 2.33) and at least `min_count` complaints this week, so
    two complaints instead of none never page a manager."""
    z = poisson_rise_z(latest_count, previous_counts)
    return z is not None and latest_count >= min_count and z > z_threshold


def pareto(items: list[tuple[object, float]]) -> list[tuple[object, float, float]]:
    """Sort descending and add the cumulative share (0-100 %) of each item."""
    ordered = sorted(items, key=lambda item: (-item[1], str(item[0])))
    total = sum(value for _key, value in ordered) or 1
    running, out = 0.0, []
    for key, value in ordered:
        running += value
        out.append((key, value, round(100 * running / total, 2)))
    return out


def weighted_median(pairs: list[tuple[float, int]]) -> float | None:
    """Median of values given as (value, count) pairs (a histogram): the lower middle value."""
    total = sum(count for _value, count in pairs)
    if total <= 0:
        return None
    target = (total + 1) // 2
    running = 0
    for value, count in sorted(pairs):
        running += count
        if running >= target:
            return value
    return None


def share(part: int, whole: int) -> float | None:
    return None if whole <= 0 else round(100 * part / whole, 2)
