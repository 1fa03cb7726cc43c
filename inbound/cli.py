"""`flask mail ingest [FILE]` (one raw message from FILE or standard input, e.g. an MTA pipe) and
`flask mail poll` (one IMAP pass)."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from inbound.ingest import ingest
from inbound.mailbox import imap_configured, poll
from platform_support.clock import cli_now
from platform_support.database import write_intent

mail_cli = AppGroup("mail", help="E-mail in: ingest one message, poll the mailbox.")


@mail_cli.command("ingest")
@click.argument("file", type=click.File("rb"), required=False)
@click.option("--now", "now_text", default=None, help="ISO-8601 moment to process it at (default: now)")
def ingest_command(file, now_text: str | None) -> None:
    """Process one raw RFC 5322 message exactly like a fetched one; print what became of it."""
    raw = (file or sys.stdin.buffer).read()
    with write_intent():
        outcome = ingest(raw, source="pipe", now=cli_now(now_text))
    click.echo(outcome.line())


@mail_cli.command("poll")
@click.option("--now", "now_text", default=None, help="ISO-8601 moment to process at (default: now)")
def poll_command(now_text: str | None) -> None:
    """Fetch and process what is new in IMAP_FOLDER once."""
    if not imap_configured():
        raise click.ClickException("IMAP_HOST is not set")
    with write_intent():
        report = poll(now=cli_now(now_text))
    summary = ", ".join(f"{kind} {count}" for kind, count in sorted(report.outcomes.items())) or "nothing new"
    click.echo(f"fetched {report.fetched}: {summary}")
    if report.error:
        raise click.ClickException(report.error)
