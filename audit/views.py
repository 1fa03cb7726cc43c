"""Admins read the audit log and export it as CSV."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from audit import queries
from platform_support.parsing import bounded_int
from platform_support.clock import utcnow
from platform_support.spreadsheets import csv_download
from staff.auth import role_required

blueprint = Blueprint("audit", __name__, url_prefix="/admin/audit")


@blueprint.route("/")
@role_required("admin")
def log():
    before = request.args.get("before", "")
    actor = request.args.get("actor", "")[:254]
    entries = queries.page(before_id=bounded_int(before, minimum=1), actor=actor)
    return render_template("audit/log.html", entries=entries, actor=actor,
                           next_before=entries[-1].id if len(entries) == 100 else None)


@blueprint.route("/export.csv")
@role_required("admin")
def export():
    app = current_app._get_current_object()

    def rows():
        # The body is sent after the view returned: each batch opens (and closes) its own app
        # context, so no context is held across a yield.
        last_id = 0
        while last_id is not None:
            with app.app_context():
                batch, last_id = queries.rows_after(last_id)
            yield from batch

    return csv_download(f"audit-{utcnow():%Y%m%d-%H%M%S}.csv", list(queries.CSV_COLUMNS), rows(), keep_context=False)
