"""Scores exactly as the industry defines them, with the 95 % margin and the minimum-n flag."""
import math

from surveys.scoring import ces, csat, is_detractor, nps
from surveys.texts import is_negative_comment


def test_nps_is_promoters_minus_detractors():
    # 5 promoters (9, 10), 3 passives (7, 8), 2 detractors (0–6) → 50 % − 20 % = 30.
    distribution = {10: 3, 9: 2, 8: 2, 7: 1, 6: 1, 0: 1}
    score = nps(distribution, min_n=5)
    assert score.value == 30.0 and score.n == 10 and not score.too_few
    p, d = 0.5, 0.2
    assert score.margin == round(1.96 * math.sqrt((p + d - (p - d) ** 2) / 10) * 100, 1)


def test_csat_is_share_of_four_and_five():
    score = csat({5: 2, 4: 1, 3: 1}, min_n=30)
    assert score.value == 75.0 and score.too_few
    assert score.margin == round(1.96 * math.sqrt(0.75 * 0.25 / 4) * 100, 1)


def test_ces_is_the_mean_with_t_margin():
    score = ces({7: 1, 5: 2, 3: 1}, min_n=2)
    assert score.value == 5.0
    s = math.sqrt(((7 - 5) ** 2 + 0 + 0 + (3 - 5) ** 2) / 3)
    assert score.margin == round(1.96 * s / 2, 2)


def test_empty_and_single_answers():
    assert nps({}, min_n=1).value is None and nps({}, min_n=1).too_few
    assert ces({4: 1}, min_n=1).margin is None


def test_detractor_rules():
    assert is_detractor("nps", 6) and not is_detractor("nps", 7)
    assert is_detractor("csat", 2) and not is_detractor("csat", 3)
    assert not is_detractor("ces", 1) and not is_detractor("nps", None)


def test_negative_comment_keywords_in_five_languages():
    for text in ("Terrible service, never again", "Obsługa była fatalna", "Очень плохо", "Am fost dezamăgit",
                 "Hrozná zkušenost"):
        assert is_negative_comment(text), text
    for text in ("Quick and friendly.", "", None, "Badge arrived fine"):
        assert not is_negative_comment(text), text
