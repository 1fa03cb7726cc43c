"""What the segments mean to people: labels, recommended treatment, and a transition's stated reasons.

The classification itself is SQL in `customers.segment_rules` (one truth, all customers at once);
this module only turns stored values and figures into words, in the reader's language.
"""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

SEGMENT_LABELS = {
    "abc": {"A": "A", "B": "B", "C": "C"},
    "category": {"devoted": _l("devoted"), "core": _l("core"), "difficult": _l("difficult"), "dead": _l("dead")},
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
        "dead": _l("Stop active service, collect what is owed, and propose erasure of the file."),
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


def _percent_change(now: Decimal, before: Decimal) -> int:
    return int(round((float(now) - float(before)) * 100 / float(before)))


def transition_reasons(t, root_cause_name: str | None = None) -> list[str]:
    """The system's reasons for a move, from the figures stored with the transition."""
    reasons: list[str] = []
    revenue_q = Decimal(t.revenue_q or 0)
    revenue_prev_q = Decimal(t.revenue_prev_q or 0)
    if revenue_prev_q > 0 and revenue_q != revenue_prev_q:
        change = _percent_change(revenue_q, revenue_prev_q)
        sign = "+" if change > 0 else "−"
        reasons.append(_("revenue %(change)s %% vs previous quarter", change=f"{sign}{abs(change)}"))
    elif revenue_prev_q == 0 and revenue_q > 0:
        reasons.append(_("first revenue after a quiet quarter"))
    if t.complaints_q:
        if root_cause_name:
            # ngettext: Polish, Russian and Czech have three plural forms, not "1 or more".
            reasons.append(ngettext("%(num)d complaint (root cause: %(cause)s)",
                                    "%(num)d complaints (root cause: %(cause)s)", t.complaints_q, cause=root_cause_name))
        else:
            reasons.append(ngettext("%(num)d complaint", "%(num)d complaints", t.complaints_q))
    if t.nps_after is not None and t.nps_before is not None and t.nps_after != t.nps_before:
        reasons.append(_("NPS %(before)d → %(after)d", before=t.nps_before, after=t.nps_after))
    elif t.nps_after is not None and t.nps_before is None:
        reasons.append(_("NPS %(after)d", after=t.nps_after))
    if t.late_payments_12m:
        reasons.append(ngettext("%(num)d late payment in 12 months", "%(num)d late payments in 12 months",
                                t.late_payments_12m))
    if t.overdue_amount and Decimal(t.overdue_amount) > 0:
        reasons.append(_("%(amount)s overdue", amount=f"{Decimal(t.overdue_amount):.2f}"))
    if t.dimension == "stage" and t.to_value in ("inactive", "former", "dead") and t.last_order_on:
        reasons.append(_("no order since %(day)s", day=t.last_order_on.isoformat()))
    if t.to_value in ("partner", "disqualified") or t.from_value in ("partner", "disqualified"):
        reasons.append(_("flag set by staff"))
    if not reasons:
        reasons.append(_("thresholds crossed by time passing (tenure or inactivity)"))
    return reasons


def describe_transition(t, root_cause_name: str | None = None) -> str:
    """E.g. "A → B: revenue −42 % vs previous quarter; 2 complaints (root cause: late delivery); NPS 9 → 5"."""
    head = f"{segment_label(t.dimension, t.from_value)} → {segment_label(t.dimension, t.to_value)}"
    return f"{head}: " + "; ".join(transition_reasons(t, root_cause_name))
