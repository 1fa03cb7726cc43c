"""unit/ holds tests without a database: a test here asking for one is put in the wrong folder."""
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parent
DATABASE_FIXTURES = {"database_url", "app", "db_session", "client", "browser", "staff", "runner", "mail_app"}


def pytest_collection_modifyitems(items):
    for item in items:
        if UNIT in Path(item.path).resolve().parents:
            wanted = DATABASE_FIXTURES.intersection(item.fixturenames)
            if wanted:
                raise pytest.UsageError(f"{item.nodeid} uses {sorted(wanted)}: tests with a database "
                                        "belong in tests/services/ (or web/, cli/), not tests/unit/")
