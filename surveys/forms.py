"""Input rules for the survey pages (answer form built from the survey's questions) and staff forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from surveys.models import QUESTION_TYPES, SCALES
from surveys.texts import localized


class AnswerFormBase(FlaskForm):
    confirm = SubmitField(_l("Confirm my answer"))
    submit = SubmitField(_l("Send my answers"))


def answer_form(questions, language: str, formdata=None):
    """A form with one field `q<id>` per question. Fields are optional here: whether an answer is
    required is the service's rule (a confirm may leave later questions for afterwards)."""

    class AnswerForm(AnswerFormBase):
        pass

    for question in questions:
        label = localized(question.text, language)
        if question.qtype in SCALES:
            low, high = SCALES[question.qtype]
            field = RadioField(label, choices=[(str(n), str(n)) for n in range(low, high + 1)],
                               validators=[Optional()], validate_choice=False)
        elif question.qtype == "choice":
            field = RadioField(label, choices=[(c["value"], localized(c.get("label"), language)) for c in question.choices],
                               validators=[Optional()], validate_choice=False)
        else:
            field = TextAreaField(label, validators=[Optional(), Length(max=5000)])
        setattr(AnswerForm, f"q{question.id}", field)
    return AnswerForm(formdata=formdata) if formdata is not None else AnswerForm()


class UnsubscribeForm(FlaskForm):
    submit = SubmitField(_l("Unsubscribe from surveys"))


LANGUAGE_CHOICES = [("en", "English"), ("pl", "Polski"), ("ru", "Русский"), ("ro", "Română"), ("cs", "Čeština")]
TYPE_CHOICES = [("nps", _l("NPS (0–10)")), ("csat", _l("CSAT (1–5)")), ("ces", _l("CES (1–7)")),
                ("choice", _l("Single choice")), ("text", _l("Open text"))]
assert [c for c, _label in TYPE_CHOICES] == list(QUESTION_TYPES)


class SurveyForm(FlaskForm):
    language = SelectField(_l("Language of the texts"), choices=LANGUAGE_CHOICES, default="en")
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    intro = TextAreaField(_l("Introduction"), validators=[Optional(), Length(max=2000)])
    active = BooleanField(_l("Active (sent to customers)"))
    save = SubmitField(_l("Save"))


class NewSurveyForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=50)])
    kind = SelectField(_l("Sent"), choices=[("complaint", _l("after a complaint is resolved")),
                                            ("relationship", _l("periodically to every customer"))])
    title = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=200)])
    create = SubmitField(_l("Create survey"))


class QuestionForm(FlaskForm):
    qtype = SelectField(_l("Type"), choices=TYPE_CHOICES)
    language = SelectField(_l("Language of the texts"), choices=LANGUAGE_CHOICES, default="en")
    text = StringField(_l("Question"), validators=[DataRequired(), Length(max=500)])
    choices = TextAreaField(_l("Options (single choice: one per line, value=label)"), validators=[Optional(), Length(max=4000)])
    required = BooleanField(_l("Answer required"))
    # Branching: shown only when an earlier scale question's answer is within [min, max].
    show_if_question = SelectField(_l("Show only if the answer to"), choices=[("", "—")], validate_choice=False)
    show_if_min = IntegerField(_l("is at least"), validators=[Optional()])
    show_if_max = IntegerField(_l("is at most"), validators=[Optional()])
    save = SubmitField(_l("Save question"))


class MoveForm(FlaskForm):
    direction = SelectField(choices=[("up", "up"), ("down", "down")])


class AlertCloseForm(FlaskForm):
    outcome = SelectField(_l("Outcome"), choices=[("done", _l("Done: customer contacted")), ("dismissed", _l("Dismissed"))])
    note = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=5000)])
    close = SubmitField(_l("Close the task"))


class AlertAssignForm(FlaskForm):
    owner = SelectField(_l("Hand the task to"), coerce=int, validate_choice=True)
    assign = SubmitField(_l("Assign"))


class AlertAcknowledgeForm(FlaskForm):
    acknowledge = SubmitField(_l("Acknowledge: I am on it"))


class AlertReopenForm(FlaskForm):
    reason = TextAreaField(_l("Why reopen the complaint?"), validators=[DataRequired(), Length(max=5000)])
    reopen = SubmitField(_l("Reopen the complaint"))


class PublicLinkForm(FlaskForm):
    enabled = BooleanField(_l("Public link on (receipts, counters, QR code)"))
    anonymous = BooleanField(_l("Anonymous: do not ask for an e-mail address"))
    save = SubmitField(_l("Save the public link"))
