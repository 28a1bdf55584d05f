"""flow_events: append-only, written in the same transaction as the change it records."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from app.store import (
    Actor,
    CompositionStatus,
    FlowEventType,
    create_project,
    find_composition,
    latest_composition,
    list_events,
    mark_composition_failed,
    mark_composition_ready,
    record_event,
    start_composition,
)
from app.store.schema import flow_events
from tests.store.conftest import Database


def test_the_design_event_names_are_used_verbatim() -> None:
    assert {e.value for e in FlowEventType} >= {
        "run.composition.resolve_started",
        "run.composition.resolve_succeeded",
        "run.composition.resolve_failed",
        "run.docs_graph.resolved",
        "run.repo.checkout.plan_built",
    }


async def test_events_are_listed_in_order_and_filtered(db: Database) -> None:
    async with db.engine() as engine, engine.begin() as conn:
        user = Actor("user", "octocat")
        await record_event(conn, FlowEventType.DOCS_GRAPH_RESOLVED, correlation_id="a", actor=user)
        await record_event(
            conn, FlowEventType.CHECKOUT_PLAN_BUILT, correlation_id="a", payload={"repos": 3}
        )
        await record_event(conn, FlowEventType.DOCS_GRAPH_RESOLVED, correlation_id="b")
        for_a = await list_events(conn, correlation_id="a")
        docs = await list_events(conn, event_type=FlowEventType.DOCS_GRAPH_RESOLVED)
        page = await list_events(conn, after_id=for_a[0].id, limit=1)
    assert [(e.event_type, e.actor_type, e.actor_id) for e in for_a] == [
        ("run.docs_graph.resolved", "user", "octocat"),
        ("run.repo.checkout.plan_built", "system", "manifold"),
    ]
    assert for_a[1].payload == {"repos": 3}
    assert [e.correlation_id for e in docs] == ["a", "b"]
    assert [e.id for e in page] == [for_a[1].id]


async def test_the_database_rejects_changing_or_removing_events(db: Database) -> None:
    async with db.engine() as engine:
        async with engine.begin() as conn:
            await record_event(conn, "custom.event", correlation_id="c", payload={"x": 1})
        statements = [
            flow_events.update().values(payload={"x": 2}),
            flow_events.delete(),
        ]
        for statement in statements:
            with pytest.raises(IntegrityError, match="append-only"):
                async with engine.begin() as conn:
                    await conn.execute(statement)
        if db.is_postgres:
            with pytest.raises(IntegrityError, match="append-only"):
                async with engine.begin() as conn:
                    await conn.exec_driver_sql("TRUNCATE flow_events")
        async with engine.connect() as conn:
            [event] = await list_events(conn)
    assert event.payload == {"x": 1}


async def test_composition_changes_and_their_events_commit_together(db: Database) -> None:
    async with db.engine() as engine:
        async with engine.begin() as conn:
            project = await create_project(conn, name="shop")
        with pytest.raises(RuntimeError):
            async with engine.begin() as conn:
                await start_composition(
                    conn,
                    project_id=project.id,
                    environment="dev",
                    composition_key="sha256:k",
                    root_repository_alias=None,
                    correlation_id="run-1",
                )
                raise RuntimeError("crash")
        async with engine.connect() as conn:
            assert await find_composition(conn, project.id, "dev", "sha256:k") is None
            assert await list_events(conn) == []


async def test_composition_lifecycle_writes_the_run_events(db: Database) -> None:
    async with db.engine() as engine, engine.begin() as conn:
        project = await create_project(conn, name="shop")
        started = await start_composition(
            conn,
            project_id=project.id,
            environment="dev",
            composition_key="sha256:k1",
            root_repository_alias="Platform",
            correlation_id="run-1",
        )
        assert started.status is CompositionStatus.PENDING
        assert started.root_repository_alias == "platform" and not started.virtual_root
        resolved = [{"alias": "platform", "commit": "a" * 40}, {"alias": "api", "commit": "b" * 40}]
        ready = await mark_composition_ready(
            conn,
            started.id,
            resolved_repositories=resolved,
            effective_manifest={"kind": "ServiceStack"},
            effective_manifest_hash="sha256:abc",
        )
        assert ready.status is CompositionStatus.READY and ready.resolved_repositories == resolved
        # the same inputs again: a cache hit, no new run
        again = await start_composition(
            conn,
            project_id=project.id,
            environment="dev",
            composition_key="sha256:k1",
            root_repository_alias="platform",
            correlation_id="run-2",
        )
        assert again.id == ready.id and again.status is CompositionStatus.READY

        other = await start_composition(
            conn,
            project_id=project.id,
            environment="dev",
            composition_key="sha256:k2",
            root_repository_alias=None,
            correlation_id="run-3",
        )
        assert other.virtual_root
        failed = await mark_composition_failed(
            conn,
            other.id,
            error_message="import cycle",
            errors=[{"code": "failed_precondition", "reason": "import_cycle"}],
        )
        assert failed.status is CompositionStatus.FAILED and failed.error_message == "import cycle"
        retried = await start_composition(
            conn,
            project_id=project.id,
            environment="dev",
            composition_key="sha256:k2",
            root_repository_alias=None,
            correlation_id="run-4",
        )
        assert retried.status is CompositionStatus.PENDING and retried.error_message is None
        latest_ready = await latest_composition(
            conn, project.id, "dev", status=CompositionStatus.READY
        )
        events = await list_events(conn)
    assert latest_ready is not None and latest_ready.id == ready.id
    assert [(e.correlation_id, e.event_type) for e in events] == [
        ("run-1", "run.composition.resolve_started"),
        ("run-1", "run.composition.resolve_succeeded"),
        ("run-3", "run.composition.resolve_started"),
        ("run-3", "run.composition.resolve_failed"),
        ("run-4", "run.composition.resolve_started"),
    ]
    succeeded = events[1].payload
    assert succeeded["effective_services_manifest_hash"] == "sha256:abc"
    assert succeeded["imported_repositories"] == 2
    assert events[3].payload["errors"] == [
        {"code": "failed_precondition", "reason": "import_cycle"}
    ]
