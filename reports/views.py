"""The dashboard: one page of filters and alerts, one JSON and one CSV endpoint per chart, the
click-through lists and the streamed exports. Thin: parse the filter, call reports functions."""
from __future__ import annotations

from flask import (Blueprint, abort, flash, jsonify, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required
from sqlalchemy import func, select

from extensions import db

from platform_support.clock import utcnow
from platform_support.errors import ServiceError
from platform_support.parsing import bounded_int
from platform_support.spreadsheets import csv_download
from reports import alerts, complaint_stats, exports, segment_queries, themes
from reports.filters import ReportFilter, parse_filter
from reports.models import Theme, ThemeMention
from reports.registry import SECTIONS, chart_for, charts_for
from staff.auth import role_required
from surveys.alerts import loop_times

blueprint = Blueprint("reports", __name__, url_prefix="/staff/reports")


def _filter_or_error():
    """(filter, None) or (None, message) — bad filter input is a clear message, never a 500."""
    try:
        return parse_filter(request.args, actor=current_user, now=utcnow()), None
    except ServiceError as exc:
        return None, exc


@blueprint.route("/")
@login_required
def dashboard():
    found, error = _filter_or_error()
    if error is not None:
        flash(error.message, "error")
        found = parse_filter({}, actor=current_user, now=utcnow())
    return render_template(
        "reports/dashboard.html", filters=found, charts=charts_for(current_user),
        alerts=[alerts.shown(a) for a in alerts.recent_alerts()] if current_user.is_manager else [],
        owners=complaint_stats.owner_choices() if current_user.is_manager else [],
        root_causes=complaint_stats.root_cause_choices(), segments=segment_queries.segment_choices(),
        categories=complaint_stats.category_choices(), custom_fields=complaint_stats.custom_field_choices(),
        query_args=found.query_args(), SECTIONS=SECTIONS, loops=loop_times(current_user, now=utcnow()),
        themes=themes.dashboard_themes(current_user, utcnow()))


def _chart_or_404(name: str, found: ReportFilter):
    spec = chart_for(name, current_user)
    if spec is None:
        abort(404)
    return spec.compute(found, utcnow())


@blueprint.route("/charts/<name>.json")
@login_required
def chart_json(name: str):
    found, error = _filter_or_error()
    if error is not None:
        return jsonify({"error": error.message, "fields": error.fields}), 400
    return jsonify(_chart_or_404(name, found).as_json())


@blueprint.route("/charts/<name>.csv")
@login_required
def chart_csv(name: str):
    found, error = _filter_or_error()
    if error is not None:
        flash(error.message, "error")
        return redirect(url_for("reports.dashboard"))
    chart = _chart_or_404(name, found)
    return csv_download(f"{chart.name}.csv", chart.columns, chart.rows)


@blueprint.route("/root-causes/<code>")
@login_required
def root_cause_complaints(code: str):
    found, error = _filter_or_error()
    if error is not None:
        flash(error.message, "error")
        return redirect(url_for("reports.dashboard"))
    complaints = complaint_stats.complaints_with_root_cause(found, code[:50], actor=current_user)
    names = dict(complaint_stats.root_cause_choices())
    if code not in names:
        abort(404)
    return render_template("reports/root_cause.html", complaints=complaints, code=code, name=names[code],
                           filters=found, query_args=found.query_args())


@blueprint.route("/themes/<int:theme_id>")
@login_required
def theme_detail(theme_id: int):
    """A theme's texts that the reader may see, newest first, each linked to its complaint."""
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        abort(404)
    page = bounded_int(request.args.get("page"), minimum=1, maximum=9999) or 1  # '²'.isdigit() is true
    condition = themes.visibility(current_user)
    total = db.session.scalar(select(func.count(ThemeMention.id)).where(ThemeMention.theme_id == theme.id, condition))
    if not total:
        abort(404)  # nothing the reader may see: as if it were not there
    per_page = 50
    found = themes.quotes(theme.id, condition, limit=per_page, offset=(page - 1) * per_page)
    return render_template("reports/theme.html", theme=theme, quotes=found,
                           phrases=themes.phrases_for(theme, current_user, condition), total=total, page=page,
                           pages=(total + per_page - 1) // per_page)


@blueprint.route("/transitions")
@role_required("manager")
def transition_customers():
    segmentation = (request.args.get("segmentation") or "abc")[:40]
    from_value = (request.args.get("from_segment") or "")[:40]
    to_value = (request.args.get("to_segment") or "")[:40]
    movers = segment_queries.movers(segmentation, from_value, to_value)
    return render_template("reports/transitions.html", movers=movers, segmentation=segmentation,
                           from_value=from_value, to_value=to_value)


@blueprint.route("/exports/<kind>.csv")
@role_required("manager")
def export(kind: str):
    make_rows = exports.EXPORTS.get(kind)
    if make_rows is None:
        abort(404)
    found, error = _filter_or_error()
    if error is not None:
        flash(error.message, "error")
        return redirect(url_for("reports.dashboard"))
    header, rows = make_rows(found, actor=current_user)
    return csv_download(f"{kind}-{found.start.isoformat()}-{found.end.isoformat()}.csv", header, rows)
