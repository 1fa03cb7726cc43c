"""Configuration read from the environment. Nothing else in the app reads os.environ.

`read_environment(environ)` reads and checks every variable; a bad value (not a number, out of
range, an unknown choice, a bad CIDR network or URL) stops start-up with one message that names
each bad variable and what it accepts, instead of failing later inside a request.
"""
from __future__ import annotations

import ipaddress
import os
import re
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent
DEFAULT_INSTANCE = ROOT / "instance"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigError(ValueError):
    """One or more environment variables have values the app cannot run with."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid configuration:\n  " + "\n  ".join(problems))


class _Environment:
    """Typed readers over the environment; every problem is collected so one start-up names all."""

    def __init__(self, environ: Mapping[str, str]):
        self.environ = environ
        self.problems: list[str] = []

    def _raw(self, name: str) -> str | None:
        raw = self.environ.get(name)
        return None if raw is None or raw.strip() == "" else raw.strip()

    def _refuse(self, name: str, raw: str, allowed: str, *, secret: bool = False) -> None:
        shown = "(hidden)" if secret else repr(raw[:80])
        self.problems.append(f"{name}={shown} is not valid: {allowed}")

    def text(self, name: str, default: str | None = None) -> str | None:
        raw = self.environ.get(name)
        return default if raw is None or raw == "" else raw

    def integer(self, name: str, default: int, minimum: int | None = None, maximum: int | None = None) -> int:
        raw = self._raw(name)
        if raw is None:
            return default
        bounds = (f"an integer from {minimum} to {maximum}" if minimum is not None and maximum is not None
                  else f"an integer of at least {minimum}" if minimum is not None else "an integer")
        try:
            value = int(raw)
        except ValueError:
            self._refuse(name, raw, f"use {bounds}")
            return default
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self._refuse(name, raw, f"use {bounds}")
            return default
        return value

    def boolean(self, name: str, default: bool | None) -> bool | None:
        raw = self._raw(name)
        if raw is None:
            return default
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        self._refuse(name, raw, "use one of 1, true, yes, on, 0, false, no, off")
        return default

    def choice(self, name: str, default: str, choices: tuple[str, ...], *, case: str = "lower") -> str:
        raw = self._raw(name)
        if raw is None:
            return default
        value = raw.lower() if case == "lower" else raw.upper()
        if value not in choices:
            self._refuse(name, raw, "use one of " + ", ".join(choices))
            return default
        return value

    def url(self, name: str, default: str | None, schemes: tuple[str, ...], *, secret: bool = False) -> str | None:
        raw = self._raw(name)
        if raw is None:
            return default
        parts = urlsplit(raw)
        if parts.scheme.lower() not in schemes or not (parts.netloc or parts.path):
            self._refuse(name, raw, "use a URL starting with " + " or ".join(f"{s}://" for s in schemes), secret=secret)
            return default
        return raw

    def database_url(self, name: str, default: str | None) -> str | None:
        raw = self._raw(name)
        if raw is None:
            return default
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        allowed = "use a SQLAlchemy URL starting with sqlite:/// or postgresql+psycopg://"
        try:
            backend = make_url(raw).get_backend_name()
        except (ArgumentError, ValueError):
            self._refuse(name, raw, allowed, secret=True)
            return default
        if backend not in ("sqlite", "postgresql"):
            self._refuse(name, raw, allowed, secret=True)
            return default
        return raw

    def networks(self, name: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        raw = self._raw(name)
        if raw is None:
            return ()
        try:
            return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in raw.split(",") if part.strip())
        except ValueError:
            self._refuse(name, raw, "use a comma-separated list of CIDR networks, e.g. 10.0.0.0/8,::1/128")
            return ()

    def rate_limit(self, name: str, default: str) -> str:
        raw = self._raw(name)
        if raw is None:
            return default
        from limits import parse_many

        try:
            parse_many(raw)
        except ValueError:
            self._refuse(name, raw, "use Flask-Limiter rates such as '10 per minute;100 per day'")
            return default
        return raw

    def pattern(self, name: str, default: str, regex: str, allowed: str) -> str:
        raw = self._raw(name)
        if raw is None:
            return default
        if not re.fullmatch(regex, raw):
            self._refuse(name, raw, allowed)
            return default
        return raw


    def fernet_keys(self, name: str) -> str | None:
        """Comma-separated Fernet keys (urlsafe base64 of 32 bytes), newest first; None when unset."""
        import base64
        import binascii

        raw = self._raw(name)
        if raw is None:
            return None
        for part in raw.split(","):
            try:
                ok = len(base64.urlsafe_b64decode(part.strip().encode("ascii"))) == 32 and len(part.strip()) == 44
            except (binascii.Error, ValueError, UnicodeError):
                ok = False
            if not ok:
                self._refuse(name, raw, "comma-separated Fernet keys (44 characters each, newest first)", secret=True)
                return None
        return raw


def read_environment(environ: Mapping[str, str]) -> dict[str, object]:
    """Every setting that comes from the environment, checked; raises ConfigError naming the bad ones."""
    env = _Environment(environ)
    instance = Path(env.text("INSTANCE_PATH") or DEFAULT_INSTANCE)
    base_url = (env.url("BASE_URL", "http://127.0.0.1:5000", ("http", "https")) or "").rstrip("/")
    redis_url = env.url("REDIS_URL", None, ("redis", "rediss", "unix"), secret=True)
    cookie_secure = bool(env.boolean("SESSION_COOKIE_SECURE", base_url.startswith("https://")))
    settings: dict[str, object] = dict(
        INSTANCE_PATH=instance,
        ENV_NAME=env.choice("APP_ENV", "development", ("development", "production")),
        SQLALCHEMY_DATABASE_URI=env.database_url("DATABASE_URL", f"sqlite:///{instance / 'complaints.sqlite3'}"),
        SECRET_KEY=env.text("SECRET_KEY"),
        BASE_URL=base_url,
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed
        # (werkzeug's ProxyFix); 0 = the app faces the clients directly.
        TRUSTED_PROXIES=env.integer("TRUSTED_PROXIES", 0, 0, 10),

        SMTP_HOST=env.text("SMTP_HOST"),
        SMTP_PORT=env.integer("SMTP_PORT", 25, 1, 65535),
        SMTP_USERNAME=env.text("SMTP_USERNAME"),
        SMTP_PASSWORD=env.text("SMTP_PASSWORD"),
        SMTP_STARTTLS=bool(env.boolean("SMTP_STARTTLS", False)),
        SMTP_TIMEOUT=env.integer("SMTP_TIMEOUT", 20, 1, 600),
        # Connections one delivery pass opens in parallel for a large batch (most of a connection's
        # time is spent waiting for the relay's replies).
        SMTP_CONNECTIONS=env.integer("SMTP_CONNECTIONS", 4, 1, 64),
        MAIL_FROM=env.pattern("MAIL_FROM", "complaints@localhost", r"[^@\s<>]+@[^@\s<>]+",
                              "use a bare e-mail address such as care@example.com"),
        # Delivery retries: attempt n waits RETRY_BASE * 2**(n-1) seconds; parked after MAX attempts.
        MAIL_MAX_ATTEMPTS=env.integer("MAIL_MAX_ATTEMPTS", 8, 1, 50),
        MAIL_RETRY_BASE_SECONDS=env.integer("MAIL_RETRY_BASE_SECONDS", 60, 1),
        # A claimed row whose worker died is picked up again after this lease.
        WORKER_LEASE_SECONDS=env.integer("WORKER_LEASE_SECONDS", 300, 10),
        WORKER_BATCH_SIZE=env.integer("WORKER_BATCH_SIZE", 200, 1, 10000),
        # /readyz reports the worker as stale when its last heartbeat is older than this.
        WORKER_HEARTBEAT_STALE_SECONDS=env.integer("WORKER_HEARTBEAT_STALE_SECONDS", 300, 30),

        # Outgoing webhooks: private/loopback/link-local targets are refused unless allowed here.
        # Keys for values encrypted at rest (webhook secrets; platform_support/encryption.py).
        # Unset: one key derived from SECRET_KEY with HKDF.
        ENCRYPTION_KEY=env.fernet_keys("ENCRYPTION_KEY"),
        # Single sign-on with OpenID Connect (staff/oidc.py): on when all three are set.
        OIDC_ISSUER=env.url("OIDC_ISSUER", None, ("https", "http")),
        OIDC_CLIENT_ID=env.text("OIDC_CLIENT_ID"),
        OIDC_CLIENT_SECRET=env.text("OIDC_CLIENT_SECRET"),
        OIDC_PROVIDER_NAME=env.text("OIDC_PROVIDER_NAME", "single sign-on"),
        # Off: a verified e-mail without a staff account is refused. On: an agent account is made.
        OIDC_CREATE_ACCOUNTS=bool(env.boolean("OIDC_CREATE_ACCOUNTS", False)),
        # Off: no password form and no password sign-in (SSO only; the CLI still works).
        LOCAL_LOGIN_ENABLED=bool(env.boolean("LOCAL_LOGIN_ENABLED", True)),
        WEBHOOK_ALLOW_PRIVATE=bool(env.boolean("WEBHOOK_ALLOW_PRIVATE", False)),
        WEBHOOK_TIMEOUT_SECONDS=env.integer("WEBHOOK_TIMEOUT_SECONDS", 10, 1, 120),
        WEBHOOK_MAX_ATTEMPTS=env.integer("WEBHOOK_MAX_ATTEMPTS", 8, 1, 50),
        WEBHOOK_RETRY_BASE_SECONDS=env.integer("WEBHOOK_RETRY_BASE_SECONDS", 60, 1),

        REDIS_URL=redis_url,
        RATELIMIT_STORAGE_URI=redis_url or "memory://",
        RATELIMIT_ENABLED=bool(env.boolean("RATELIMIT_ENABLED", True)),
        COMPLAINT_RATE_LIMIT=env.rate_limit("COMPLAINT_RATE_LIMIT", "10 per minute;100 per day"),
        LOGIN_RATE_LIMIT=env.rate_limit("LOGIN_RATE_LIMIT", "10 per minute"),
        PUBLIC_RATE_LIMIT=env.rate_limit("PUBLIC_RATE_LIMIT", "60 per minute"),
        # Answers through a survey's public link (receipts, counters) per client address.
        PUBLIC_SURVEY_RATE_LIMIT=env.rate_limit("PUBLIC_SURVEY_RATE_LIMIT", "5 per hour"),
        API_AUTH_RATE_LIMIT=env.rate_limit("API_AUTH_RATE_LIMIT", "20 per minute"),  # failed bearer tokens
        # Per account (staff/throttle.py): this many failed sign-ins within the window lock it for a while.
        LOGIN_ACCOUNT_MAX_FAILURES=env.integer("LOGIN_ACCOUNT_MAX_FAILURES", 5, 1, 1000),
        LOGIN_ACCOUNT_WINDOW_SECONDS=env.integer("LOGIN_ACCOUNT_WINDOW_SECONDS", 900, 1),
        LOGIN_ACCOUNT_LOCK_SECONDS=env.integer("LOGIN_ACCOUNT_LOCK_SECONDS", 900, 1),
        # Password-reset links: valid at most an hour; requests per client address; every request
        # answered no sooner than this (known and unknown addresses alike).
        PASSWORD_RESET_SECONDS=env.integer("PASSWORD_RESET_SECONDS", 3600, 60, 3600),
        PASSWORD_RESET_RATE_LIMIT=env.rate_limit("PASSWORD_RESET_RATE_LIMIT", "5 per 15 minutes"),
        PASSWORD_RESET_ANSWER_MS=env.integer("PASSWORD_RESET_ANSWER_MS", 200, 0, 5000),

        # None: decided by the entry point (the `serve` command turns it on; gunicorn never does).
        SCHEDULER_ENABLED=env.boolean("SCHEDULER_ENABLED", None),

        # Operations: logs, metrics.
        LOG_LEVEL=env.choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"), case="upper"),
        LOG_FORMAT=env.choice("LOG_FORMAT", "text", ("text", "json")),
        METRICS_TOKEN=env.text("METRICS_TOKEN"),
        METRICS_ALLOWED_NETWORKS=env.networks("METRICS_ALLOWED_NETWORKS"),
        # Where the request-latency histograms of several web processes (gunicorn -w N) meet;
        # prometheus-client reads the same variable itself (it must be set before the process starts).
        PROMETHEUS_MULTIPROC_DIR=env.text("PROMETHEUS_MULTIPROC_DIR"),

        # Where attachment content lives (platform_support/file_store.py): rows in the database (any
        # number of web hosts, no shared disk) or files under INSTANCE_PATH/uploads.
        ATTACHMENT_STORE=env.choice("ATTACHMENT_STORE", "database", ("database", "filesystem")),
        UPLOAD_MAX_BYTES=env.integer("UPLOAD_MAX_BYTES", 5 * 1024 * 1024, 1024),
        UPLOAD_MAX_FILES=env.integer("UPLOAD_MAX_FILES", 5, 0, 100),
        # Whole request cap: files plus form fields.
        MAX_CONTENT_LENGTH=env.integer("MAX_CONTENT_LENGTH", 26 * 1024 * 1024, 64 * 1024),
        MAX_FORM_MEMORY_SIZE=env.integer("MAX_FORM_MEMORY_SIZE", 2 * 1024 * 1024, 64 * 1024),

        SESSION_COOKIE_SECURE=cookie_secure,
        REMEMBER_COOKIE_SECURE=cookie_secure,
        PERMANENT_SESSION_LIFETIME=env.integer("SESSION_ABSOLUTE_SECONDS", 12 * 3600, 60),
        SESSION_IDLE_SECONDS=env.integer("SESSION_IDLE_SECONDS", 30 * 60, 60),

        # Complaint handling defaults (SLA targets per priority are admin-editable rows).
        # The public form and the API refuse a complaint without an intake category (when some exist).
        COMPLAINT_CATEGORY_REQUIRED=env.boolean("COMPLAINT_CATEGORY_REQUIRED", False),
        ESCALATION_INTERVAL_SECONDS=env.integer("ESCALATION_INTERVAL_SECONDS", 60, 1),
        OUTBOX_INTERVAL_SECONDS=env.integer("OUTBOX_INTERVAL_SECONDS", 10, 1),

        # Surveys and follow-ups.
        SURVEY_DELAY_HOURS=env.integer("SURVEY_DELAY_HOURS", 24, 0),
        SURVEY_REMINDER_DAYS=env.integer("SURVEY_REMINDER_DAYS", 3, 1),
        SURVEY_TOKEN_DAYS=env.integer("SURVEY_TOKEN_DAYS", 30, 1),
        SURVEY_CAP_DAYS=env.integer("SURVEY_CAP_DAYS", 30, 0),
        RELATIONSHIP_SURVEY_PERIOD_DAYS=env.integer("RELATIONSHIP_SURVEY_PERIOD_DAYS", 91, 1),
        SURVEY_MIN_N=env.integer("SURVEY_MIN_N", 30, 1),

        # Reports (issue 4): how often the pre-aggregated tables are refreshed, and the SLA compliance
        # (% of complaints answered/resolved on time) under which the trend check raises an alert.
        REPORT_REFRESH_SECONDS=env.integer("REPORT_REFRESH_SECONDS", 600, 10),
        SLA_COMPLIANCE_TARGET=env.integer("SLA_COMPLIANCE_TARGET", 90, 0, 100),
        THEMES_INTERVAL_SECONDS=env.integer("THEMES_INTERVAL_SECONDS", 3600, 60),  # the theme job (reports.themes)
        AUTOMATED_MESSAGES_PER_MONTH=env.integer("AUTOMATED_MESSAGES_PER_MONTH", 4, 0),

        # Segmentation (issue 3). ABC: A = customers making the top ABC_A_SHARE % of last-12-months
        # revenue, B = the next ABC_B_SHARE %, C = the rest; then adjusted by frequency and tenure.
        ABC_A_SHARE=env.integer("ABC_A_SHARE", 80, 1, 100),
        ABC_B_SHARE=env.integer("ABC_B_SHARE", 15, 0, 99),
        ABC_FREQUENT_ORDERS=env.integer("ABC_FREQUENT_ORDERS", 12, 1),   # B buying this often for 2+ years → A
        DIFFICULT_COMPLAINTS=env.integer("DIFFICULT_COMPLAINTS", 3, 1),  # complaints or late payments in 12 months
        CLIENT_ORDERS_12M=env.integer("CLIENT_ORDERS_12M", 6, 1),        # "regular" client: orders in 12 months
        # Revenue is summed in CURRENCY; an order in another currency counts with its rate from
        # EXCHANGE_RATES ("PLN=0.23,USD=0.92": one unit in CURRENCY), and without one it counts as
        # an order but adds no revenue (never 100 PLN + 100 EUR = 200).
        CURRENCY=env.pattern("CURRENCY", "EUR", r"[A-Z]{3}", "a three-letter currency code like EUR"),
        EXCHANGE_RATES=env.pattern("EXCHANGE_RATES", "", r"([A-Z]{3}=\d{1,9}(\.\d{1,9})?)(,[A-Z]{3}=\d{1,9}(\.\d{1,9})?)*",
                                   "comma-separated CODE=rate pairs like PLN=0.23,USD=0.92"),
        INACTIVE_DAYS=env.integer("INACTIVE_DAYS", 365, 1),
        FORMER_DAYS=env.integer("FORMER_DAYS", 730, 1),
        # Privacy (issue 13): a file whose last activity (orders, complaints, answers, contacts, its
        # creation) is older than this is proposed for erasure.
        RETENTION_MONTHS=env.integer("RETENTION_MONTHS", 36, 1, 1200),
        SEGMENTS_RECOMPUTE_HOUR=env.integer("SEGMENTS_RECOMPUTE_HOUR", 2, 0, 23),  # nightly, UTC
        GREETINGS_INTERVAL_MINUTES=env.integer("GREETINGS_INTERVAL_MINUTES", 15, 1, 1440),
        # Seasonal greetings (customers/holiday_greetings.py): the country whose holidays a customer
        # file without its own country (and whose language names none) follows; empty: New Year only.
        DEFAULT_COUNTRY=env.pattern("DEFAULT_COUNTRY", "", r"[A-Z]{2}", "a two-letter country code like PL"),
        # … and how many days before the holiday the greeting may go (e.g. on a weekend or outside the
        # customer's preferred days the first allowed moment in this window is used).
        HOLIDAY_GREETING_LEAD_DAYS=env.integer("HOLIDAY_GREETING_LEAD_DAYS", 2, 0, 14),
        # The weekly manager digest (reports/digest.py): the weekday (0 = Monday) and UTC hour from
        # which the past week's digest goes to the managers who asked for it.
        DIGEST_WEEKDAY=env.integer("DIGEST_WEEKDAY", 0, 0, 6),
        DIGEST_HOUR=env.integer("DIGEST_HOUR", 7, 0, 23),
        # PostgreSQL work_mem for the recompute transaction only: its GROUP BY and window sort over
        # all customers stay in memory instead of spilling to disk.
        RECOMPUTE_WORK_MEM=env.pattern("RECOMPUTE_WORK_MEM", "256MB", r"[1-9][0-9]*(kB|MB|GB)",
                                       "use a PostgreSQL memory size such as 64MB, 256MB or 1GB"),

        # The look (issue 16): the name in the header of every page and e-mail (empty: "Customer care"
        # in the reader's language) and the e-mail accent colour (#rrggbb; white text must stay
        # readable on it: a contrast of at least 4.5:1, checked below).
        BRAND_NAME=(env.pattern("BRAND_NAME", "", r"[^\x00-\x1f\x7f<>]{0,60}",
                                "use up to 60 characters, no angle brackets or control characters") or "").strip(),
        BRAND_COLOR=env.pattern("BRAND_COLOR", "#1d4f91", r"#[0-9a-fA-F]{6}", "use a colour such as #1d4f91").lower(),

        # E-mail in (issue 15): where customers write and reply (None: MAIL_FROM, see finalise), and
        # the mailbox the worker polls. INBOUND_PLUS_TOKENS: Reply-To local+<signed token>@domain
        # (the mail server must deliver local+… to local, e.g. Postfix recipient_delimiter = +).
        INBOUND_ADDRESS=env.pattern("INBOUND_ADDRESS", "", r"([^@\s<>]+@[^@\s<>]+)?",
                                    "use an e-mail address such as care@example.com") or None,
        INBOUND_PLUS_TOKENS=bool(env.boolean("INBOUND_PLUS_TOKENS", False)),
        IMAP_HOST=env.text("IMAP_HOST"),
        IMAP_PORT=env.integer("IMAP_PORT", 993, 1, 65535),
        IMAP_USERNAME=env.text("IMAP_USERNAME"),
        IMAP_PASSWORD=env.text("IMAP_PASSWORD"),
        IMAP_FOLDER=env.text("IMAP_FOLDER", "INBOX"),
        IMAP_SSL=bool(env.boolean("IMAP_SSL", True)),
        IMAP_TIMEOUT=env.integer("IMAP_TIMEOUT", 30, 1, 600),
        IMAP_INTERVAL_SECONDS=env.integer("IMAP_INTERVAL_SECONDS", 60, 1),
        INBOUND_MAX_BYTES=env.integer("INBOUND_MAX_BYTES", 25 * 1024 * 1024, 64 * 1024),
        INBOUND_MAX_HEADER_BYTES=env.integer("INBOUND_MAX_HEADER_BYTES", 64 * 1024, 4096),
        # Automatic e-mails (acknowledgements of e-mailed complaints) per address and hour: ends any loop.
        INBOUND_AUTO_REPLIES_PER_HOUR=env.integer("INBOUND_AUTO_REPLIES_PER_HOUR", 5, 0),
        # A reply reopens a resolved complaint within REOPEN_DAYS; later it opens a new, linked one.
        REOPEN_DAYS=env.integer("REOPEN_DAYS", 30, 0),
        # Business hours (issue 17): the owner is warned when this share of an SLA target's
        # business time has passed (0: no warnings).
        SLA_WARNING_PERCENT=env.integer("SLA_WARNING_PERCENT", 75, 0, 99),
        # A complaint waiting for the customer's answer this many days is resolved (0: never).
        WAITING_AUTO_CLOSE_DAYS=env.integer("WAITING_AUTO_CLOSE_DAYS", 14, 0, 365),

        TEST_DATABASE_URL=env.database_url("TEST_DATABASE_URL", None),
    )
    if settings["ABC_A_SHARE"] + settings["ABC_B_SHARE"] > 100:
        env.problems.append(f"ABC_A_SHARE + ABC_B_SHARE = {settings['ABC_A_SHARE'] + settings['ABC_B_SHARE']} "
                            "is not valid: the two shares together are at most 100")
    if contrast_with_white(settings["BRAND_COLOR"]) < 4.5:
        env.problems.append(f"BRAND_COLOR={settings['BRAND_COLOR']} is not valid: white text on it is hard to read "
                            f"(contrast {contrast_with_white(settings['BRAND_COLOR']):.1f}:1, at least 4.5:1 needed); "
                            "use a darker colour such as #1d4f91")
    if env.problems:
        raise ConfigError(env.problems)
    return settings


def contrast_with_white(colour: str) -> float:
    """WCAG 2.1 contrast ratio of white text on `colour` (#rrggbb)."""
    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
    red, green, blue = (channel(colour[i:i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return 1.05 / (luminance + 0.05)


# The exit status of a refused start-up: 3 is what gunicorn's master reads as "a worker failed to
# boot" and stops on (any other status would have it start new workers forever).
EXIT_BAD_CONFIGURATION = 3


def stop_start_up(message: str):
    """Start-up ends here with the message alone on stderr (no traceback to read through)."""
    sys.stderr.write(f"complaint-care: {message}\n")
    sys.stderr.flush()
    raise SystemExit(EXIT_BAD_CONFIGURATION)


def _environment_or_exit() -> dict[str, object]:
    try:
        return read_environment(os.environ)
    except ConfigError as error:
        stop_start_up(str(error))


ENVIRONMENT = _environment_or_exit()


def _local_secret_key(instance: Path) -> str:
    """Generated once per local instance so a newcomer's run needs no setup."""
    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


class Config:
    # Every environment-derived setting (read_environment) becomes a class attribute below.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    RATELIMIT_HEADERS_ENABLED = True

    LANGUAGES = ("en", "pl", "ru", "ro", "cs")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    @classmethod
    def finalise(cls, settings: dict) -> dict:
        """Fill in what depends on other settings (called by the factory)."""
        if not settings.get("SECRET_KEY"):
            if settings.get("ENV_NAME") == "production":
                stop_start_up("invalid configuration:\n  SECRET_KEY must be set when APP_ENV=production")
            settings["SECRET_KEY"] = _local_secret_key(Path(settings["INSTANCE_PATH"]))
        if not settings.get("INBOUND_ADDRESS"):
            settings["INBOUND_ADDRESS"] = settings["MAIL_FROM"]
        return settings


for _name, _value in ENVIRONMENT.items():
    setattr(Config, _name, _value)


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
    TRUSTED_PROXIES = 0
    LOG_FORMAT = "text"
    METRICS_TOKEN = None
    METRICS_ALLOWED_NETWORKS = ()
    # The test database comes from the fixtures, never from DATABASE_URL.
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    # Cheap Argon2id for fixtures only (still argon2id; production keeps the memory-hard defaults).
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_COST = 1024
    PASSWORD_HASH_PARALLELISM = 1
    PASSWORD_RESET_ANSWER_MS = 0  # tests never wait; bench/password_reset_timing.py measures it


def config_for_environment():
    return ProductionConfig if ENVIRONMENT["ENV_NAME"] == "production" else Config
