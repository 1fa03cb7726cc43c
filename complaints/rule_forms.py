"""Forms of issue 17's admin pages and staff blocks: categories, custom fields, classification,
routing rules, trigger rules. Shapes and lengths only; the rules are the services'."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from complaints.forms import ActionForm

FIELD_KIND_LABELS = {"text": _l("Text"), "choice": _l("Choice from a list"), "date": _l("Date"),
                     "number": _l("Number")}


class CategoryForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=50)])
    name_en = StringField(_l("Name in English"), validators=[Length(max=200)])
    name_pl = StringField(_l("Name in Polish"), validators=[Length(max=200)])
    name_ru = StringField(_l("Name in Russian"), validators=[Length(max=200)])
    name_ro = StringField(_l("Name in Romanian"), validators=[Length(max=200)])
    name_cs = StringField(_l("Name in Czech"), validators=[Length(max=200)])
    keywords = TextAreaField(_l("Keywords for e-mailed complaints (one per line)"), validators=[Length(max=5000)])
    sort_order = IntegerField(_l("Order"), validators=[Optional(), NumberRange(min=0, max=10_000)], default=0)
    active = BooleanField(_l("Active"), default=True)


class CustomFieldForm(FlaskForm):
    category = SelectField(_l("Category"), choices=[], validators=[DataRequired()])
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=50)])
    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=list(FIELD_KIND_LABELS.items()))
    choices = TextAreaField(_l("Choices (one per line, for a choice field)"), validators=[Length(max=5000)])
    required = BooleanField(_l("Required"), default=False)
    public = BooleanField(_l("Ask the customer on the public form and the API"), default=False)
    position = IntegerField(_l("Order"), validators=[Optional(), NumberRange(min=0, max=10_000)], default=0)


class ClassificationForm(ActionForm):
    """The staff complaint page's category, tags and custom-field block; the custom fields come
    as `field-<code>` inputs of the request (their set depends on the category)."""
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    tags = StringField(_l("Tags (separated by commas)"), validators=[Length(max=1100)])


class RoutingRuleForm(FlaskForm):
    """Choices are set by the view (categories, teams, staff, segments)."""
    rule_id = HiddenField()
    name = StringField(_l("Name of the rule"), validators=[DataRequired(), Length(max=100)])
    position = IntegerField(_l("Order"), validators=[Optional(), NumberRange(min=0, max=10_000)], default=0)
    active = BooleanField(_l("Active"), default=True)
    category = SelectField(_l("Category is"), choices=[], validate_choice=False)
    language = SelectField(_l("Language is"), choices=[], validate_choice=False)
    channel = SelectField(_l("Arrived by"), choices=[], validate_choice=False)
    segment = SelectField(_l("Customer segment is"), choices=[], validate_choice=False)
    priority = SelectField(_l("Priority is"), choices=[], validate_choice=False)
    account_owner = SelectField(_l("The customer's account owner"), choices=[], validate_choice=False)
    team = SelectField(_l("Team"), choices=[], validate_choice=False)
    assign = SelectField(_l("Owner"), choices=[], validate_choice=False)


class TriggerRuleForm(FlaskForm):
    rule_id = HiddenField()
    name = StringField(_l("Name of the rule"), validators=[DataRequired(), Length(max=100)])
    position = IntegerField(_l("Order"), validators=[Optional(), NumberRange(min=0, max=10_000)], default=0)
    active = BooleanField(_l("Active"), default=True)
    on_filing = BooleanField(_l("When a complaint is filed"), default=True)
    on_change = BooleanField(_l("When a complaint changes"), default=True)
    category = SelectField(_l("Category is"), choices=[], validate_choice=False)
    priority = SelectField(_l("Priority is"), choices=[], validate_choice=False)
    channel = SelectField(_l("Arrived by"), choices=[], validate_choice=False)
    language = SelectField(_l("Language is"), choices=[], validate_choice=False)
    status = SelectField(_l("Status is"), choices=[], validate_choice=False)
    tag = StringField(_l("Has the tag"), validators=[Length(max=50)])
    text_contains = StringField(_l("Subject or description contains"), validators=[Length(max=100)])
    set_priority = SelectField(_l("Set the priority to"), choices=[], validate_choice=False)
    add_tag = StringField(_l("Add the tag"), validators=[Length(max=50)])
    assign_to = SelectField(_l("Assign to"), choices=[], validate_choice=False)
    notify = SelectField(_l("E-mail"), choices=[], validate_choice=False)
