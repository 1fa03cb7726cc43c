from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from staff.models import TOKEN_SCOPES
from staff.tokens import MAX_EXPIRY_DAYS, MAX_NAME_LENGTH

SCOPE_CHOICES = [("read", _l("Read only (GET)")), ("write", _l("Read and write"))]


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the token a name.")), Length(max=MAX_NAME_LENGTH)])
    scope = RadioField(_l("Access"), choices=SCOPE_CHOICES, default="read", validators=[DataRequired()])
    expires_days = IntegerField(_l("Expires after (days)"), validators=[Optional(), NumberRange(min=1, max=MAX_EXPIRY_DAYS)])


assert {value for value, _label in SCOPE_CHOICES} == set(TOKEN_SCOPES)
