"""Webhook deliveries and the check-run / comment bookkeeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.store import (
    DeliveryOutcome,
    NotFound,
    body_hash,
    forget_comment,
    get_check_run,
    get_comment,
    get_delivery,
    prune_deliveries,
    record_delivery,
    save_check_run,
    save_comment,
    set_delivery_outcome,
)
from tests.store.conftest import Database


async def test_a_delivery_is_recorded_once(db: Database) -> None:
    payload = {"action": "opened", "number": 7}
    async with db.engine() as engine, engine.begin() as conn:
        first = await record_delivery(
            conn,
            delivery_id="72d3162e",
            event="pull_request",
            action="opened",
            payload=payload,
            installation_id=42,
        )
        again = await record_delivery(
            conn, delivery_id="72d3162e", event="pull_request", payload={"changed": True}
        )
        assert first.created and not again.created
        assert again.delivery == first.delivery and again.delivery.payload == payload
        assert first.delivery.outcome == DeliveryOutcome.RECEIVED

        done = await set_delivery_outcome(
            conn, "72d3162e", DeliveryOutcome.IGNORED, detail="repository not bound"
        )
        assert done.outcome == "ignored" and done.outcome_detail == "repository not bound"
        assert done.processed_at is not None
        with pytest.raises(NotFound):
            await set_delivery_outcome(conn, "nope", DeliveryOutcome.QUEUED)


async def test_old_deliveries_are_pruned(db: Database) -> None:
    now = datetime.now(UTC)
    async with db.engine() as engine, engine.begin() as conn:
        for i, age in enumerate((40, 20, 1)):
            await record_delivery(
                conn,
                delivery_id=f"d{i}",
                event="push",
                payload={},
                received_at=now - timedelta(days=age),
            )
        assert await prune_deliveries(conn, received_before=now - timedelta(days=30)) == 1
        assert await get_delivery(conn, "d0") is None
        assert await get_delivery(conn, "d1") is not None


async def test_check_runs_are_kept_per_repository_sha_and_name(db: Database) -> None:
    sha = "a" * 40
    async with db.engine() as engine, engine.begin() as conn:
        assert await get_check_run(conn, repository_external_id=1, head_sha=sha, name="c") is None
        created = await save_check_run(
            conn,
            repository_external_id=1,
            head_sha=sha,
            name="manifold/composition",
            check_run_id=111,
            status="in_progress",
            pull_number=7,
        )
        updated = await save_check_run(
            conn,
            repository_external_id="1",
            head_sha=sha,
            name="manifold/composition",
            check_run_id=111,
            status="completed",
            conclusion="success",
            body_hash=body_hash("summary"),
        )
        other = await save_check_run(
            conn,
            repository_external_id=1,
            head_sha=sha,
            name="manifold/docs",
            check_run_id=222,
            status="queued",
        )
        found = await get_check_run(
            conn, repository_external_id=1, head_sha=sha, name="manifold/composition"
        )
    assert found == updated and updated.created_at == created.created_at
    assert (updated.status, updated.conclusion, updated.pull_number) == ("completed", "success", 7)
    assert updated.body_hash == body_hash("summary") != body_hash("summary!")
    assert other.check_run_id == 222


async def test_sticky_comments_are_kept_per_pull_request(db: Database) -> None:
    async with db.engine() as engine, engine.begin() as conn:
        await save_comment(
            conn, repository_external_id=1, pull_number=7, comment_id=5, body_hash="h1"
        )
        moved = await save_comment(
            conn,
            repository_external_id=1,
            pull_number=7,
            comment_id=6,
            body_hash="h2",
            head_sha="b" * 40,
        )
        found = await get_comment(conn, repository_external_id=1, pull_number=7)
        assert found == moved and (found.comment_id, found.body_hash) == (6, "h2")
        assert await get_comment(conn, repository_external_id=1, pull_number=8) is None
        assert await forget_comment(conn, repository_external_id=1, pull_number=7)
        assert await get_comment(conn, repository_external_id=1, pull_number=7) is None
