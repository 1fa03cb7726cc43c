"""Managers import customers or orders from a spreadsheet in the browser: the same import as
`flask --app wsgi import customers|orders FILE.csv` (customers/imports.py), with the upload's
progress shown while the file is sent and the report — encoding and separator found, counts,
the rejected rows with reasons as a download — when it is done."""
from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template
from flask_login import current_user

from customers.forms import ImportForm
from customers.imports import import_file
from extensions import db
from platform_support import file_store
from platform_support.clock import utcnow
from platform_support.spreadsheets import FIELD_MAX
from staff.auth import role_required

blueprint = Blueprint("customer_imports", __name__, url_prefix="/staff/customers/import")


@blueprint.route("/", methods=["GET", "POST"])
@role_required("manager")
def upload():
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("customers/import.html", form=form, summary=None), 200 if not form.errors else 400
    with tempfile.TemporaryDirectory(dir=current_app.instance_path) as folder:
        path = Path(folder) / "upload.csv"
        form.file.data.save(str(path))
        rejected_path = Path(folder) / "rejected.csv"
        try:
            summary = import_file(form.kind.data, path, now=utcnow(), rejected_path=rejected_path)
        except ValueError as exc:
            form.file.errors = [str(exc)]
            return render_template("customers/import.html", form=form, summary=None), 400
        rejected_name = None
        if summary.rejected_path:
            # Kept like an attachment (any web host can serve it); the name is random and the
            # download is for managers only.
            rejected_name = file_store.save(rejected_path.read_bytes(), "csv")
            db.session.commit()
    current_app.logger.info("import of %s by %s: %s read, %s rejected", summary.kind, current_user.email,
                            summary.read, summary.rejected)
    return render_template("customers/import.html", form=ImportForm(formdata=None), summary=summary,
                           rejected_name=rejected_name, field_max_kb=FIELD_MAX // 1024)


@blueprint.route("/rejected/<name>.csv")
@role_required("manager")
def rejected(name: str):
    try:
        content = file_store.read(f"{name}.csv")
    except FileNotFoundError:
        abort(404)
    return Response(content, mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="rejected-rows.csv"', "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff"})


