"""What the surveys domain announces (webhooks and reports subscribe; surveys imports none of them).

Sent inside the answering transaction with `response=<SurveyResponse>`, `invitation`,
`complaint` (or None), `customer`, `submitted` (bool) and `now`.
"""
from blinker import Namespace

_signals = Namespace()

survey_answered = _signals.signal("survey-answered")
