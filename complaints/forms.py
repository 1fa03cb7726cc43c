"""Input rules only: shapes and lengths. A new complaint's rules are `filing.check_new_complaint`'s."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateField, EmailField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from complaints.filing import MAX_LENGTHS
from complaints.labels import CHANNEL_LABELS
from complaints.lifecycle import PRIORITY_LABELS

LANGUAGE_CHOICES = [("en", "English"), ("pl", "Polski"), ("ru", "Русский"), ("ro", "Română"), ("cs", "Čeština")]
DESCRIPTION_MAX = MAX_LENGTHS["description"]


def _shown(name: str, *, required: bool = False) -> dict:
    """The browser's hints for a field of the complaint form (the rules are filing's)."""
    hints = {"maxlength": MAX_LENGTHS[name]}
    if required:
        hints.update({"required": True, "aria-required": "true"})
    return hints


class ComplaintForm(FlaskForm):
    """The public complaint form: CSRF, the fields and their types. What a complaint must satisfy
    is checked by `filing.check_new_complaint`, the same for this form and the API."""
    name = StringField(_l("Your name"), render_kw=_shown("name", required=True))
    email = EmailField(_l("Your e-mail"), render_kw=_shown("email", required=True))
    phone = StringField(_l("Phone (optional)"), render_kw=_shown("phone"))
    order_reference = StringField(_l("Order or invoice number (optional)"), render_kw=_shown("order_reference"))
    occurred_on = DateField(_l("When did it happen? (optional)"), validators=[Optional()])
    subject = StringField(_l("In a few words (optional)"), render_kw=_shown("subject"))
    # Choices (the active intake categories, named in the page's language) set by the view; the
    # rule (an active one; required when so configured) is filing's.
    category = SelectField(_l("What is it about?"), choices=[], validate_choice=False, default="")
    description = TextAreaField(_l("What happened?"), render_kw=_shown("description", required=True))
    desired_outcome = TextAreaField(_l("What would you like us to do? (optional)"), render_kw=_shown("desired_outcome"))
    preferred_channel = SelectField(_l("How should we contact you?"), choices=list(CHANNEL_LABELS.items()), default="email")
    language = SelectField(_l("Language for our messages"), choices=LANGUAGE_CHOICES, default="en")
    attachments = MultipleFileField(_l("Photos or PDF documents (optional)"))
    submission_key = HiddenField()
    # Filled by static/js/timezone.js: deadlines in e-mails then read in the customer's local time.
    timezone = HiddenField()
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


# The composer's switch. The default is the internal note: a reply reaches the customer and
# cannot be taken back, so sending one is always an explicit choice.
COMPOSER_MODES = [("reply", _l("Reply to the customer")), ("note", _l("Internal note")), ("fact", _l("Fact"))]


class UpdateForm(ActionForm):
    """The complaint page's one composer: a reply to the customer, an internal note or a fact."""
    mode = RadioField(_l("Write"), choices=COMPOSER_MODES, default="note", validators=[Optional()])
    message = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=DESCRIPTION_MAX)])
    attachments = MultipleFileField(_l("Attach files"))
    wait_for_customer = BooleanField(_l("Wait for the customer's answer (the complaint waits until they reply)"))
    minutes = IntegerField(_l("Minutes spent"), validators=MINUTES)
    staging_key = HiddenField()  # the page's secret under which refused submissions keep their files

    @property
    def public(self) -> bool:
        return self.mode.data == "reply"


class CannedResponseForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="en")
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=10_000)])
    shared = BooleanField(_l("Shared with everyone (admins only)"))


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
    """A priority's targets. They are business hours (the calendar's opening hours, without
    holidays, closed days and the time spent waiting for the customer), so the labels say so."""
    first_response_hours = IntegerField(
        _l("First response (business hours)"), validators=[DataRequired(), NumberRange(min=1, max=24 * 365)],
        description=_l("Counted in the opening hours of the complaint's calendar: 8 business hours on a "
                       "9-to-5 calendar is one working day."))
    resolution_hours = IntegerField(
        _l("Resolution (business hours)"), validators=[DataRequired(), NumberRange(min=1, max=24 * 365)],
        description=_l("Counted in opening hours too; the time the complaint waits for the customer does not count."))


