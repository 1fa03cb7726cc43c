"""Admin → Teams: who belongs to which team, its lead, its working hours, who is away (issue 17)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from calendars.models import Calendar
from extensions import db
from platform_support.clock import utcnow
from platform_support.errors import NotFound, ServiceError
from staff import team_services
from staff.auth import role_required
from staff.models import StaffUser
from staff.team_forms import AwayForm, TeamForm

blueprint = Blueprint("staff_teams", __name__, url_prefix="/admin/teams")


def _choices(form: TeamForm) -> None:
    people = list(db.session.scalars(select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.name)))
    form.lead_id.choices = [(0, _("— no lead —"))] + [(p.id, p.name) for p in people]
    form.member_ids.choices = [(p.id, f"{p.name} ({p.email})") for p in people]
    calendars = db.session.scalars(select(Calendar).order_by(Calendar.is_default.desc(), Calendar.name))
    form.calendar_id.choices = [(0, _("The default calendar"))] + [(c.id, c.name) for c in calendars]


def _save(form: TeamForm, team_id: int | None):
    try:
        team = team_services.save_team(name=form.name.data, lead_id=form.lead_id.data or None,
                                       calendar_id=form.calendar_id.data or None, member_ids=form.member_ids.data,
                                       active=form.active.data, team_id=team_id)
    except ServiceError as exc:
        db.session.rollback()
        for name, messages in exc.fields.items():
            if name in form:
                form[name].errors = list(messages)
        flash(exc.message, "error")
        return None
    flash(_("Team saved."), "success")
    return redirect(url_for("staff_teams.edit", team_id=team.id))


@blueprint.route("/", methods=["GET", "POST"])
@role_required("admin")
def teams():
    form = TeamForm()
    _choices(form)
    if form.validate_on_submit():
        done = _save(form, None)
        if done:
            return done
    return render_template("staff/teams.html", teams=team_services.all_teams(), form=form, today=utcnow().date())


@blueprint.route("/<int:team_id>", methods=["GET", "POST"])
@role_required("admin")
def edit(team_id: int):
    try:
        team = team_services.get_team(team_id)
    except NotFound:
        abort(404)
    form = TeamForm(obj=team) if not TeamForm().is_submitted() else TeamForm()
    _choices(form)
    if not form.is_submitted():
        form.lead_id.data = team.lead_id or 0
        form.calendar_id.data = team.calendar_id or 0
        form.member_ids.data = [m.staff_user_id for m in team.memberships]
    if form.validate_on_submit():
        done = _save(form, team.id)
        if done:
            return done
    away_forms = {m.staff_user_id: AwayForm(prefix=f"m{m.staff_user_id}", away=m.away, away_until=m.away_until)
                  for m in team.memberships}
    return render_template("staff/team_edit.html", team=team, form=form, away_forms=away_forms, today=utcnow().date())


@blueprint.route("/<int:team_id>/members/<int:staff_user_id>/away", methods=["POST"])
@role_required("admin")
def away(team_id: int, staff_user_id: int):
    form = AwayForm(prefix=f"m{staff_user_id}")
    if not form.validate_on_submit():
        flash(_("Enter a valid date."), "error")
        return redirect(url_for("staff_teams.edit", team_id=team_id))
    try:
        team_services.set_away(team_id, staff_user_id, away=form.away.data, until=form.away_until.data,
                               today=utcnow().date())
    except NotFound:
        abort(404)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        flash(_("Saved."), "success")
    return redirect(url_for("staff_teams.edit", team_id=team_id))


