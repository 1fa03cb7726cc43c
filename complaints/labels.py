"""Translatable labels for priorities and contact channels."""
from flask_babel import lazy_gettext as _l

PRIORITY_LABELS = {"urgent": _l("Urgent"), "high": _l("High"), "normal": _l("Normal"), "low": _l("Low")}
CHANNEL_LABELS = {"email": _l("E-mail"), "phone": _l("Phone"), "in_person": _l("In person")}
