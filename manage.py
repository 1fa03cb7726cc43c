#!/usr/bin/env python3
"""The two commands of the README.

    python3 manage.py run     install into .venv, migrate the SQLite database under instance/,
                              create a local staff login, load demo data into an empty
                              database (unless --no-demo), start the server and the scheduler
    python3 manage.py test    install into .venv and run the whole test suite
    python3 manage.py i18n    extract every marked text into translations/messages.pot, merge it
                              into the en/pl/ru/ro/cs catalogues and compile them

Needs only Python 3.11+ and access to the package registry (or a pip cache).
"""
from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
INSTANCE = ROOT / "instance"
LOCAL_LOGIN = INSTANCE / "local-staff-login.txt"


def _run(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=ROOT, env={**os.environ, **(env or {})}, check=check)


def ensure_installed() -> None:
    """Create .venv and install the project with its test extras; skipped when nothing changed."""
    if not PYTHON.exists():
        print("creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / ".installed"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != wanted:
        print("installing dependencies into .venv …", flush=True)
        _run(str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        _run(str(PYTHON), "-m", "pip", "install", "--quiet", "-e", ".[test]")
        stamp.write_text(wanted)
    compile_translations()


def compile_translations() -> None:
    catalogues = list((ROOT / "translations").glob("*/LC_MESSAGES/messages.po"))
    if catalogues:
        # -q is a global option of pybabel: it goes before the command.
        _run(str(BIN / "pybabel"), "-q", "compile", "-d", str(ROOT / "translations"), check=False)


LANGUAGES = ("en", "pl", "ru", "ro", "cs")
TRANSLATIONS = ROOT / "translations"


def _pybabel() -> list[str]:
    """pybabel of this interpreter when it has Babel (a developer's own venv), else of .venv."""
    try:
        import babel  # noqa: F401
    except ImportError:
        ensure_installed()
        return [str(PYTHON), "-m", "babel.messages.frontend"]
    return [sys.executable, "-m", "babel.messages.frontend"]


def command_i18n(args: list[str]) -> int:
    """Extract → update (or init a new language) → compile. Afterwards translate the new or
    fuzzy entries in translations/<lang>/LC_MESSAGES/messages.po; tests/i18n fails until done."""
    pybabel = _pybabel()
    pot = TRANSLATIONS / "messages.pot"
    TRANSLATIONS.mkdir(exist_ok=True)
    _run(*pybabel, "extract", "-F", "babel.cfg", "-k", "lazy_gettext", "-k", "_l", "-k", "lazy_ngettext:1,2", "-k", "lazy_pgettext:1c,2", "-c", "TRANSLATORS:",
         "--sort-by-file", "--project", "complaint-care", "-o", str(pot), ".")
    for language in LANGUAGES:
        exists = (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").exists()
        # No fuzzy matching: a guessed translation of a changed text can carry the wrong
        # placeholders; an untranslated entry simply shows the English text until translated.
        options = ["update", "--no-fuzzy-matching", "--ignore-obsolete"] if exists else ["init"]
        _run(*pybabel, *options, "-i", str(pot), "-d", str(TRANSLATIONS), "-l", language)
    _run(*pybabel, "compile", "--statistics", "-d", str(TRANSLATIONS))
    return 0


def flask(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return _run(str(BIN / "flask"), "--app", "wsgi", *args, env=env, check=check)


def ensure_local_login() -> tuple[str, str]:
    """A staff login for this local instance, created once and remembered under instance/."""
    if LOCAL_LOGIN.exists():
        email, password = LOCAL_LOGIN.read_text().split("\n")[:2]
        return email, password
    email, password = "admin@example.com", secrets.token_urlsafe(12)
    flask("staff", "create", email, "--name", "Local Admin", "--role", "admin", "--password", password)
    INSTANCE.mkdir(exist_ok=True)
    LOCAL_LOGIN.write_text(f"{email}\n{password}\n")
    LOCAL_LOGIN.chmod(0o600)
    return email, password


def command_run(args: list[str]) -> int:
    port = args[args.index("--port") + 1] if "--port" in args else "5000"
    ensure_installed()
    INSTANCE.mkdir(exist_ok=True)
    flask("db", "upgrade")
    email, password = ensure_local_login()
    if "--no-demo" not in args:
        # A newcomer's first run: an empty database gets 18 months of demo data so every page
        # and chart has something to show (the command does nothing once there is data).
        print("loading demo data into the empty database (skip with --no-demo) …", flush=True)
        flask("demo", "seed", "--if-empty", check=False)
    url = f"http://127.0.0.1:{port}"
    print("\n" + "=" * 64)
    print(f"  Customer complaint form:  {url}/complain")
    print(f"  Staff sign-in:            {url}/staff/login")
    print(f"  Staff login:              {email} / {password}")
    print("  (mail stays in the outbox: see Sent mail in the staff menu)")
    print("=" * 64 + "\n", flush=True)
    env = {"SCHEDULER_ENABLED": "1", "BASE_URL": os.environ.get("BASE_URL", url)}
    try:
        return flask("serve", "--port", port, env=env, check=False).returncode
    except KeyboardInterrupt:
        return 0


def command_test(args: list[str]) -> int:
    ensure_installed()
    return _run(str(PYTHON), "-m", "pytest", *args, check=False).returncode


def main() -> int:
    command, rest = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if command == "run":
        return command_run(rest)
    if command == "test":
        return command_test(rest)
    if command == "i18n":
        return command_i18n(rest)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
