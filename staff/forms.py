from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from staff.models import ROLES
from staff.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

ROLE_CHOICES = [("agent", _l("Agent")), ("manager", _l("Manager")), ("admin", _l("Administrator"))]


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])


class StaffForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, validators=[DataRequired()])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)])


class EditStaffForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, validators=[DataRequired()])
    active = BooleanField(_l("Active"))
    weekly_digest = BooleanField(_l("Weekly digest by e-mail (managers and administrators)"))


class DigestForm(FlaskForm):
    """A manager's own e-mail settings: the weekly digest (reports/digest.py)."""
    weekly_digest = BooleanField(_l("Send me the weekly digest by e-mail"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1000)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)])


class TwoFactorCodeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=64)])


class PasswordResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])


class PasswordResetForm(FlaskForm):
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)])


class AdminSetPasswordForm(FlaskForm):
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)])


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=1000)])


class RoleSecurityForm(FlaskForm):
    agent = BooleanField(_l("Agents must sign in with a second factor"))
    manager = BooleanField(_l("Managers must sign in with a second factor"))
    admin = BooleanField(_l("Administrators must sign in with a second factor"))


assert {value for value, _label in ROLE_CHOICES} == set(ROLES)


class LanguageForm(FlaskForm):
    """The staff language switcher (header menu): choices are the configured LANGUAGES."""
    language = StringField(_l("Language"), validators=[DataRequired(), Length(max=8)])
