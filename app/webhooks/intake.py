"""`POST /api/github/webhooks`: verify, store and enqueue a delivery; never process it here.

The answers, in the order the checks run:

    413 too_large     Content-Length over the cap, or the body grows past it while read
    401 unauthorized  X-Hub-Signature-256 missing, or wrong for every configured secret
    400 malformed     no X-GitHub-Event / X-GitHub-Delivery, bad JSON, not a JSON object
    200 pong          `ping` (GitHub sends it when the hook is created)
    200 ignored       an event or action Manifold does not act on (nothing is stored)
    202 queued        the delivery row (outcome `received`) and its job committed in one
                      transaction (`{"status": "queued", "delivery": id}`)
    200 duplicate     this delivery id was stored before; nothing is enqueued
    503 unavailable   the database is down or too slow: GitHub shows the delivery as failed
                      and it can be redelivered

Every body is JSON with a `status` (and an `error` message for 4xx/5xx).
The signature is checked before the headers and the body are looked at, so an unsigned
request learns nothing. Duplicates are decided by the database (a unique delivery id with
`ON CONFLICT DO NOTHING`), not by a look-up first, so concurrent redeliveries race safely:
exactly one of them is queued.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from gidgethub import sansio
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncEngine

from app.metrics import Metrics
from app.store import InvalidValue, JobQueue, record_delivery
from app.webhooks.signature import SIGNATURE_HEADER, verify_signature

log = logging.getLogger("manifold.webhooks")

WEBHOOK_PATH = "/api/github/webhooks"
DELIVERY_JOB = "github.delivery"

_EVENT_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_DELIVERY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_READ_CHUNK = 64 * 1024

#: the database is down, unreachable or too slow: answer 503
DATABASE_UNAVAILABLE: tuple[type[BaseException], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    sa_exc.DisconnectionError,
    TimeoutError,
    OSError,
)

WantsEvent = Callable[[sansio.Event], bool]


class _Reject(Exception):
    def __init__(self, status: int, result: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.result = result
        self.message = message


@dataclass(frozen=True, slots=True)
class IntakeConfig:
    secrets: Sequence[str]
    max_body_bytes: int
    database_timeout: float


class WebhookIntake:
    """The intake for one app: configuration, the database and what to do after queueing."""

    def __init__(
        self,
        config: IntakeConfig,
        *,
        engine: AsyncEngine,
        queue: JobQueue,
        wants: WantsEvent,
        metrics: Metrics,
        on_queued: Callable[[], None] = lambda: None,
    ) -> None:
        if not config.secrets:
            raise ValueError("the webhook intake needs at least one secret")
        self.config = config
        self.engine = engine
        self.queue = queue
        self.wants = wants
        self.metrics = metrics
        self.on_queued = on_queued
        self._writes: set[asyncio.Future[bool]] = set()
        # SQLite has one writer at a time, and a writer that finds the lock taken polls with
        # growing sleeps (its busy handler): queue this process's writes here instead.
        is_sqlite = engine.dialect.name == "sqlite"
        self._sqlite_writer: contextlib.AbstractAsyncContextManager[Any] = (
            asyncio.Lock() if is_sqlite else contextlib.nullcontext()
        )

    async def handle(self, request: web.Request) -> web.Response:
        started = time.perf_counter()
        event_name = request.headers.get("X-GitHub-Event", "")
        try:
            response, result = await self._handle(request)
        except _Reject as reject:
            log.info(
                "webhook %s rejected (%s): %s",
                request.headers.get("X-GitHub-Delivery", "-"),
                reject.status,
                reject.message,
            )
            response = web.json_response(
                {"status": reject.result, "error": reject.message}, status=reject.status
            )
            result = reject.result
        label = event_name if _EVENT_NAME.fullmatch(event_name) else "invalid"
        self.metrics.webhook_deliveries.labels(label, result).inc()
        self.metrics.webhook_latency.labels(result).observe(time.perf_counter() - started)
        return response

    async def _handle(self, request: web.Request) -> tuple[web.Response, str]:
        body = await self._read_body(request)
        if not verify_signature(body, request.headers.get(SIGNATURE_HEADER), self.config.secrets):
            raise _Reject(
                401,
                "unauthorized",
                f"{SIGNATURE_HEADER} is missing or does not match any configured secret",
            )
        event = _parse_event(request, body)
        if event.event == "ping":
            return web.json_response({"status": "pong"}), "pong"
        if not self.wants(event):
            return web.json_response({"status": "ignored"}), "ignored"
        created = await self._store(event)
        if not created:
            log.info("webhook %s (%s) is a duplicate", event.delivery_id, event.event)
            body_out = {"status": "duplicate", "delivery": event.delivery_id}
            return web.json_response(body_out, status=200), "duplicate"
        self.on_queued()
        return (
            web.json_response({"status": "queued", "delivery": event.delivery_id}, status=202),
            "queued",
        )

    async def _read_body(self, request: web.Request) -> bytes:
        cap = self.config.max_body_bytes
        too_large = _Reject(413, "too_large", f"the body is larger than {cap} bytes")
        if request.content_length is not None and request.content_length > cap:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.content.iter_chunked(_READ_CHUNK):
            size += len(chunk)
            if size > cap:  # a chunked body, or a Content-Length that lied
                raise too_large
            chunks.append(chunk)
        return b"".join(chunks)

    async def _store(self, event: sansio.Event) -> bool:
        """Record the delivery and enqueue its job; False for a duplicate delivery id.

        The write runs as its own task and the answer waits for it at most
        `database_timeout` seconds. A database that hangs (a SQLite lock, a stalled
        PostgreSQL) cannot hold the request: the answer is 503 and the write goes on in the
        background; if it commits after all, GitHub's redelivery is a duplicate.
        """
        write = asyncio.ensure_future(self._write(event))
        self._writes.add(write)
        write.add_done_callback(self._write_done)
        try:
            async with asyncio.timeout(self.config.database_timeout):
                return await asyncio.shield(write)
        except InvalidValue as exc:
            raise _Reject(400, "malformed", str(exc)) from None
        except DATABASE_UNAVAILABLE as exc:
            log.warning(
                "webhook %s (%s): database unavailable: %s: %s",
                event.delivery_id,
                event.event,
                type(exc).__name__,
                exc,
            )
            message = "the database is unavailable; redeliver later"
            raise _Reject(503, "unavailable", message) from None

    async def _write(self, event: sansio.Event) -> bool:
        payload = event.data
        installation = payload.get("installation")
        installation_id = installation.get("id") if isinstance(installation, dict) else None
        action = payload.get("action")
        async with self._sqlite_writer, self.engine.begin() as conn:
            recorded = await record_delivery(
                conn,
                delivery_id=event.delivery_id,
                event=event.event,
                action=action[:64] if isinstance(action, str) else None,
                installation_id=installation_id if isinstance(installation_id, int) else None,
                payload=payload,
            )
            if not recorded.created:
                return False
            await self.queue.enqueue(
                conn,
                kind=DELIVERY_JOB,
                payload={"delivery_id": event.delivery_id, "event": event.event},
                idempotency_key=f"delivery:{event.delivery_id}",
                correlation_id=event.delivery_id,
            )
            # The outcome stays `received` (stored, not yet routed) until the worker sets
            # processed / ignored / failed: one statement less on the hot path.
        return True

    def _write_done(self, write: asyncio.Future[bool]) -> None:
        self._writes.discard(write)
        if not write.cancelled() and write.exception() is not None:
            log.debug("a delivery write failed: %r", write.exception())

    async def close(self, grace: float = 5.0) -> None:
        """Let writes still running (answered 503 already) finish, then cancel the rest."""
        if not self._writes:
            return
        _done, pending = await asyncio.wait(set(self._writes), timeout=grace)
        for write in pending:
            write.cancel()
        if pending:
            await asyncio.wait(pending)


def _parse_event(request: web.Request, body: bytes) -> sansio.Event:
    event = request.headers.get("X-GitHub-Event", "").strip()
    delivery_id = request.headers.get("X-GitHub-Delivery", "").strip()
    if not _EVENT_NAME.fullmatch(event):
        raise _Reject(400, "malformed", "X-GitHub-Event is missing or not an event name")
    if not _DELIVERY_ID.fullmatch(delivery_id):
        raise _Reject(400, "malformed", "X-GitHub-Delivery is missing or not a delivery id")
    data = _decode(request.content_type, body)
    if not isinstance(data, dict):
        raise _Reject(400, "malformed", "the payload is not a JSON object")
    return sansio.Event(data, event=event, delivery_id=delivery_id)


def _decode(content_type: str, body: bytes) -> Any:
    try:
        if content_type == "application/x-www-form-urlencoded":
            # A hook configured with the form content type sends `payload=<json>`.
            form = urllib.parse.parse_qs(body.decode("utf-8"), strict_parsing=True)
            return json.loads(form["payload"][0])
        if content_type in ("application/json", "application/octet-stream", ""):
            return json.loads(body)
    except (ValueError, KeyError, UnicodeDecodeError) as exc:
        raise _Reject(400, "malformed", f"the body is not valid JSON: {exc}") from None
    raise _Reject(
        400,
        "malformed",
        f"content type {content_type!r} is neither application/json"
        " nor application/x-www-form-urlencoded",
    )
