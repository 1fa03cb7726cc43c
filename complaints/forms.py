"""Input rules only: shapes and lengths. Rules that need the database live in services."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateField, EmailField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from complaints.labels import CHANNEL_LABELS
from complaints.lifecycle import PRIORITY_LABELS
from notifications.headers import has_control_characters

LANGUAGE_CHOICES = [("en", "English"), ("pl", "Polski"), ("ru", "Русский"), ("ro", "Română"), ("cs", "Čeština")]
DESCRIPTION_MAX = 20_000


def no_control_characters(form, field):
    """Names and e-mails end up in e-mail headers: refuse CR/LF and friends with a clear message."""
    if field.data and has_control_characters(field.data):
        raise ValidationError(_l("Please use a single line without special characters."))


def not_in_future_of(form, field):
    from datetime import date, timedelta
    if field.data and field.data > date.today() + timedelta(days=1):
        raise ValidationError(_l("This date is in the future."))


class ComplaintForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(_l("Please tell us your name.")), Length(max=200), no_control_characters])
    email = EmailField(_l("Your e-mail"), validators=[
        DataRequired(_l("We need your e-mail to keep you informed.")), Length(max=254), no_control_characters,
        Email(_l("Please enter a valid e-mail address."), check_deliverability=False)])
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=50), no_control_characters])
    order_reference = StringField(_l("Order or invoice number (optional)"), validators=[Optional(), Length(max=100), no_control_characters])
    occurred_on = DateField(_l("When did it happen? (optional)"), validators=[Optional(), not_in_future_of])
    subject = StringField(_l("In a few words (optional)"), validators=[Optional(), Length(max=200), no_control_characters])
    description = TextAreaField(_l("What happened?"), validators=[
        DataRequired(_l("Please tell us what happened.")),
        Length(max=DESCRIPTION_MAX, message=_l("Please keep it under %(max)d characters.", max=DESCRIPTION_MAX))])
    desired_outcome = TextAreaField(_l("What would you like us to do? (optional)"), validators=[Optional(), Length(max=5000)])
    preferred_channel = SelectField(_l("How should we contact you?"), choices=list(CHANNEL_LABELS.items()), default="email")
    language = SelectField(_l("Language for our messages"), choices=LANGUAGE_CHOICES, default="en")
    attachments = MultipleFileField(_l("Photos or PDF documents (optional)"))
    submission_key = HiddenField()
    # Filled by static/js/timezone.js: deadlines in e-mails then read in the customer's local time.
    timezone = HiddenField(validators=[Optional(), Length(max=64)])
    # Honeypot: invisible to people, irresistible to bots.
    website = StringField(_l("Leave this field empty"), validators=[Optional(), Length(max=200)])


class CustomerMessageForm(FlaskForm):
    message = TextAreaField(_l("Add information"), validators=[Optional(), Length(max=DESCRIPTION_MAX)])
    attachments = MultipleFileField(_l("Photos or PDF documents (optional)"))


MINUTES = [Optional(), NumberRange(min=0, max=24 * 60, message=_l("Between 0 and 1440 minutes."))]


class ActionForm(FlaskForm):
    """A form acting on a complaint: it carries the version of the complaint the person saw, so an
    action on an outdated page is refused with what changed instead of applied blindly."""
    version = HiddenField()

    @property
    def seen_version(self) -> int | None:
        from platform_support.parsing import bounded_int
        return bounded_int(self.version.data, minimum=1)


class FactForm(ActionForm):
    text = TextAreaField(_l("Fact established"), validators=[DataRequired(), Length(max=DESCRIPTION_MAX)])
    minutes = IntegerField(_l("Minutes spent"), validators=MINUTES)


class AssignForm(ActionForm):
    owner = SelectField(_l("Owner"), validators=[DataRequired()], choices=[])
    minutes = IntegerField(_l("Minutes spent"), validators=MINUTES)


class UpdateForm(ActionForm):
    message = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=DESCRIPTION_MAX)])
    public = BooleanField(_l("Send to the customer (unticked: internal note, never shown to the customer)"), default=True)
    minutes = IntegerField(_l("Minutes spent"), validators=MINUTES)


class CommitActionForm(ActionForm):
    action = TextAreaField(_l("Action we commit to"), validators=[DataRequired(), Length(max=5000)])
    due_on = DateField(_l("Target date"), validators=[DataRequired()])
    minutes = IntegerField(_l("Minutes spent"), validators=MINUTES)


class ResolveForm(ActionForm):
    resolution = TextAreaField(_l("Resolution"), validators=[DataRequired(), Length(max=DESCRIPTION_MAX)])
    root_cause = SelectField(_l("Root cause"), validators=[DataRequired(_l("Choose the root cause of the problem."))], choices=[])
    minutes = IntegerField(_l("Minutes spent"), validators=MINUTES)


class ReopenForm(ActionForm):
    reason = TextAreaField(_l("Why is it reopened?"), validators=[DataRequired(), Length(max=5000)])
    minutes = IntegerField(_l("Minutes spent"), validators=MINUTES)


class CloseForm(ActionForm):
    minutes = IntegerField(_l("Minutes spent"), validators=MINUTES)


class PriorityForm(ActionForm):
    priority = SelectField(_l("Priority"), choices=list(PRIORITY_LABELS.items()))
    minutes = IntegerField(_l("Minutes spent"), validators=MINUTES)


class RootCauseForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=50)])
    name = StringField(lazy_pgettext("name of a thing", "Name"), validators=[DataRequired(), Length(max=200)])
    sort_order = IntegerField(_l("Order"), validators=[Optional(), NumberRange(min=0, max=10_000)], default=0)
    active = BooleanField(_l("Active"), default=True)


class SlaForm(FlaskForm):
    first_response_hours = IntegerField(_l("First response (hours)"), validators=[DataRequired(), NumberRange(min=1, max=24 * 365)])
    resolution_hours = IntegerField(_l("Resolution (hours)"), validators=[DataRequired(), NumberRange(min=1, max=24 * 365)])


class PriorityRuleForm(FlaskForm):
    segment = SelectField(_l("Segment"), choices=[])
    priority = SelectField(_l("Complaint priority"), choices=[])
    position = IntegerField(_l("Order (lower first)"), default=10, validators=[Optional(), NumberRange(0, 10_000)])
