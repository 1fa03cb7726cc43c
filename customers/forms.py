"""Input rules only (shapes and lengths); the rules that need the database live in the services."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, DateTimeLocalField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from customers.models import CHANNELS

CHANNEL_CHOICES = [("email", _l("E-mail")), ("phone", _l("Phone")), ("in_person", _l("In person"))]
LANGUAGE_CHOICES = [("en", "English"), ("pl", "Polski"), ("ru", "Русский"), ("ro", "Română"), ("cs", "Čeština")]
assert {c for c, _label in CHANNEL_CHOICES} == set(CHANNELS)


class CustomerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    salutation = StringField(_l("Salutation (how we address them)"), validators=[Optional(), Length(max=200)])
    patronymic = StringField(_l("Patronymic"), validators=[Optional(), Length(max=100)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    job_title = StringField(_l("Job title"), validators=[Optional(), Length(max=200)])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64)])
    country = SelectField(_l("Country (whose holidays we greet on)"), choices=[], validate_choice=False)
    preferred_channel = SelectField(_l("Preferred channel"), choices=CHANNEL_CHOICES)
    preferred_days = StringField(_l("Preferred days (e.g. mon,wed,fri; empty: any)"), validators=[Optional(), Length(max=40)])
    preferred_hour_start = IntegerField(_l("Contact from (hour)"), validators=[Optional(), NumberRange(0, 23)])
    preferred_hour_end = IntegerField(_l("Contact until (hour)"), validators=[Optional(), NumberRange(1, 24)])
    birthday = DateField(_l("Birthday"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=20_000)])
    greetings_opt_out = BooleanField(_l("No greetings"))
    surveys_opt_out = BooleanField(_l("No surveys"))
    is_partner = BooleanField(_l("Partner (flagged by staff)"))
    disqualified = BooleanField(_l("Disqualified prospect"))
    account_owner = SelectField(_l("Account owner"), coerce=int, choices=[])


class InteractionForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[("call", _l("Phone call")), ("meeting", _l("Meeting")), ("note", _l("Note"))])
    occurred_at = DateTimeLocalField(_l("When (UTC; empty: now)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    minutes = IntegerField(_l("Minutes spent"), default=0, validators=[Optional(), NumberRange(0, 1440)])
    body = TextAreaField(_l("What was said or agreed"), validators=[DataRequired(), Length(max=20_000)])


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    founded_on = DateField(_l("Founded on"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=20_000)])


class EraseForm(FlaskForm):
    confirm = BooleanField(_l("I have checked the list: erase this person's data"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (needed while a complaint is open; kept in the audit log)"),
                           validators=[Optional(), Length(max=1000)])


class ImportForm(FlaskForm):
    """A manager's CSV upload: customers or orders (the same import as `flask import …`)."""
    kind = SelectField(_l("What the file holds"), choices=[("customers", _l("Customers")), ("orders", _l("Orders"))],
                       validators=[DataRequired()])
    file = FileField(_l("CSV file (from Excel or any spreadsheet: comma, semicolon or tab; any common encoding)"),
                     validators=[FileRequired(_l("Choose a CSV file."))])


class TransitionReasonForm(FlaskForm):
    """The quarterly review: why a customer really moved (seed 000)."""
    reason = SelectField(_l("Real reason"), choices=[])
    note = TextAreaField(_l("What happened"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        from customers.segments import STAFF_REASONS
        super().__init__(*args, **kwargs)
        self.reason.choices = [(code, str(label)) for code, label in STAFF_REASONS.items()]
