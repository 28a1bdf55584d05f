"""Persistence for the App: schema and migrations, data access, the durable job queue, audit.

Owns every table (SQLAlchemy Core, async; PostgreSQL via asyncpg in production, SQLite via
aiosqlite by default). Data-access functions take an `AsyncConnection` and run in the caller's
transaction; they return frozen domain values, never rows. May import `resolver` (for the
naming rules); never `deploy`, `action`, `aiohttp` or `gidgethub`. Nothing here does I/O at
import time: the caller builds one engine (`create_engine`) and checks the schema
(`ensure_schema`) at start-up.

With an `AsyncSession`, pass `await session.connection()` to share its transaction.
"""

from app.store.audit import SYSTEM, Actor, FlowEvent, FlowEventType, list_events, record_event
from app.store.bookkeeping import (
    CheckRunRecord,
    CommentRecord,
    body_hash,
    forget_comment,
    get_check_run,
    get_comment,
    save_check_run,
    save_comment,
)
from app.store.compositions import (
    Composition,
    CompositionStatus,
    find_composition,
    get_composition,
    latest_composition,
    mark_composition_failed,
    mark_composition_ready,
    start_composition,
)
from app.store.deliveries import (
    Delivery,
    DeliveryOutcome,
    RecordedDelivery,
    get_delivery,
    prune_deliveries,
    record_delivery,
    set_delivery_outcome,
)
from app.store.doc_sources import DocSource, DocSourceSpec, list_doc_sources, replace_doc_sources
from app.store.engine import (
    DATABASE_URL_ENV,
    DEFAULT_DATABASE_URL,
    create_engine,
    database_url_from_env,
    display_url,
    normalize_database_url,
)
from app.store.errors import (
    AliasTaken,
    AlreadyExists,
    InvalidValue,
    LeaseLost,
    NotFound,
    SchemaOutOfDate,
    StoreError,
)
from app.store.installations import (
    Installation,
    delete_installation,
    get_installation,
    set_installation_suspended,
    upsert_installation,
)
from app.store.jobs import ClaimedJob, Enqueued, Job, JobStatus, Lease, RetryPolicy
from app.store.migrate import (
    SchemaStatus,
    downgrade,
    ensure_schema,
    head_revision,
    schema_status,
    upgrade,
)
from app.store.projects import (
    MultiRepoMode,
    Project,
    create_project,
    delete_project,
    get_project,
    get_project_by_name,
    list_projects,
    set_multi_repo_mode,
)
from app.store.queue import DEFAULT_QUEUE, JobQueue, default_worker_id
from app.store.repositories import (
    UNSET,
    NewRepository,
    Repository,
    RepositoryChanges,
    add_repository,
    delete_repository,
    find_repositories,
    get_repository,
    list_repositories,
    update_repository,
)

__all__ = [
    "DATABASE_URL_ENV",
    "DEFAULT_DATABASE_URL",
    "DEFAULT_QUEUE",
    "SYSTEM",
    "UNSET",
    "Actor",
    "AliasTaken",
    "AlreadyExists",
    "CheckRunRecord",
    "ClaimedJob",
    "CommentRecord",
    "Composition",
    "CompositionStatus",
    "Delivery",
    "DeliveryOutcome",
    "DocSource",
    "DocSourceSpec",
    "Enqueued",
    "FlowEvent",
    "FlowEventType",
    "Installation",
    "InvalidValue",
    "Job",
    "JobQueue",
    "JobStatus",
    "Lease",
    "LeaseLost",
    "MultiRepoMode",
    "NewRepository",
    "NotFound",
    "Project",
    "RecordedDelivery",
    "Repository",
    "RepositoryChanges",
    "RetryPolicy",
    "SchemaOutOfDate",
    "SchemaStatus",
    "StoreError",
    "add_repository",
    "body_hash",
    "create_engine",
    "create_project",
    "database_url_from_env",
    "default_worker_id",
    "delete_installation",
    "delete_project",
    "delete_repository",
    "display_url",
    "downgrade",
    "ensure_schema",
    "find_composition",
    "find_repositories",
    "forget_comment",
    "get_check_run",
    "get_comment",
    "get_composition",
    "get_delivery",
    "get_installation",
    "get_project",
    "get_project_by_name",
    "get_repository",
    "head_revision",
    "latest_composition",
    "list_doc_sources",
    "list_events",
    "list_projects",
    "list_repositories",
    "mark_composition_failed",
    "mark_composition_ready",
    "normalize_database_url",
    "prune_deliveries",
    "record_delivery",
    "record_event",
    "replace_doc_sources",
    "save_check_run",
    "save_comment",
    "schema_status",
    "set_delivery_outcome",
    "set_installation_suspended",
    "set_multi_repo_mode",
    "start_composition",
    "update_repository",
    "upgrade",
    "upsert_installation",
]
