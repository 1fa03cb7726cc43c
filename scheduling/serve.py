"""`flask serve`: the development server with the scheduler in-process (the README's run command).

Lives beside the scheduler it starts; gunicorn never runs this, so web workers never schedule.
"""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from scheduling.runner import build_scheduler


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@with_appcontext
def serve_command(host: str, port: int) -> None:
    """Serve the app and run the scheduler in this process (SCHEDULER_ENABLED=0 turns it off)."""
    app = current_app._get_current_object()
    if app.config.get("SCHEDULER_ENABLED") is not False:
        scheduler = build_scheduler(app, blocking=False)
        scheduler.start()
        click.echo("scheduler running in this process")
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
