"""Admin → Calendars: time zone, opening hours, public holidays and closed days (issue 17). Saving
recomputes the due dates of the open complaints the calendar counts for."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import ngettext

from calendars import services as calendar_services
from calendars.business_time import format_hours, holiday_dates, holiday_language
from complaints import sla_admin
from complaints.calendar_forms import CalendarForm, ClosedDayForm
from platform_support.clock import utcnow
from platform_support.errors import NotFound, ServiceError
from staff.auth import role_required
from staff.team_services import all_teams

blueprint = Blueprint("business_hours", __name__, url_prefix="/admin/calendars")


def _countries() -> list[tuple[str, str]]:
    import holidays

    names = get_locale().territories
    codes = holidays.list_supported_countries()
    return [("", _("— none —"))] + sorted(((c, names.get(c, c)) for c in codes if len(c) == 2), key=lambda x: x[1])


def _moved(moved: int) -> None:
    flash(ngettext("Calendar saved; the due dates of %(num)d open complaint were recomputed.",
                   "Calendar saved; the due dates of %(num)d open complaints were recomputed.", moved), "success")


def _save(form: CalendarForm, calendar_id: int | None):
    try:
        calendar, moved = sla_admin.save_calendar(
            name=form.name.data, timezone=form.timezone.data, hours=form.hours.data,
            holiday_country=form.holiday_country.data or None, holiday_region=form.holiday_region.data or None,
            is_default=form.is_default.data, calendar_id=calendar_id, now=utcnow())
    except ServiceError as exc:
        for name, messages in exc.fields.items():
            if name in form:
                form[name].errors = list(messages)
        flash(_("Please correct the highlighted fields."), "error")
        return None
    _moved(moved)
    return redirect(url_for("business_hours.edit", calendar_id=calendar.id))


@blueprint.route("/", methods=["GET", "POST"])
@role_required("admin")
def calendars():
    form = CalendarForm()
    form.holiday_country.choices = _countries()
    if form.validate_on_submit():
        done = _save(form, None)
        if done:
            return done
    teams = all_teams()
    return render_template("complaints/admin/calendars.html", calendars=calendar_services.all_calendars(), form=form,
                           teams=teams, describe=lambda c: format_hours(calendar_services.weekly_hours(c)))


@blueprint.route("/<int:calendar_id>", methods=["GET", "POST"])
@role_required("admin")
def edit(calendar_id: int):
    try:
        calendar = sla_admin.get_calendar(calendar_id)
    except NotFound:
        abort(404)
    form = CalendarForm()
    form.holiday_country.choices = _countries()
    if not form.is_submitted():
        form.name.data, form.timezone.data = calendar.name, calendar.timezone
        form.hours.data = format_hours(calendar_services.weekly_hours(calendar))
        form.holiday_country.data, form.holiday_region.data = calendar.holiday_country or "", calendar.holiday_region or ""
        form.is_default.data = calendar.is_default
    if form.validate_on_submit():
        done = _save(form, calendar.id)
        if done:
            return done
        calendar = sla_admin.get_calendar(calendar_id)
    today = utcnow().date()
    language = str(get_locale())
    upcoming = {day: name for day, name in holiday_dates(calendar.holiday_country, calendar.holiday_region,
                                                          today.year, today.year + 1, language).items()
                if today <= day <= today + timedelta(days=365)}
    named_in = holiday_language(calendar.holiday_country, language) if calendar.holiday_country else None
    return render_template("complaints/admin/calendar_edit.html", calendar=calendar, form=form,
                           closed_form=ClosedDayForm(), upcoming=upcoming,
                           holiday_lang=(named_in or "").split("_")[0] or None,
                           teams=[t for t in all_teams() if t.calendar_id == calendar.id])


@blueprint.route("/<int:calendar_id>/closed-days", methods=["POST"])
@role_required("admin")
def add_closed_day(calendar_id: int):
    form = ClosedDayForm()
    if not form.validate_on_submit():
        flash(_("Enter a valid date."), "error")
        return redirect(url_for("business_hours.edit", calendar_id=calendar_id))
    try:
        moved = sla_admin.add_closed_day(calendar_id, form.day.data, form.name.data or "", now=utcnow())
    except NotFound:
        abort(404)
    except ServiceError as exc:
        flash(exc.message, "error")
    else:
        _moved(moved)
    return redirect(url_for("business_hours.edit", calendar_id=calendar_id))


@blueprint.route("/<int:calendar_id>/closed-days/<int:closed_day_id>/delete", methods=["POST"])
@role_required("admin")
def remove_closed_day(calendar_id: int, closed_day_id: int):
    from platform_support.forms import EmptyForm

    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        moved = sla_admin.remove_closed_day(calendar_id, closed_day_id, now=utcnow())
    except NotFound:
        abort(404)
    _moved(moved)
    return redirect(url_for("business_hours.edit", calendar_id=calendar_id))
