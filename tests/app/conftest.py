"""Fixtures for the App's tests: the store's databases (SQLite and PostgreSQL), the async test
runner, the fake GitHub, and a served app (`tests.app.helpers.served`)."""

from __future__ import annotations

from tests.fakes.github import fake_github
from tests.store.conftest import (
    db,
    pg_cluster,
    pg_database,
    pytest_pyfunc_call,
    sqlite_template,
)

__all__ = [
    "db",
    "fake_github",
    "pg_cluster",
    "pg_database",
    "pytest_pyfunc_call",
    "sqlite_template",
]
