"""The application factory: create_app(config) made of small register_* steps."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, g, has_request_context, request, session

from config import ROOT, Config, config_for_environment
from extensions import babel, csrf, db, limiter, login_manager, migrate

BLUEPRINTS = (
    "staff.views:blueprint",
    "staff.security_views:blueprint",
    "staff.token_views:blueprint",
    "staff.sso_views:blueprint",
    "staff.settings_views:blueprint",
    "complaints.public_views:blueprint",
    "complaints.staff_views:blueprint",
    "complaints.canned_views:blueprint",
    "complaints.admin_views:blueprint",
    "complaints.rules_admin_views:blueprint",
    "complaints.classification_views:blueprint",
    "complaints.calendar_views:blueprint",
    "staff.team_views:blueprint",
    "notifications.views:blueprint",
    "api.views:blueprint",
    "api.customers_api:blueprint",
    "customers.views:blueprint",
    "customers.import_views:blueprint",
    "surveys.views:blueprint",
    "surveys.staff_views:blueprint",
    "api.surveys_api:blueprint",
    "audit.views:blueprint",
    "webhooks.views:blueprint",
    "reports.views:blueprint",
    "operations.views:blueprint",
    "inbound.views:blueprint",
)

CLI_COMMANDS = (
    "staff.cli:staff_cli",
    "webhooks.cli:webhooks_cli",
    "scheduling.cli:jobs_cli",
    "scheduling.cli:worker_command",
    "scheduling.serve:serve_command",
    "complaints.cli:root_causes_cli",
    "complaints.sla_cli:sla_cli",
    "reports.cli:reports_cli",
    "demo.cli:demo_cli",
    "customers.cli:segments_cli",
    "customers.cli:import_cli",
    "inbound.cli:mail_cli",
)


def create_app(config: type[Config] | dict | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(Config.INSTANCE_PATH), instance_relative_config=False)
    _load_config(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    register_operations(app)
    register_request_hooks(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_signal_receivers(app)
    return app


def _load_config(app: Flask, config) -> None:
    base = config_for_environment() if config is None else config
    if isinstance(base, dict):
        settings = {k: getattr(Config, k) for k in dir(Config) if k.isupper()}
        settings.update(base)
    else:
        settings = {k: getattr(base, k) for k in dir(base) if k.isupper()}
    settings = Config.finalise(settings)
    app.config.from_mapping(settings)
    app.instance_path = str(settings["INSTANCE_PATH"])
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    from operations.logs import configure_logging
    configure_logging(settings["LOG_LEVEL"], settings["LOG_FORMAT"])


def _import(path: str):
    module_name, _sep, attribute = path.partition(":")
    module = __import__(module_name, fromlist=[attribute])
    return getattr(module, attribute)


def register_extensions(app: Flask) -> None:
    from platform_support.database import configure_sqlite

    if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        # A pre-ping guards against a server that dropped the connection; a SQLite file has no
        # server, so it would only cost a `SELECT 1` per checkout (two per complaint filing).
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {key: value for key, value in
                                                   app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}).items()
                                                   if key != "pool_pre_ping"}
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: g.get("timezone"))
    from platform_support.i18n import register as register_form_translations
    register_form_translations(app)  # WTForms' own messages in the customer's language too
    limiter.init_app(app)
    from staff.oidc import init_app as init_single_sign_on
    init_single_sign_on(app)  # OpenID Connect client, when OIDC_* are set
    with app.app_context():
        configure_sqlite(db.engine)
    import models_registry  # noqa: F401  all models known to SQLAlchemy and Alembic


STAFF_PATHS = ("/staff/", "/admin/")


def select_locale() -> str:
    """Staff pages: the language stored on the signed-in staff account (its switcher in the header
    menu). Otherwise the customer's explicit choice first (?lang=, then the session), then
    Accept-Language."""
    from flask import current_app
    from flask_login import current_user

    supported = current_app.config["LANGUAGES"]
    override = g.get("locale_override")
    if override in supported:
        return override
    if not has_request_context():  # jobs and CLI commands: messages in the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.path.startswith(STAFF_PATHS) and current_user.is_authenticated:
        if current_user.language in supported:
            return current_user.language
    requested = request.args.get("lang")
    if requested in supported:
        session["lang"] = requested
        return requested
    if session.get("lang") in supported:
        return session["lang"]
    return request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]


def register_blueprints(app: Flask) -> None:
    from platform_support.parsing import register as register_parsing

    register_parsing(app)  # bounded <int:…> converter and JSON bodies, before any rule exists
    for path in BLUEPRINTS:
        app.register_blueprint(_import(path))


def register_commands(app: Flask) -> None:
    for path in CLI_COMMANDS:
        app.cli.add_command(_import(path))


def register_operations(app: Flask) -> None:
    """Request ids and logs, request metrics, and the client address behind trusted proxies."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from operations import logs, metrics

    logs.register(app)
    metrics.register(app)
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        # remote_addr, scheme and host as the client sent them, so rate limits, the audit log and
        # absolute URLs see the client, not the proxy; only that many hops are believed.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_request_hooks(app: Flask) -> None:
    from platform_support.database import declare_write_intent, end_write_intent
    from platform_support.security import apply_security_headers

    @app.before_request
    def _declare_writes():
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            g.write_intent_token = declare_write_intent()

    @app.teardown_request
    def _end_writes(_exc):
        token = g.pop("write_intent_token", None)
        if token is not None:
            end_write_intent(token)

    app.after_request(apply_security_headers)

    from audit.recording import record_request
    from staff.sessions import ServerSessions

    app.session_interface = ServerSessions()  # staff sessions on the server, visitors' in a signed cookie

    from platform_support.security import refuse_nul_characters

    app.before_request(refuse_nul_characters)
    app.after_request(record_request)


def register_error_handlers(app: Flask) -> None:
    from platform_support.error_pages import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from customers.salutations import salutation
    from platform_support.templating import register

    register(app)
    app.jinja_env.globals["salutation"] = salutation  # e-mails greet customers in their language


_privacy_receivers: list = []  # blinker keeps weak references


def connect_privacy() -> None:
    """Erasure and export are answered by every package for its own data (customers.signals)."""
    if _privacy_receivers:
        return
    from audit import privacy as audit_privacy
    from complaints import privacy as complaint_privacy
    from inbound import privacy as inbound_privacy
    from customers import signals
    from notifications import privacy as mail_privacy
    from surveys import privacy as survey_privacy
    from webhooks import privacy as webhook_privacy

    complaint_privacy.connect()
    survey_privacy.connect()
    inbound_privacy.connect()
    for signal, receiver in ((signals.customer_erasing, mail_privacy.erase), (signals.customer_erasing, audit_privacy.erase),
                             (signals.customer_erasing, webhook_privacy.erase),
                             (signals.export_sections, mail_privacy.export), (signals.erasure_preview, mail_privacy.preview)):
        signal.connect(receiver)
        _privacy_receivers.append(receiver)


def register_signal_receivers(app: Flask) -> None:
    """Packages that react to other packages' signals connect here (once per process)."""
    from audit.receivers import connect as connect_audit
    from complaints.customer_file import connect as connect_complaints
    from complaints.triggers import connect as connect_triggers
    from notifications.staff_mail import connect as connect_staff_mail
    from surveys.receivers import connect as connect_surveys
    from webhooks.receivers import connect as connect_webhooks

    connect_audit()
    connect_complaints()
    connect_triggers()
    connect_staff_mail()
    connect_surveys()
    connect_webhooks()
    connect_privacy()
