"""Configuration read from the environment. Nothing else in the app reads os.environ."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DEFAULT_INSTANCE = ROOT / "instance"


def _bool(name: str, default: bool | None = None) -> bool | None:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _local_secret_key(instance: Path) -> str:
    """Generated once per local instance so a newcomer's run needs no setup."""
    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


class Config:
    INSTANCE_PATH = Path(os.environ.get("INSTANCE_PATH") or DEFAULT_INSTANCE)
    ENV_NAME = os.environ.get("APP_ENV", "development")

    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_PATH / 'complaints.sqlite3'}"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    BASE_URL = (os.environ.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/")

    SMTP_HOST = os.environ.get("SMTP_HOST") or None
    SMTP_PORT = _int("SMTP_PORT", 25)
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME") or None
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD") or None
    SMTP_STARTTLS = bool(_bool("SMTP_STARTTLS", False))
    SMTP_TIMEOUT = _int("SMTP_TIMEOUT", 20)
    # Connections one delivery pass opens in parallel for a large batch (most of a connection's
    # time is spent waiting for the relay's replies).
    SMTP_CONNECTIONS = _int("SMTP_CONNECTIONS", 4)
    MAIL_FROM = os.environ.get("MAIL_FROM") or "complaints@localhost"
    # Delivery retries: attempt n waits RETRY_BASE * 2**(n-1) seconds; parked after MAX attempts.
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 8)
    MAIL_RETRY_BASE_SECONDS = _int("MAIL_RETRY_BASE_SECONDS", 60)
    # A claimed row whose worker died is picked up again after this lease.
    WORKER_LEASE_SECONDS = _int("WORKER_LEASE_SECONDS", 300)
    WORKER_BATCH_SIZE = _int("WORKER_BATCH_SIZE", 200)

    # Outgoing webhooks: private/loopback/link-local targets are refused unless allowed here.
    WEBHOOK_ALLOW_PRIVATE = bool(_bool("WEBHOOK_ALLOW_PRIVATE", False))
    WEBHOOK_TIMEOUT_SECONDS = _int("WEBHOOK_TIMEOUT_SECONDS", 10)
    WEBHOOK_MAX_ATTEMPTS = _int("WEBHOOK_MAX_ATTEMPTS", 8)
    WEBHOOK_RETRY_BASE_SECONDS = _int("WEBHOOK_RETRY_BASE_SECONDS", 60)

    REDIS_URL = os.environ.get("REDIS_URL") or None
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = bool(_bool("RATELIMIT_ENABLED", True))
    COMPLAINT_RATE_LIMIT = os.environ.get("COMPLAINT_RATE_LIMIT") or "10 per minute;100 per day"
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT") or "10 per minute"
    PUBLIC_RATE_LIMIT = os.environ.get("PUBLIC_RATE_LIMIT") or "60 per minute"
    API_AUTH_RATE_LIMIT = os.environ.get("API_AUTH_RATE_LIMIT") or "20 per minute"  # failed bearer tokens

    # None: decided by the entry point (the `serve` command turns it on; gunicorn never does).
    SCHEDULER_ENABLED = _bool("SCHEDULER_ENABLED", None)

    LANGUAGES = ("en", "pl", "ru", "ro", "cs")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")

    UPLOAD_MAX_BYTES = _int("UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
    UPLOAD_MAX_FILES = _int("UPLOAD_MAX_FILES", 5)
    # Whole request cap: files plus form fields.
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 26 * 1024 * 1024)
    MAX_FORM_MEMORY_SIZE = _int("MAX_FORM_MEMORY_SIZE", 2 * 1024 * 1024)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = bool(_bool("SESSION_COOKIE_SECURE", BASE_URL.startswith("https://")))
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PERMANENT_SESSION_LIFETIME = _int("SESSION_ABSOLUTE_SECONDS", 12 * 3600)
    SESSION_IDLE_SECONDS = _int("SESSION_IDLE_SECONDS", 30 * 60)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Complaint handling defaults (SLA targets per priority are admin-editable rows).
    ESCALATION_INTERVAL_SECONDS = _int("ESCALATION_INTERVAL_SECONDS", 60)
    OUTBOX_INTERVAL_SECONDS = _int("OUTBOX_INTERVAL_SECONDS", 10)

    # Surveys and follow-ups.
    SURVEY_DELAY_HOURS = _int("SURVEY_DELAY_HOURS", 24)
    SURVEY_REMINDER_DAYS = _int("SURVEY_REMINDER_DAYS", 3)
    SURVEY_TOKEN_DAYS = _int("SURVEY_TOKEN_DAYS", 30)
    SURVEY_CAP_DAYS = _int("SURVEY_CAP_DAYS", 30)
    RELATIONSHIP_SURVEY_PERIOD_DAYS = _int("RELATIONSHIP_SURVEY_PERIOD_DAYS", 91)
    SURVEY_MIN_N = _int("SURVEY_MIN_N", 30)

    # Reports (issue 4): how often the pre-aggregated tables are refreshed, and the SLA compliance
    # (% of complaints answered/resolved on time) under which the trend check raises an alert.
    REPORT_REFRESH_SECONDS = _int("REPORT_REFRESH_SECONDS", 600)
    SLA_COMPLIANCE_TARGET = _int("SLA_COMPLIANCE_TARGET", 90)
    AUTOMATED_MESSAGES_PER_MONTH = _int("AUTOMATED_MESSAGES_PER_MONTH", 4)

    # Segmentation (issue 3). ABC: A = customers making the top ABC_A_SHARE % of last-12-months
    # revenue, B = the next ABC_B_SHARE %, C = the rest; then adjusted by frequency and tenure.
    ABC_A_SHARE = _int("ABC_A_SHARE", 80)
    ABC_B_SHARE = _int("ABC_B_SHARE", 15)
    ABC_FREQUENT_ORDERS = _int("ABC_FREQUENT_ORDERS", 12)   # B buying this often for 2+ years → A
    DIFFICULT_COMPLAINTS = _int("DIFFICULT_COMPLAINTS", 3)  # complaints or late payments in 12 months
    CLIENT_ORDERS_12M = _int("CLIENT_ORDERS_12M", 6)        # "regular" client: orders in 12 months
    INACTIVE_DAYS = _int("INACTIVE_DAYS", 365)
    FORMER_DAYS = _int("FORMER_DAYS", 730)
    SEGMENTS_RECOMPUTE_HOUR = _int("SEGMENTS_RECOMPUTE_HOUR", 2)  # nightly, UTC
    GREETINGS_INTERVAL_MINUTES = _int("GREETINGS_INTERVAL_MINUTES", 15)
    # PostgreSQL work_mem for the recompute transaction only: its GROUP BY and window sort over
    # all customers stay in memory instead of spilling to disk.
    RECOMPUTE_WORK_MEM = os.environ.get("RECOMPUTE_WORK_MEM") or "256MB"

    @classmethod
    def finalise(cls, settings: dict) -> dict:
        """Fill in what depends on other settings (called by the factory)."""
        if not settings.get("SECRET_KEY"):
            if settings.get("ENV_NAME") == "production":
                raise RuntimeError("SECRET_KEY must be set in production")
            settings["SECRET_KEY"] = _local_secret_key(Path(settings["INSTANCE_PATH"]))
        return settings


class ProductionConfig(Config):
    ENV_NAME = "production"


class TestConfig(Config):
    TESTING = True
    ENV_NAME = "testing"
    SECRET_KEY = "test-secret-key-not-for-production"
    SMTP_HOST = None
    SCHEDULER_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    BASE_URL = "http://localhost"
    # The test database comes from the fixtures, never from DATABASE_URL.
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or None
    # Cheap Argon2id for fixtures only (still argon2id; production keeps the memory-hard defaults).
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_COST = 1024
    PASSWORD_HASH_PARALLELISM = 1


def config_for_environment():
    return ProductionConfig if os.environ.get("APP_ENV") == "production" else Config
