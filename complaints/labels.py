"""Translatable labels for contact channels (states' and priorities' are in complaints.lifecycle)."""
from flask_babel import lazy_gettext as _l

CHANNEL_LABELS = {"email": _l("E-mail"), "phone": _l("Phone"), "in_person": _l("In person")}
