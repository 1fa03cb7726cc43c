"""Forms of the calendar and escalation pages (issue 17)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class CalendarForm(FlaskForm):
    name = StringField(_l("Calendar name"), validators=[DataRequired(), Length(max=100)])
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64)], default="Europe/Warsaw")
    hours = StringField(_l("Opening hours"), validators=[DataRequired(), Length(max=500)],
                        default="mon-fri 09:00-17:00")
    holiday_country = SelectField(_l("Public holidays of"), choices=[], validate_choice=False)
    holiday_region = StringField(_l("Region (optional)"), validators=[Optional(), Length(max=10)])
    is_default = BooleanField(_l("The default calendar (complaints without a team, teams without a calendar)"))


class ClosedDayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired()])
    name = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])


class EscalationForm(FlaskForm):
    recipient_1 = SelectField(_l("Level 1 goes to"), choices=[])
    delay_1 = IntegerField(_l("Level 1: business hours after the due time"), default=0,
                           validators=[Optional(), NumberRange(0, 720)])
    recipient_2 = SelectField(_l("Level 2 goes to"), choices=[])
    delay_2 = IntegerField(_l("Level 2: business hours after the due time"), default=4,
                           validators=[Optional(), NumberRange(0, 720)])
    recipient_3 = SelectField(_l("Level 3 goes to"), choices=[])
    delay_3 = IntegerField(_l("Level 3: business hours after the due time"), default=8,
                           validators=[Optional(), NumberRange(0, 720)])
