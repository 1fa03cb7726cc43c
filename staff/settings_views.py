"""Settings (issue 16): the page that groups every administration page (staff/settings_menu.py),
and the staff language switcher (stored on the account: StaffUser.language, read by the locale
selector in factory.py for every staff page and used for the staff e-mails)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from platform_support.errors import ServiceError
from staff import services
from staff.auth import role_required, safe_next
from staff.forms import DigestForm, LanguageForm
from staff.settings_menu import settings_sections

blueprint = Blueprint("staff_settings", __name__, url_prefix="/staff/settings")


@blueprint.route("/")
@login_required
def index():
    """Everyone has settings (an agent: their canned responses); each sees the entries of their role."""
    return render_template("staff/settings.html", sections=settings_sections(current_user))


@blueprint.route("/e-mail", methods=["GET", "POST"])
@role_required("manager")
def email_settings():
    """A manager's own e-mail settings: the weekly digest (reports/digest.py)."""
    form = DigestForm(obj=current_user)
    if form.validate_on_submit():
        try:
            services.set_weekly_digest(current_user, form.weekly_digest.data)
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            flash(_("Your e-mail settings are saved."), "success")
            return redirect(url_for(".email_settings"))
    return render_template("staff/email_settings.html", form=form)


@blueprint.route("/language", methods=["POST"])
@login_required
def language():
    form = LanguageForm()
    back = safe_next(request.form.get("next") or _referring_path(), url_for("complaints_staff.queue"))
    if not form.validate():
        flash(_("Choose one of the offered languages."), "error")
        return redirect(back)
    try:
        services.set_language(current_user, form.language.data, languages=current_app.config["LANGUAGES"])
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(back)
    with force_locale(current_user.language):
        flash(_("Language changed."), "success")
    return redirect(back)


def _referring_path() -> str | None:
    """The page the switcher was used on (the form carries no path: an error page must not show
    the address that was refused). Only our own host's path counts; safe_next checks the rest."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc and parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@blueprint.app_context_processor
def settings_menu_context():
    """What base.html needs for the header (Settings entry, language switcher) and the side menu of
    the settings pages. Pages only: e-mails never run context processors."""
    from staff.settings_menu import SETTINGS_ENDPOINT, current_entry, is_settings_page

    endpoint = request.endpoint
    return {"settings_sections": settings_sections, "settings_page": is_settings_page(endpoint),
            "settings_entry": current_entry(endpoint), "settings_endpoint": SETTINGS_ENDPOINT,
            "language_form": LanguageForm}
