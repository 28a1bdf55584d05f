"""The webhook intake, driven through the real aiohttp app with signed deliveries (SQLite and
PostgreSQL): statuses, duplicates (also concurrent), signatures and rotation, size caps,
malformed requests, and what lands in the store."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from app.webhooks import WEBHOOK_PATH
from tests.app.helpers import SECRET, served, settings_for
from tests.fakes.webhooks import signature, signed_delivery
from tests.store.conftest import Database

INSTALLATION = {"id": 77, "account": {"login": "acme", "type": "Organization"}}
PULL_REQUEST = {
    "action": "opened",
    "number": 5,
    "pull_request": {
        "number": 5,
        "head": {"sha": "a" * 40, "ref": "feature"},
        "base": {"ref": "main"},
    },
    "repository": {
        "id": 9,
        "name": "orders",
        "full_name": "acme/orders",
        "owner": {"login": "acme"},
    },
    "installation": {"id": 77},
}


async def test_a_delivery_is_stored_with_its_job_and_not_processed(db: Database) -> None:
    async with served(settings_for(db.url)) as s:
        delivery = signed_delivery("pull_request", PULL_REQUEST, SECRET)
        status, body = await s.post(delivery)
        assert (status, body) == (202, {"status": "queued", "delivery": delivery.delivery_id})
        stored = await s.rows("webhook_deliveries")
        assert [(d["delivery_id"], d["event"], d["action"]) for d in stored] == [
            (delivery.delivery_id, "pull_request", "opened")
        ]
        assert stored[0]["installation_id"] == 77
        assert stored[0]["outcome"] == "received"  # the worker sets processed / ignored
        assert stored[0]["payload"] == PULL_REQUEST
        jobs = await s.rows("jobs")
        assert len(jobs) == 1
        job = jobs[0]
        assert (job["kind"], job["status"], job["attempts"]) == ("github.delivery", "pending", 0)
        assert job["payload"]["delivery_id"] == delivery.delivery_id
        assert job["correlation_id"] == delivery.delivery_id
        assert await s.rows("flow_events") == []  # nothing was processed in the request


async def test_a_redelivery_is_a_duplicate_and_enqueues_nothing(db: Database) -> None:
    async with served(settings_for(db.url)) as s:
        delivery = signed_delivery("pull_request", PULL_REQUEST, SECRET)
        assert (await s.post(delivery))[0] == 202
        for _ in range(2):
            status, body = await s.post(delivery)
            assert (status, body) == (
                200,
                {"status": "duplicate", "delivery": delivery.delivery_id},
            )
        assert len(await s.rows("jobs")) == 1
        assert len(await s.rows("webhook_deliveries")) == 1


async def test_concurrent_redeliveries_queue_exactly_once(db: Database) -> None:
    async with served(settings_for(db.url)) as s:
        delivery = signed_delivery("pull_request", PULL_REQUEST, SECRET)
        results = await asyncio.gather(*(s.post(delivery) for _ in range(12)))
        statuses = sorted(status for status, _ in results)
        assert statuses == [200] * 11 + [202]
        assert {body["status"] for _, body in results} == {"queued", "duplicate"}
        assert len(await s.rows("jobs")) == 1
        assert len(await s.rows("webhook_deliveries")) == 1


async def test_signatures_and_secret_rotation(db: Database) -> None:
    settings = settings_for(db.url, webhook_secret=("old secret", "new secret"))
    async with served(settings) as s:
        for secret in ("old secret", "new secret"):
            status, _ = await s.post(signed_delivery("pull_request", PULL_REQUEST, secret))
            assert status == 202, secret
        wrong = signed_delivery("pull_request", PULL_REQUEST, "a guessed secret")
        assert await s.post(wrong) == (
            401,
            {
                "status": "unauthorized",
                "error": "X-Hub-Signature-256 is missing or does not match any configured secret",
            },
        )
        unsigned = signed_delivery("pull_request", PULL_REQUEST, "old secret")
        del unsigned.headers["X-Hub-Signature-256"]
        assert (await s.post(unsigned))[0] == 401
        sha1_only = signed_delivery("pull_request", PULL_REQUEST, "old secret")
        del sha1_only.headers["X-Hub-Signature-256"]
        sha1_only.headers["X-Hub-Signature"] = "sha1=" + "0" * 40
        assert (await s.post(sha1_only))[0] == 401
        tampered = signed_delivery("pull_request", PULL_REQUEST, "new secret")
        changed = tampered.body.replace(b'"number": 5', b'"number": 6', 1)
        response = await s.client.post(WEBHOOK_PATH, data=changed, headers=tampered.headers)
        assert response.status == 401
        assert len(await s.rows("jobs")) == 2
    # After the rotation the old secret is dropped from the configuration.
    async with served(settings_for(db.url, webhook_secret=("new secret",))) as s:
        assert (await s.post(signed_delivery("pull_request", PULL_REQUEST, "old secret")))[0] == 401


async def test_ping_pongs_and_uninteresting_events_are_ignored(db: Database) -> None:
    async with served(settings_for(db.url)) as s:
        ping = {"zen": "Design for failure.", "hook_id": 1, "hook": {"type": "App"}}
        assert await s.deliver("ping", ping) == (200, {"status": "pong"})
        assert await s.deliver("star", {"action": "created"}) == (200, {"status": "ignored"})
        labeled = {**PULL_REQUEST, "action": "labeled"}
        assert await s.deliver("pull_request", labeled) == (200, {"status": "ignored"})
        tag_push = {"ref": "refs/tags/v1", "repository": PULL_REQUEST["repository"]}
        assert await s.deliver("push", tag_push) == (200, {"status": "ignored"})
        on_issue = {
            "action": "created",
            "issue": {"number": 1},
            "comment": {"id": 1, "body": "/manifold preview", "user": {"login": "a"}},
            "sender": {"type": "User"},
        }
        assert await s.deliver("issue_comment", on_issue) == (200, {"status": "ignored"})
        by_bot = {
            **on_issue,
            "issue": {"number": 1, "pull_request": {}},
            "sender": {"type": "Bot"},
        }
        assert await s.deliver("issue_comment", by_bot) == (200, {"status": "ignored"})
        assert await s.rows("webhook_deliveries") == []
        assert await s.rows("jobs") == []


async def test_malformed_requests_are_400(db: Database) -> None:
    async with served(settings_for(db.url)) as s:

        async def post(body: bytes, **headers: str) -> tuple[int, Any]:
            base = {
                "Content-Type": "application/json",
                "X-GitHub-Event": "pull_request",
                "X-GitHub-Delivery": str(uuid.uuid4()),
                "X-Hub-Signature-256": signature(body, SECRET),
            }
            base.update(headers)
            sent = {k: v for k, v in base.items() if v}
            response = await s.client.post(WEBHOOK_PATH, data=body, headers=sent)
            return response.status, (await response.json())["status"]

        assert await post(b"{not json") == (400, "malformed")
        assert await post(b"[1, 2]") == (400, "malformed")
        assert await post(b"\xff\xfe") == (400, "malformed")
        good = json.dumps(PULL_REQUEST).encode()
        assert await post(good, **{"X-GitHub-Event": ""}) == (400, "malformed")
        assert await post(good, **{"X-GitHub-Delivery": ""}) == (400, "malformed")
        assert await post(good, **{"X-GitHub-Delivery": "x" * 200}) == (400, "malformed")
        assert await post(good, **{"X-GitHub-Event": "Not An Event"}) == (400, "malformed")
        assert await post(good, **{"Content-Type": "text/plain"}) == (400, "malformed")
        # The signature is checked first: a malformed unsigned request is 401, not 400.
        assert await post(b"{not json", **{"X-Hub-Signature-256": "sha256=00"}) == (
            401,
            "unauthorized",
        )
        # GitHub's form content type (`payload=<json>`) is accepted.
        from urllib.parse import urlencode

        form = urlencode({"payload": json.dumps(PULL_REQUEST)}).encode()
        assert await post(form, **{"Content-Type": "application/x-www-form-urlencoded"}) == (
            202,
            "queued",
        )
        assert len(await s.rows("jobs")) == 1


async def test_bodies_over_the_cap_are_413(db: Database) -> None:
    cap = 64 * 1024
    async with served(settings_for(db.url, max_body_bytes=cap)) as s:
        big = {**PULL_REQUEST, "padding": "x" * cap}
        delivery = signed_delivery("pull_request", big, SECRET)
        status, body = await s.post(delivery)
        assert (status, body["status"]) == (413, "too_large")

        async def chunks() -> Any:  # no Content-Length: the cap is enforced while reading
            for start in range(0, len(delivery.body), 8192):
                yield delivery.body[start : start + 8192]

        response = await s.client.post(WEBHOOK_PATH, data=chunks(), headers=delivery.headers)
        assert response.status == 413
        small = signed_delivery("pull_request", {**PULL_REQUEST, "padding": "x" * 1000}, SECRET)
        assert (await s.post(small))[0] == 202
        assert len(await s.rows("jobs")) == 1


async def test_a_25_mib_payload_is_accepted_by_default(db: Database) -> None:
    async with served(settings_for(db.url)) as s:
        near_cap = {**PULL_REQUEST, "padding": "x" * (25 * 1024 * 1024 - 4096)}
        assert (await s.deliver("pull_request", near_cap))[0] == 202
        over = {**PULL_REQUEST, "padding": "x" * (25 * 1024 * 1024)}
        assert (await s.deliver("pull_request", over))[0] == 413


async def test_health_readiness_and_metrics(db: Database) -> None:
    async with served(settings_for(db.url)) as s:
        assert (await s.client.get("/healthz")).status == 200
        ready = await s.client.get("/readyz")
        assert (ready.status, await ready.json()) == (200, {"status": "ready"})
        await s.post(signed_delivery("pull_request", PULL_REQUEST, SECRET))
        await s.post(signed_delivery("pull_request", PULL_REQUEST, "wrong"))
        metrics = await (await s.client.get("/metrics")).text()
        assert (
            'manifold_webhook_deliveries_total{event="pull_request",result="queued"} 1.0' in metrics
        )
        assert (
            'manifold_webhook_deliveries_total{event="pull_request",result="unauthorized"} 1.0'
            in metrics
        )
        assert "manifold_webhook_intake_seconds_bucket" in metrics