class PriorityRuleForm(FlaskForm):
    segment = SelectField(_l("Segment"), choices=[])
    priority = SelectField(_l("Complaint priority"), choices=[])
    position = IntegerField(_l("Order (lower first)"), default=10, validators=[Optional(), NumberRange(0, 10_000)])


class SaveViewForm(FlaskForm):
    """Save the queue's current filters and sort under a name (the filters ride along as hidden fields)."""
    name = StringField(_l("Name of the view"), validators=[DataRequired(), Length(max=100)])
    shared = BooleanField(_l("Share with everyone"))
    status = HiddenField()
    owner = HiddenField()
    priority = HiddenField()
    overdue = HiddenField()
    q = HiddenField()
    sort = HiddenField()
    category = HiddenField()
    tag = HiddenField()
    field = HiddenField()
    field_value = HiddenField()


class BulkForm(FlaskForm):
    """The queue's bulk bar; the selected complaints come as `complaints` = "REFERENCE:VERSION"."""
    action = SelectField(_l("With the selected complaints"), choices=[])
    owner = SelectField(_l("Owner"), choices=[], validate_choice=False)
    priority = SelectField(_l("Priority"), choices=[("", "—")] + list(PRIORITY_LABELS.items()), validate_choice=False)
    root_cause = SelectField(_l("Root cause"), choices=[], validate_choice=False)
    resolution = TextAreaField(_l("Resolution (sent to each customer)"), validators=[Optional(), Length(max=DESCRIPTION_MAX)])
    confirmed = HiddenField()


CALL_CHANNEL_CHOICES = [("phone", _l("Phone call")), ("visit", _l("Visit in person"))]


class StaffComplaintForm(FlaskForm):
    """Staff filing a complaint for a customer who phoned or came in: the customer's details as they
    gave them, checked by `filing.check_new_complaint` like the public form."""
    channel = SelectField(_l("How did the customer reach us?"), choices=CALL_CHANNEL_CHOICES, default="phone")
    name = StringField(_l("Customer's name"), render_kw=_shown("name", required=True))
    email = EmailField(_l("Customer's e-mail"), render_kw=_shown("email", required=True))
    phone = StringField(_l("Phone"), render_kw=_shown("phone"))
    order_reference = StringField(_l("Order or invoice number"), render_kw=_shown("order_reference"))
    occurred_on = DateField(_l("When did it happen?"), validators=[Optional()])
    subject = StringField(_l("Subject"), render_kw=_shown("subject"))
    description = TextAreaField(_l("What the customer told us"), render_kw=_shown("description", required=True))
    desired_outcome = TextAreaField(_l("What the customer would like us to do"), render_kw=_shown("desired_outcome"))
    preferred_channel = SelectField(_l("How should we contact the customer?"), choices=list(CHANNEL_LABELS.items()), default="phone")
    language = SelectField(_l("Language for our messages"), choices=LANGUAGE_CHOICES, default="en")
    submission_key = HiddenField()


class CallForm(ActionForm):
    """A call or visit about an existing complaint."""
    channel = SelectField(_l("Call or visit"), choices=CALL_CHANNEL_CHOICES, default="phone")
    direction = SelectField(_l("Who got in touch?"), choices=[("inbound", _l("The customer contacted us")),
                                                           ("outbound", _l("We contacted the customer"))])
    summary = TextAreaField(_l("What was said"), validators=[DataRequired(), Length(max=DESCRIPTION_MAX)])
    minutes = IntegerField(_l("Minutes spent"), validators=MINUTES)
