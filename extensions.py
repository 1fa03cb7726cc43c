"""Flask extensions, created unbound and bound by the factory. Imports nothing from the app."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.orm import DeclarativeBase


def _sqlite_from_hint(compiler, table, text):
    """SQLite's `INDEXED BY name` after a table, written with `Select.with_hint(table, "INDEXED BY
    name", "sqlite")` (SQLAlchemy renders from-hints only for dialects that define this hook, and
    its SQLite dialect does not; complaints.queries uses it where SQLite's planner sorts instead
    of walking a partial index)."""
    return text


SQLiteCompiler.get_from_hint_text = _sqlite_from_hint


class Base(DeclarativeBase):
    # Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
