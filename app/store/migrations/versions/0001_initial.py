"""Initial schema: installations, projects, repositories, compositions, doc sources, audit,
webhook deliveries, the job queue, and check-run / comment bookkeeping.

Written out by hand (not from `app.store.schema`), so that later changes to the schema module
never rewrite history. Must match `app.store.schema` exactly; tests compare the two.

Revision ID: 0001
Revises:
Create Date: 2024-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _ts(name: str, *, nullable: bool = False, default: bool = True) -> sa.Column[object]:
    return sa.Column(
        name,
        sa.DateTime(timezone=True),
        nullable=nullable,
        server_default=sa.func.now() if default else None,
    )


def _pk() -> sa.Column[object]:
    return sa.Column("id", _PK, primary_key=True, autoincrement=True)


def upgrade() -> None:
    op.create_table(
        "installations",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("account_login", sa.String(255), nullable=False),
        sa.Column("account_type", sa.String(32), nullable=False, server_default="Organization"),
        _ts("suspended_at", nullable=True, default=False),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_installations"),
    )

    op.create_table(
        "projects",
        _pk(),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("installation_id", sa.BigInteger(), nullable=True),
        sa.Column("multi_repo_mode", sa.String(16), nullable=False, server_default="preview"),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_projects"),
        sa.UniqueConstraint("name", name="uq_projects_name"),
        sa.ForeignKeyConstraint(
            ["installation_id"],
            ["installations.id"],
            name="fk_projects_installation_id_installations",
            ondelete="SET NULL",
        ),
        sa.CheckConstraint(
            "multi_repo_mode IN ('off', 'preview', 'enforced')",
            name="ck_projects_multi_repo_mode",
        ),
    )
    op.create_index("ix_projects_installation_id", "projects", ["installation_id"])

    op.create_table(
        "repositories",
        _pk(),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("installation_id", sa.BigInteger(), nullable=True),
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
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_repositories"),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name="fk_repositories_project_id_projects",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["installation_id"],
            ["installations.id"],
            name="fk_repositories_installation_id_installations",
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint("project_id", "alias", name="uq_repositories_project_id_alias"),
        sa.CheckConstraint(
            "role IN ('orchestrator', 'service', 'docs', 'mixed')", name="ck_repositories_role"
        ),
        sa.CheckConstraint("alias <> ''", name="ck_repositories_alias_not_empty"),
    )
    op.create_index(
        "ix_repositories_provider_owner_name", "repositories", ["provider", "owner", "name"]
    )
    op.create_index(
        "ix_repositories_provider_external_id", "repositories", ["provider", "external_id"]
    )

    op.create_table(
        "repository_compositions",
        _pk(),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("environment", sa.String(255), nullable=False),
        sa.Column("composition_key", sa.String(255), nullable=False),
        sa.Column("root_repository_alias", sa.String(255), nullable=True),
        sa.Column("resolved_repositories_json", _JSON, nullable=False),
        sa.Column("effective_manifest_json", _JSON, nullable=True),
        sa.Column("effective_manifest_hash", sa.String(128), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("correlation_id", sa.String(128), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_repository_compositions"),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name="fk_repository_compositions_project_id_projects",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "project_id",
            "environment",
            "composition_key",
            name="uq_repository_compositions_key",
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'ready', 'failed')", name="ck_repository_compositions_status"
        ),
    )
    op.create_index(
        "ix_repository_compositions_project_id_environment_updated_at",
        "repository_compositions",
        ["project_id", "environment", "updated_at"],
    )

    op.create_table(
        "repository_doc_sources",
        _pk(),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("repository_alias", sa.String(255), nullable=False),
        sa.Column("path", sa.String(1024), nullable=False),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("roles_json", _JSON, nullable=False),
        sa.Column("optional", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("priority", sa.Integer(), nullable=False, server_default="0"),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_repository_doc_sources"),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name="fk_repository_doc_sources_project_id_projects",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "project_id",
            "repository_alias",
            "path",
            name="uq_repository_doc_sources_project_id_repository_alias_path",
        ),
    )

    op.create_table(
        "flow_events",
        _pk(),
        sa.Column("correlation_id", sa.String(128), nullable=False),
        sa.Column("actor_type", sa.String(32), nullable=False),
        sa.Column("actor_id", sa.String(255), nullable=False, server_default=""),
        sa.Column("event_type", sa.String(128), nullable=False),
        sa.Column("payload", _JSON, nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_flow_events"),
    )
    op.create_index("ix_flow_events_correlation_id_id", "flow_events", ["correlation_id", "id"])
    op.create_index(
        "ix_flow_events_event_type_created_at", "flow_events", ["event_type", "created_at"]
    )
    _create_append_only_triggers()

    op.create_table(
        "webhook_deliveries",
        _pk(),
        sa.Column("delivery_id", sa.String(128), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=True),
        sa.Column("installation_id", sa.BigInteger(), nullable=True),
        sa.Column("payload", _JSON, nullable=False),
        _ts("received_at"),
        sa.Column("outcome", sa.String(32), nullable=False, server_default="received"),
        sa.Column("outcome_detail", sa.Text(), nullable=True),
        _ts("processed_at", nullable=True, default=False),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_deliveries"),
        sa.UniqueConstraint("delivery_id", name="uq_webhook_deliveries_delivery_id"),
    )
    op.create_index("ix_webhook_deliveries_received_at", "webhook_deliveries", ["received_at"])

    op.create_table(
        "jobs",
        _pk(),
        sa.Column("queue", sa.String(64), nullable=False, server_default="default"),
        sa.Column("kind", sa.String(128), nullable=False),
        sa.Column("payload", _JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("coalesce_key", sa.String(255), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("max_attempts", sa.Integer(), nullable=False, server_default="5"),
        _ts("run_after"),
        sa.Column("lease_token", sa.String(64), nullable=True),
        _ts("lease_expires_at", nullable=True, default=False),
        sa.Column("locked_by", sa.String(255), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("correlation_id", sa.String(128), nullable=True),
        sa.Column("superseded_by", sa.BigInteger(), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        _ts("finished_at", nullable=True, default=False),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
        sa.UniqueConstraint("idempotency_key", name="uq_jobs_idempotency_key"),
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'succeeded', 'dead', 'superseded')",
            name="ck_jobs_status",
        ),
        sa.CheckConstraint("max_attempts >= 1", name="ck_jobs_max_attempts_positive"),
    )
    op.create_index("ix_jobs_queue_status_run_after", "jobs", ["queue", "status", "run_after"])
    op.create_index("ix_jobs_status_lease_expires_at", "jobs", ["status", "lease_expires_at"])
    op.create_index("ix_jobs_coalesce_key_status", "jobs", ["coalesce_key", "status"])
    op.create_index(
        "uq_jobs_pending_coalesce_key",
        "jobs",
        ["coalesce_key"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    )

    op.create_table(
        "check_runs",
        _pk(),
        sa.Column("repository_external_id", sa.String(64), nullable=False),
        sa.Column("head_sha", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("pull_number", sa.Integer(), nullable=True),
        sa.Column("check_run_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("conclusion", sa.String(32), nullable=True),
        sa.Column("body_hash", sa.String(128), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_check_runs"),
        sa.UniqueConstraint(
            "repository_external_id",
            "head_sha",
            "name",
            name="uq_check_runs_repository_external_id_head_sha_name",
        ),
    )

    op.create_table(
        "comments",
        _pk(),
        sa.Column("repository_external_id", sa.String(64), nullable=False),
        sa.Column("pull_number", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False, server_default="summary"),
        sa.Column("comment_id", sa.BigInteger(), nullable=False),
        sa.Column("head_sha", sa.String(64), nullable=True),
        sa.Column("body_hash", sa.String(128), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_comments"),
        sa.UniqueConstraint(
            "repository_external_id",
            "pull_number",
            "purpose",
            name="uq_comments_repository_external_id_pull_number_purpose",
        ),
    )


def downgrade() -> None:
    op.drop_table("comments")
    op.drop_table("check_runs")
    op.drop_index("uq_jobs_pending_coalesce_key", table_name="jobs")
    op.drop_index("ix_jobs_coalesce_key_status", table_name="jobs")
    op.drop_index("ix_jobs_status_lease_expires_at", table_name="jobs")
    op.drop_index("ix_jobs_queue_status_run_after", table_name="jobs")
    op.drop_table("jobs")
    op.drop_index("ix_webhook_deliveries_received_at", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    _drop_append_only_triggers()
    op.drop_index("ix_flow_events_event_type_created_at", table_name="flow_events")
    op.drop_index("ix_flow_events_correlation_id_id", table_name="flow_events")
    op.drop_table("flow_events")
    op.drop_table("repository_doc_sources")
    op.drop_index(
        "ix_repository_compositions_project_id_environment_updated_at",
        table_name="repository_compositions",
    )
    op.drop_table("repository_compositions")
    op.drop_index("ix_repositories_provider_external_id", table_name="repositories")
    op.drop_index("ix_repositories_provider_owner_name", table_name="repositories")
    op.drop_table("repositories")
    op.drop_index("ix_projects_installation_id", table_name="projects")
    op.drop_table("projects")
    op.drop_table("installations")


# flow_events is an audit log: the database itself refuses to change or remove an event.
# The error class is an integrity violation on both databases, so SQLAlchemy raises
# IntegrityError for either.

_PG_FUNCTION = """
CREATE FUNCTION flow_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'flow_events is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$
"""


def _create_append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER flow_events_append_only BEFORE UPDATE OR DELETE ON flow_events"
            " FOR EACH ROW EXECUTE FUNCTION flow_events_append_only()"
        )
        op.execute(
            "CREATE TRIGGER flow_events_no_truncate BEFORE TRUNCATE ON flow_events"
            " FOR EACH STATEMENT EXECUTE FUNCTION flow_events_append_only()"
        )
    elif dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER flow_events_no_{verb.lower()} BEFORE {verb} ON flow_events"
                f" BEGIN SELECT RAISE(ABORT, 'flow_events is append-only: {verb} is not allowed');"
                " END"
            )
    else:  # pragma: no cover
        raise NotImplementedError(f"no append-only trigger for {dialect}")


def _drop_append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS flow_events_no_truncate ON flow_events")
        op.execute("DROP TRIGGER IF EXISTS flow_events_append_only ON flow_events")
        op.execute("DROP FUNCTION IF EXISTS flow_events_append_only()")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS flow_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS flow_events_no_delete")
