"""Industry-standard survey scores from a distribution of raw answers, with the 95 % margin of error.

Every function takes a distribution `{score: count}` (what one GROUP BY returns), so scores for
any number of answers are computed from a handful of rows.

- NPS (0–10): % promoters (9–10) − % detractors (0–6), from −100 to 100. Each answer is +1, 0 or
  −1; the margin is 1.96 · √(var/n) · 100 with var = p + d − (p − d)² (p, d the shares).
- CSAT (1–5): % of answers 4 or 5. Margin: 1.96 · √(p(1 − p)/n) · 100.
- CES (1–7): the mean. Margin: 1.96 · s/√n with s the sample standard deviation.
Under `min_n` answers a score is still computed but flagged `too_few`: the page says so instead
of showing a number that would mislead.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

Z_95 = 1.96


@dataclass(frozen=True)
class Score:
    kind: str
    value: float | None
    margin: float | None
    n: int
    too_few: bool


def _n(distribution: dict[int, int]) -> int:
    return sum(distribution.values())


def nps(distribution: dict[int, int], *, min_n: int) -> Score:
    n = _n(distribution)
    if n == 0:
        return Score("nps", None, None, 0, True)
    promoters = sum(c for s, c in distribution.items() if s >= 9) / n
    detractors = sum(c for s, c in distribution.items() if s <= 6) / n
    variance = promoters + detractors - (promoters - detractors) ** 2
    return Score("nps", round((promoters - detractors) * 100, 1),
                 round(Z_95 * math.sqrt(max(variance, 0.0) / n) * 100, 1), n, n < min_n)


def csat(distribution: dict[int, int], *, min_n: int) -> Score:
    n = _n(distribution)
    if n == 0:
        return Score("csat", None, None, 0, True)
    share = sum(c for s, c in distribution.items() if s >= 4) / n
    return Score("csat", round(share * 100, 1), round(Z_95 * math.sqrt(share * (1 - share) / n) * 100, 1), n, n < min_n)


def ces(distribution: dict[int, int], *, min_n: int) -> Score:
    n = _n(distribution)
    if n == 0:
        return Score("ces", None, None, 0, True)
    mean = sum(s * c for s, c in distribution.items()) / n
    if n > 1:
        variance = sum(c * (s - mean) ** 2 for s, c in distribution.items()) / (n - 1)
        margin = Z_95 * math.sqrt(variance / n)
    else:
        margin = None
    return Score("ces", round(mean, 2), None if margin is None else round(margin, 2), n, n < min_n)


SCORERS = {"nps": nps, "csat": csat, "ces": ces}


def score(kind: str, distribution: dict[int, int], *, min_n: int) -> Score:
    return SCORERS[kind](distribution, min_n=min_n)


def is_detractor(kind: str, value: int | None) -> bool:
    """The closed-loop triggers on one answer: NPS ≤ 6, CSAT ≤ 2."""
    if value is None:
        return False
    return (kind == "nps" and value <= 6) or (kind == "csat" and value <= 2)
