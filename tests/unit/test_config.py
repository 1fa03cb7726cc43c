"""config.read_environment: every bad value is refused with a message naming the variable and
what it accepts; start-up (importing the app) stops with that message and no traceback."""
from __future__ import annotations

import ipaddress
import subprocess
import sys
from pathlib import Path

import pytest

from config import ConfigError, read_environment

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_need_no_environment():
    settings = read_environment({})
    assert settings["TRUSTED_PROXIES"] == 0
    assert settings["LOG_FORMAT"] == "text" and settings["LOG_LEVEL"] == "INFO"
    assert settings["METRICS_ALLOWED_NETWORKS"] == ()
    assert settings["SMTP_PORT"] == 25
    assert str(settings["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite:///")


def test_good_values_are_read_and_typed():
    settings = read_environment({
        "SMTP_PORT": "587", "SMTP_STARTTLS": "yes", "LOG_LEVEL": "debug", "LOG_FORMAT": "JSON",
        "METRICS_ALLOWED_NETWORKS": "10.0.0.0/8, ::1/128", "TRUSTED_PROXIES": "2",
        "DATABASE_URL": "postgresql+psycopg://u:p@db/care", "BASE_URL": "https://care.example.com/",
        "REDIS_URL": "redis://redis:6379/0", "COMPLAINT_RATE_LIMIT": "5 per minute;50 per day"})
    assert settings["SMTP_PORT"] == 587 and settings["SMTP_STARTTLS"] is True
    assert settings["LOG_LEVEL"] == "DEBUG" and settings["LOG_FORMAT"] == "json"
    assert settings["METRICS_ALLOWED_NETWORKS"] == (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1/128"))
    assert settings["TRUSTED_PROXIES"] == 2
    assert settings["BASE_URL"] == "https://care.example.com"
    assert settings["SESSION_COOKIE_SECURE"] is True  # follows an https BASE_URL
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://redis:6379/0"


@pytest.mark.parametrize("name, value, allowed", [
    ("SMTP_PORT", "abc", "an integer from 1 to 65535"),
    ("SMTP_PORT", "70000", "an integer from 1 to 65535"),
    ("TRUSTED_PROXIES", "-1", "an integer from 0 to 10"),
    ("SLA_COMPLIANCE_TARGET", "101", "an integer from 0 to 100"),
    ("WORKER_BATCH_SIZE", "1.5", "an integer from 1 to 10000"),
    ("SMTP_STARTTLS", "maybe", "one of 1, true, yes, on, 0, false, no, off"),
    ("LOG_LEVEL", "LOUD", "one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ("LOG_FORMAT", "xml", "one of text, json"),
    ("APP_ENV", "prod", "one of development, production"),
    ("METRICS_ALLOWED_NETWORKS", "10.0.0.0/33", "CIDR networks"),
    ("METRICS_ALLOWED_NETWORKS", "10.0.0.0/8,intranet", "CIDR networks"),
    ("BASE_URL", "ftp://care.example.com", "http:// or https://"),
    ("BASE_URL", "care.example.com", "http:// or https://"),
    ("REDIS_URL", "http://redis:6379", "redis://"),
    ("DATABASE_URL", "mysql://u:p@db/care", "sqlite:/// or postgresql+psycopg://"),
    ("DATABASE_URL", "not a url", "sqlite:/// or postgresql+psycopg://"),
    ("COMPLAINT_RATE_LIMIT", "lots", "Flask-Limiter rates"),
    ("RECOMPUTE_WORK_MEM", "a lot", "PostgreSQL memory size"),
    ("MAIL_FROM", "care", "e-mail address"),
    ("WAITING_AUTO_CLOSE_DAYS", "366", "an integer from 0 to 365"),
    ("WAITING_AUTO_CLOSE_DAYS", "two weeks", "an integer from 0 to 365"),
    ("REOPEN_DAYS", "-1", "an integer of at least 0"),
])
def test_a_bad_value_names_the_variable_and_what_it_accepts(name, value, allowed):
    with pytest.raises(ConfigError) as raised:
        read_environment({name: value})
    assert len(raised.value.problems) == 1
    problem = raised.value.problems[0]
    assert problem.startswith(f"{name}=") and allowed in problem


def test_every_bad_variable_is_named_at_once_and_secrets_are_not_echoed():
    with pytest.raises(ConfigError) as raised:
        read_environment({"SMTP_PORT": "x", "DATABASE_URL": "mysql://admin:hunter2@db/x", "ABC_A_SHARE": "90",
                          "ABC_B_SHARE": "20"})
    text = str(raised.value)
    assert "SMTP_PORT" in text and "DATABASE_URL" in text and "ABC_A_SHARE + ABC_B_SHARE" in text
    assert "hunter2" not in text


def test_start_up_stops_with_the_message_and_no_traceback(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "INSTANCE_PATH": str(tmp_path), "SMTP_PORT": "twenty-five"}
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 3  # gunicorn's 'worker failed to boot': its master stops too
    assert "SMTP_PORT='twenty-five' is not valid: use an integer from 1 to 65535" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_without_a_secret_key_stops_start_up(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "INSTANCE_PATH": str(tmp_path), "APP_ENV": "production"}
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 3  # gunicorn's 'worker failed to boot': its master stops too
    assert "SECRET_KEY must be set when APP_ENV=production" in result.stderr and "Traceback" not in result.stderr


def test_every_variable_is_in_the_readme_configuration_table():
    import re

    names = set(re.findall(r'env\.\w+\(\s*"([A-Z][A-Z0-9_]+)"', (ROOT / "config.py").read_text()))
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration"):readme.index("## Command line")]
    assert len(names) > 50  # the pattern still finds the readers
    assert sorted(name for name in names if f"`{name}`" not in table) == []


def test_config_is_the_only_reader_of_the_environment():
    import re

    readers = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {"tests", "bench", "scripts", ".venv", "migrations"} or relative.name in {"config.py", "manage.py"}:
            continue
        if re.search(r"os\.environ|os\.getenv|getenv\(", path.read_text(encoding="utf-8")):
            readers.append(str(relative))
    assert readers == []
