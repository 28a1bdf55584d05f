"""The public surface of `app.store`, pinned: other packages build on these names."""

from __future__ import annotations

import app.store

EXPECTED = {
    # engine, schema, migrations
    "DATABASE_URL_ENV", "DEFAULT_DATABASE_URL", "create_engine", "database_url_from_env",
    "display_url", "normalize_database_url", "SchemaStatus", "downgrade", "ensure_schema",
    "head_revision", "schema_status", "upgrade",
    # errors
    "StoreError", "NotFound", "AlreadyExists", "AliasTaken", "InvalidValue", "LeaseLost",
    "SchemaOutOfDate",
    # installations, projects, repositories, doc sources
    "Installation", "upsert_installation", "get_installation", "set_installation_suspended",
    "delete_installation", "MultiRepoMode", "Project", "create_project", "get_project",
    "get_project_by_name", "list_projects", "set_multi_repo_mode", "delete_project",
    "UNSET", "NewRepository", "Repository", "RepositoryChanges", "add_repository",
    "get_repository", "list_repositories", "find_repositories", "update_repository",
    "delete_repository", "DocSource", "DocSourceSpec", "replace_doc_sources", "list_doc_sources",
    # compositions and audit
    "Composition", "CompositionStatus", "start_composition", "mark_composition_ready",
    "mark_composition_failed", "get_composition", "find_composition", "latest_composition",
    "SYSTEM", "Actor", "FlowEvent", "FlowEventType", "record_event", "list_events",
    # webhook deliveries and GitHub bookkeeping
    "Delivery", "DeliveryOutcome", "RecordedDelivery", "record_delivery", "get_delivery",
    "set_delivery_outcome", "prune_deliveries", "CheckRunRecord", "CommentRecord", "body_hash",
    "get_check_run", "save_check_run", "get_comment", "save_comment", "forget_comment",
    # queue
    "DEFAULT_QUEUE", "JobQueue", "default_worker_id", "ClaimedJob", "Enqueued", "Job",
    "JobStatus", "Lease", "RetryPolicy",
}  # fmt: skip


def test_the_public_surface_is_pinned() -> None:
    assert set(app.store.__all__) == EXPECTED
    missing = [name for name in EXPECTED if not hasattr(app.store, name)]
    assert missing == []
