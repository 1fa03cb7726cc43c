from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, URLField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from webhooks.models import EVENTS


class EndpointForm(FlaskForm):
    url = URLField(_l("Address (https://…)"), validators=[DataRequired(_l("Enter the address to send to.")), Length(max=2000)])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=200)])
    events = SelectMultipleField(_l("Events"), choices=[(e, e) for e in EVENTS],
                                 option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False),
                                 validators=[DataRequired(_l("Choose at least one event."))])
