"""The two surveys a fresh install starts with (installed by the baseline migration and by tests).

Texts are stored in English; `N_` marks them for gettext extraction, and `surveys.texts`
translates a stored English text through the catalogue when no per-language text was stored,
so the defaults read in the customer's language once the catalogues have them.
"""
from __future__ import annotations

import sqlalchemy as sa


def N_(text: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    return text


AFTER_COMPLAINT = {
    "code": "after_complaint", "kind": "complaint",
    "title": N_("How did we handle your complaint?"),
    "intro": N_("Your complaint has been resolved. Two minutes of your time help us do better."),
    "questions": [
        # NPS first: it is the one-click question in the e-mail (a single click is the whole
        # answer for many customers); the complaint-specific CSAT and CES follow on the page.
        ("nps", N_("How likely are you to recommend us to a friend or colleague?"), True),
        ("csat", N_("How satisfied are you with the way we handled your complaint?"), True),
        ("ces", N_("How easy was it to get your problem solved?"), True),
        ("text", N_("What could we have done better?"), False),
    ],
}

RELATIONSHIP = {
    "code": "relationship", "kind": "relationship",
    "title": N_("How are we doing?"),
    "intro": N_("Once in a while we ask our customers how we are doing. Thank you for your time."),
    "questions": [
        ("nps", N_("How likely are you to recommend us to a friend or colleague?"), True),
        ("csat", N_("Overall, how satisfied are you with our service?"), True),
        ("text", N_("If you ran our company and wanted more customers and turnover, what would you change?"), False),
    ],
}

DEFAULT_SURVEYS = (AFTER_COMPLAINT, RELATIONSHIP)

# Scale end labels shown beside the one-click numbers (also marked for translation).
SCALE_LABELS = {
    "nps": (N_("Not at all likely"), N_("Extremely likely")),
    "csat": (N_("Very dissatisfied"), N_("Very satisfied")),
    "ces": (N_("Very difficult"), N_("Very easy")),
}

DEFAULT_MSGIDS = frozenset(
    [s["title"] for s in DEFAULT_SURVEYS] + [s["intro"] for s in DEFAULT_SURVEYS]
    + [q[1] for s in DEFAULT_SURVEYS for q in s["questions"]]
)

surveys_table = sa.table("surveys", sa.column("id", sa.Integer), sa.column("code", sa.String),
                         sa.column("kind", sa.String), sa.column("title", sa.JSON), sa.column("intro", sa.JSON),
                         sa.column("active", sa.Boolean), sa.column("created_at", sa.DateTime),
                         sa.column("updated_at", sa.DateTime))
questions_table = sa.table("survey_questions", sa.column("survey_id", sa.Integer), sa.column("position", sa.Integer),
                           sa.column("qtype", sa.String), sa.column("text", sa.JSON), sa.column("choices", sa.JSON),
                           sa.column("required", sa.Boolean), sa.column("retired", sa.Boolean))


def install(connection, *, now=None) -> None:
    from platform_support.clock import utcnow

    now = now or utcnow()
    for survey in DEFAULT_SURVEYS:
        connection.execute(surveys_table.insert().values(
            code=survey["code"], kind=survey["kind"], title={"en": survey["title"]}, intro={"en": survey["intro"]},
            active=True, created_at=now, updated_at=now))
        survey_id = connection.execute(sa.select(surveys_table.c.id).where(surveys_table.c.code == survey["code"])).scalar_one()
        connection.execute(questions_table.insert(), [
            {"survey_id": survey_id, "position": position, "qtype": qtype, "text": {"en": text}, "choices": [],
             "required": required, "retired": False}
            for position, (qtype, text, required) in enumerate(survey["questions"], start=1)])
