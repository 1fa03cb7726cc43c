"""Forms of the team pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class TeamForm(FlaskForm):
    name = StringField(_l("Team name"), validators=[DataRequired(), Length(max=100)])
    lead_id = SelectField(_l("Team lead"), coerce=int, choices=[])
    calendar_id = SelectField(_l("Working hours (calendar)"), coerce=int, choices=[])
    member_ids = SelectMultipleField(_l("Members"), coerce=int, choices=[],
                                     widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    active = BooleanField(_l("Active"), default=True)


class AwayForm(FlaskForm):
    away = BooleanField(_l("Away"))
    away_until = DateField(_l("Away until (inclusive; empty: until marked back)"), validators=[Optional()])
