"""What the segments mean to people: labels, recommended treatment, and a transition's stated reasons.

The classification itself is SQL in `customers.segment_rules` (one truth, all customers at once);
this module only turns stored values and figures into words, in the reader's language.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

SEGMENT_LABELS = {
    "abc": {"A": "A", "B": "B", "C": "C"},
    "category": {"devoted": _l("devoted"), "core": _l("core"), "difficult": _l("difficult"), "new": _l("new, not yet known"),
                 "dead": _l("dead")},
    "stage": {"prospect": _l("prospect"), "disqualified": _l("disqualified"), "first_time": _l("first-time customer"),
              "repeat": _l("repeat customer"), "client": _l("client"), "advocate": _l("advocate"),
              "partner": _l("partner"), "inactive": _l("inactive"), "former": _l("former")},
}
DIMENSION_LABELS = {"abc": _l("ABC class"), "category": _l("Category"), "stage": _l("Lifecycle stage")}

# Seeds 000 (A/B/C), 001 (four kinds) and 004 (decision stages): what to do with each.
TREATMENTS = {
    "abc": {
        "A": _l("Most of our time: a named account owner, regular personal contact, first in every queue."),
        "B": _l("Regular contact; find out what would make them buy more — they may move up to A."),
        "C": _l("Efficient standard service; watch payment terms."),
    },
    "category": {
        "devoted": _l("VIP treatment: priority service, personal attention, invite to the loyalty club."),
        "core": _l("Basic service done well: thank-you notes, loyalty card, keep them happy with the price."),
        "difficult": _l("Restate the terms in writing; consider a price that pays for the extra effort."),
        "new": _l("No buying history yet: welcome them, solve their first problem well, learn what they need."),
        "dead": _l("Bought, stopped, paid late or owes us: collect what is owed; no surveys or greetings; "
                   "propose erasure once it is settled."),
    },
    "stage": {
        "prospect": _l("Introduce the offer; learn who they are and what they need."),
        "disqualified": _l("No active marketing; keep the file only as long as needed."),
        "first_time": _l("Make the first experience perfect; follow up after delivery."),
        "repeat": _l("Recognise them; suggest what else fits their needs."),
        "client": _l("Plan service individually; agree on contact days and hours."),
        "advocate": _l("Thank them for recommending us; ask for a reference or review."),
        "partner": _l("Treat as a partner: joint planning and early news."),
        "inactive": _l("Find out why they stopped buying; invite them back personally."),
        "former": _l("Ask what we could have done better; keep the door open."),
    },
}


def segment_label(dimension: str, value: str | None) -> str:
    if value is None:
        return "—"
    return str(SEGMENT_LABELS.get(dimension, {}).get(value, value))


def treatment(dimension: str, value: str | None) -> str:
    return str(TREATMENTS.get(dimension, {}).get(value, "")) if value else ""


# Which way a move goes: a higher rank is the better place (for the customer relationship).
RANKS = {
    "abc": {"C": 0, "B": 1, "A": 2},
    "category": {"dead": 0, "difficult": 1, "new": 2, "core": 3, "devoted": 4},
    "stage": {"disqualified": 0, "former": 1, "inactive": 2, "prospect": 3, "first_time": 4, "repeat": 5,
              "client": 6, "advocate": 7, "partner": 8},
}

# Seed 000: ask *why* someone moved — the reasons staff can record on the quarterly review.
STAFF_REASONS = {
    "competitor_prices": _l("competitor prices"),
    "delivery_trouble": _l("delivery trouble"),
    "personality_conflict": _l("a personality conflict"),
    "quality": _l("product or service quality"),
    "needs_changed": _l("their needs changed"),
    "other": _l("other (see the note)"),
}


def direction(t) -> str:
    """"up", "down" or "" (unknown values) for a transition."""
    ranks = RANKS.get(t.dimension, {})
    before, after = ranks.get(t.from_value), ranks.get(t.to_value)
    if before is None or after is None or before == after:
        return ""
    return "up" if after > before else "down"


def _money(value) -> str:
    return f"{Decimal(value or 0):.2f}"


def transition_reasons(t, root_cause_name: str | None = None) -> list[str]:
    """The system's reasons for a move: only the figures that moved the way the customer moved,
    each in the customer's own numbers ("revenue this quarter 1 200.00, previous 400.00")."""
    way = direction(t)
    up, down = way != "down", way != "up"  # unknown direction: every figure that moved
    reasons: list[str] = []
    if t.to_value in ("partner", "disqualified") or t.from_value in ("partner", "disqualified"):
        reasons.append(_("flag set by staff"))
    revenue_q, revenue_prev_q = Decimal(t.revenue_q or 0), Decimal(t.revenue_prev_q or 0)
    if up and revenue_q > revenue_prev_q:
        if revenue_prev_q == 0:
            reasons.append(_("revenue this quarter %(now)s, none the quarter before", now=_money(revenue_q)))
        else:
            reasons.append(_("revenue up: %(now)s this quarter, %(before)s the quarter before",
                             now=_money(revenue_q), before=_money(revenue_prev_q)))
    if down and revenue_q < revenue_prev_q:
        if revenue_q == 0:
            reasons.append(_("no revenue this quarter, %(before)s the quarter before", before=_money(revenue_prev_q)))
        else:
            reasons.append(_("revenue down: %(now)s this quarter, %(before)s the quarter before",
                             now=_money(revenue_q), before=_money(revenue_prev_q)))
    if down and t.complaints_q:
        if root_cause_name:
            # ngettext: Polish, Russian and Czech have three plural forms, not "1 or more".
            reasons.append(ngettext("%(num)d complaint this quarter (root cause: %(cause)s)",
                                    "%(num)d complaints this quarter (root cause: %(cause)s)", t.complaints_q,
                                    cause=root_cause_name))
        else:
            reasons.append(ngettext("%(num)d complaint this quarter", "%(num)d complaints this quarter", t.complaints_q))
    if t.nps_after is not None and t.nps_before is not None and t.nps_after != t.nps_before:
        if (t.nps_after > t.nps_before and up) or (t.nps_after < t.nps_before and down):
            reasons.append(_("NPS %(before)d → %(after)d", before=t.nps_before, after=t.nps_after))
    elif t.nps_after is not None and t.nps_before is None and ((t.nps_after >= 9 and up) or (t.nps_after <= 6 and down)):
        reasons.append(_("first NPS answer: %(after)d", after=t.nps_after))
    if t.satisfaction_before is not None and t.satisfaction_after is not None:
        change = float(t.satisfaction_after) - float(t.satisfaction_before)
        if (change >= 5 and up) or (change <= -5 and down):
            reasons.append(_("satisfaction %(before)s → %(after)s", before=f"{t.satisfaction_before:.0f}",
                             after=f"{t.satisfaction_after:.0f}"))
    if down and t.late_payments_12m:
        reasons.append(ngettext("%(num)d late payment in 12 months", "%(num)d late payments in 12 months",
                                t.late_payments_12m))
    if down and t.overdue_amount and Decimal(t.overdue_amount) > 0:
        reasons.append(_("%(amount)s overdue", amount=_money(t.overdue_amount)))
    quiet = t.last_order_on and t.changed_at and t.last_order_on <= t.changed_at.date() - timedelta(days=90)
    if down and quiet:
        reasons.append(_("no order since %(day)s", day=t.last_order_on.isoformat()))
    if not reasons:
        reasons.append(_("thresholds crossed by time passing (tenure or inactivity)") if way == "down" or not way
                       else _("buying history grew (more orders or longer tenure)"))
    return reasons


def staff_reason_text(t) -> str:
    """What staff recorded as the real reason (quarterly review), or ""."""
    code = getattr(t, "staff_reason", None)
    if not code:
        return ""
    label = str(STAFF_REASONS.get(code, code))
    note = (getattr(t, "staff_note", "") or "").strip()
    return f"{label}: {note}" if note else label


def describe_transition(t, root_cause_name: str | None = None) -> str:
    """E.g. "A → B: revenue −42 % vs previous quarter; 2 complaints (root cause: late delivery); NPS 9 → 5"."""
    head = f"{segment_label(t.dimension, t.from_value)} → {segment_label(t.dimension, t.to_value)}"
    text = f"{head}: " + "; ".join(transition_reasons(t, root_cause_name))
    told = staff_reason_text(t)
    return text + (" — " + _("reason recorded by staff: %(reason)s", reason=told) if told else "")
