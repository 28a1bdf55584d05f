"""The database schema: every table the App and the reconcile dispatcher share.

Table and column names of DESIGN.md §4 (`repositories`, `repository_compositions`,
`repository_doc_sources`, `flow_events`, `multi_repo_mode`) are kept verbatim. These are SQLAlchemy
Core tables: the data-access modules build statements from them and hand out frozen domain values,
never rows. The migrations in `app/store/migrations/versions/` are written out by hand and must
describe exactly this schema (a test compares the two on both databases).
"""

from __future__ import annotations

import sqlalchemy as sa

from app.store._sql import BigIntPK, JSONType, UTCDateTime
from resolver.naming import REPOSITORY_ROLES

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

MULTI_REPO_MODES = ("off", "preview", "enforced")
COMPOSITION_STATUSES = ("pending", "ready", "failed")
JOB_STATUSES = ("pending", "running", "succeeded", "dead", "superseded")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", UTCDateTime(), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", UTCDateTime(), nullable=False, server_default=sa.func.now()),
    ]


installations = sa.Table(
    "installations",
    metadata,
    # GitHub's installation id: assigned by GitHub, never by us.
    sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("account_login", sa.String(255), nullable=False),
    sa.Column("account_type", sa.String(32), nullable=False, server_default="Organization"),
    sa.Column("suspended_at", UTCDateTime(), nullable=True),
    *_timestamps(),
)

projects = sa.Table(
    "projects",
    metadata,
    sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(255), nullable=False, unique=True),
    sa.Column(
        "installation_id",
        sa.BigInteger(),
        sa.ForeignKey("installations.id", ondelete="SET NULL"),
        nullable=True,
        index=True,
    ),
    sa.Column("multi_repo_mode", sa.String(16), nullable=False, server_default="preview"),
    *_timestamps(),
    sa.CheckConstraint(_in("multi_repo_mode", MULTI_REPO_MODES), name="multi_repo_mode"),
)

