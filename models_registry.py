"""Imports every domain's models so SQLAlchemy's metadata (and Alembic) sees all tables."""
import audit.models  # noqa: F401
import complaints.models  # noqa: F401
import complaints.staging  # noqa: F401
import complaints.status_counts  # noqa: F401
import customers.models  # noqa: F401
import notifications.models  # noqa: F401
import platform_support.job_requests  # noqa: F401
import staff.models  # noqa: F401
import staff.teams  # noqa: F401
import calendars.models  # noqa: F401
import surveys.models  # noqa: F401
import webhooks.models  # noqa: F401
import inbound.models  # noqa: F401
import reports.models  # noqa: F401
import operations.models  # noqa: F401
import platform_support.file_store  # noqa: F401