repositories = sa.Table(
    "repositories",
    metadata,
    sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
    sa.Column(
        "project_id",
        sa.BigInteger(),
        sa.ForeignKey("projects.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column(
        "installation_id",
        sa.BigInteger(),
        sa.ForeignKey("installations.id", ondelete="SET NULL"),
        nullable=True,
    ),
    sa.Column("provider", sa.String(32), nullable=False, server_default="github"),
    sa.Column("external_id", sa.String(64), nullable=True),
    sa.Column("owner", sa.String(255), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column(
        "services_yaml_path", sa.String(1024), nullable=False, server_default="services.yaml"
    ),
    sa.Column("alias", sa.String(255), nullable=False),
    sa.Column("role", sa.String(16), nullable=False, server_default="service"),
    sa.Column("default_ref", sa.String(255), nullable=False, server_default="main"),
    sa.Column("docs_root_path", sa.String(1024), nullable=True),
    *_timestamps(),
    sa.UniqueConstraint("project_id", "alias"),
    sa.CheckConstraint(_in("role", REPOSITORY_ROLES), name="role"),
    sa.CheckConstraint("alias <> ''", name="alias_not_empty"),
    sa.Index("ix_repositories_provider_owner_name", "provider", "owner", "name"),
    sa.Index("ix_repositories_provider_external_id", "provider", "external_id"),
)

repository_compositions = sa.Table(
    "repository_compositions",
    metadata,
    sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
    sa.Column(
        "project_id",
        sa.BigInteger(),
        sa.ForeignKey("projects.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("environment", sa.String(255), nullable=False),
    sa.Column("composition_key", sa.String(255), nullable=False),
    # NULL means a virtual root (DESIGN.md §3 case B).
    sa.Column("root_repository_alias", sa.String(255), nullable=True),
    sa.Column("resolved_repositories_json", JSONType, nullable=False),
    sa.Column("effective_manifest_json", JSONType, nullable=True),
    sa.Column("effective_manifest_hash", sa.String(128), nullable=True),
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("error_message", sa.Text(), nullable=True),
    sa.Column("correlation_id", sa.String(128), nullable=True),
    *_timestamps(),
    sa.UniqueConstraint(
        "project_id", "environment", "composition_key", name="uq_repository_compositions_key"
    ),
    sa.CheckConstraint(_in("status", COMPOSITION_STATUSES), name="status"),
    sa.Index(
        "ix_repository_compositions_project_id_environment_updated_at",
        "project_id",
        "environment",
        "updated_at",
    ),
)

repository_doc_sources = sa.Table(
    "repository_doc_sources",
    metadata,
    sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
    sa.Column(
        "project_id",
        sa.BigInteger(),
        sa.ForeignKey("projects.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("repository_alias", sa.String(255), nullable=False),
    sa.Column("path", sa.String(1024), nullable=False),
    sa.Column("description", sa.Text(), nullable=False, server_default=""),
    sa.Column("roles_json", JSONType, nullable=False),
    sa.Column("optional", sa.Boolean(), nullable=False, server_default=sa.false()),
    # Lower = shown first.
    sa.Column("priority", sa.Integer(), nullable=False, server_default="0"),
    *_timestamps(),
    sa.UniqueConstraint("project_id", "repository_alias", "path"),
)

# Append-only: the initial migration installs triggers that reject UPDATE, DELETE (and, on
# PostgreSQL, TRUNCATE). No function in the store changes or removes an event.
flow_events = sa.Table(
    "flow_events",
    metadata,
    sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
    sa.Column("correlation_id", sa.String(128), nullable=False),
    sa.Column("actor_type", sa.String(32), nullable=False),
    sa.Column("actor_id", sa.String(255), nullable=False, server_default=""),
    sa.Column("event_type", sa.String(128), nullable=False),
    sa.Column("payload", JSONType, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False, server_default=sa.func.now()),
    sa.Index("ix_flow_events_correlation_id_id", "correlation_id", "id"),
    sa.Index("ix_flow_events_event_type_created_at", "event_type", "created_at"),
)

webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
    # X-GitHub-Delivery; GitHub re-uses it when a delivery is redelivered.
    sa.Column("delivery_id", sa.String(128), nullable=False, unique=True),
    sa.Column("event", sa.String(64), nullable=False),
    sa.Column("action", sa.String(64), nullable=True),
    # No foreign key: a delivery may arrive before (or after) its installation row.
    sa.Column("installation_id", sa.BigInteger(), nullable=True),
    sa.Column("payload", JSONType, nullable=False),
    sa.Column("received_at", UTCDateTime(), nullable=False, server_default=sa.func.now()),
    sa.Column("outcome", sa.String(32), nullable=False, server_default="received"),
    sa.Column("outcome_detail", sa.Text(), nullable=True),
    sa.Column("processed_at", UTCDateTime(), nullable=True),
    sa.Index("ix_webhook_deliveries_received_at", "received_at"),
)

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
    sa.Column("queue", sa.String(64), nullable=False, server_default="default"),
    sa.Column("kind", sa.String(128), nullable=False),
    sa.Column("payload", JSONType, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("idempotency_key", sa.String(255), nullable=True, unique=True),
    sa.Column("coalesce_key", sa.String(255), nullable=True),
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("max_attempts", sa.Integer(), nullable=False, server_default="5"),
    sa.Column("run_after", UTCDateTime(), nullable=False, server_default=sa.func.now()),
    # Fencing: a fresh random token per claim; heartbeat/complete/fail must present it.
    sa.Column("lease_token", sa.String(64), nullable=True),
    sa.Column("lease_expires_at", UTCDateTime(), nullable=True),
    sa.Column("locked_by", sa.String(255), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("correlation_id", sa.String(128), nullable=True),
    sa.Column("superseded_by", sa.BigInteger(), nullable=True),
    *_timestamps(),
    sa.Column("finished_at", UTCDateTime(), nullable=True),
    sa.CheckConstraint(_in("status", JOB_STATUSES), name="status"),
    sa.CheckConstraint("max_attempts >= 1", name="max_attempts_positive"),
    sa.Index("ix_jobs_queue_status_run_after", "queue", "status", "run_after"),
    sa.Index("ix_jobs_status_lease_expires_at", "status", "lease_expires_at"),
    sa.Index("ix_jobs_coalesce_key_status", "coalesce_key", "status"),
    # At most one pending job per coalescing key: a newer one supersedes the older.
    sa.Index(
        "uq_jobs_pending_coalesce_key",
        "coalesce_key",
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    ),
)

check_runs = sa.Table(
    "check_runs",
    metadata,
    sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
    # The provider's stable repository id (GitHub's numeric id as text): survives renames.
    sa.Column("repository_external_id", sa.String(64), nullable=False),
    sa.Column("head_sha", sa.String(64), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("pull_number", sa.Integer(), nullable=True),
    sa.Column("check_run_id", sa.BigInteger(), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("conclusion", sa.String(32), nullable=True),
    sa.Column("body_hash", sa.String(128), nullable=True),
    *_timestamps(),
    sa.UniqueConstraint("repository_external_id", "head_sha", "name"),
)

comments = sa.Table(
    "comments",
    metadata,
    sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
    sa.Column("repository_external_id", sa.String(64), nullable=False),
    sa.Column("pull_number", sa.Integer(), nullable=False),
    # Which sticky comment this is; one per (repository, pull request, purpose).
    sa.Column("purpose", sa.String(64), nullable=False, server_default="summary"),
    sa.Column("comment_id", sa.BigInteger(), nullable=False),
    sa.Column("head_sha", sa.String(64), nullable=True),
    sa.Column("body_hash", sa.String(128), nullable=True),
    *_timestamps(),
    sa.UniqueConstraint("repository_external_id", "pull_number", "purpose"),
)
