"""Helpers for the App's tests: settings, a served app, signed posts, store look-ups."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from app.github.settings import ClientPolicy
from app.routing import Services, build_router, job_kinds
from app.settings import Settings
from app.store import JobQueue, RetryPolicy
from app.web import ENGINE, METRICS, QUEUE, create_app, worker_services
from app.webhooks import WEBHOOK_PATH
from app.worker import Worker, WorkerConfig
from tests.fakes.github import FakeGitHub
from tests.fakes.webhooks import Delivery, signed_delivery

SECRET = "manifold test secret"
FAST_RETRY = RetryPolicy(
    base_delay=timedelta(0), max_delay=timedelta(0), jitter=0.0, max_attempts=3
)
FAST_GITHUB = ClientPolicy(
    max_retries=1,
    backoff_base=0.01,
    backoff_cap=0.02,
    max_rate_limit_wait=0.2,
    secondary_default_wait=0.05,
)


def settings_for(database_url: str, gh: FakeGitHub | None = None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"webhook_secret": (SECRET,), "database_url": database_url}
    if gh is not None:
        values |= {
            "github_app_id": str(gh.app_id),
            "github_private_key": gh.private_key_pem,
            "github_api_url": gh.url,
        }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Served:
    app: web.Application
    client: TestClient  # type: ignore[type-arg]

    async def post(self, delivery: Delivery) -> tuple[int, dict[str, Any]]:
        response = await self.client.post(
            WEBHOOK_PATH, data=delivery.body, headers=delivery.headers
        )
        return response.status, await response.json()

    async def deliver(
        self, event: str, payload: Mapping[str, Any], *, delivery_id: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        return await self.post(signed_delivery(event, payload, SECRET, delivery_id=delivery_id))

    @property
    def engine(self) -> Any:
        return self.app[ENGINE]

    def worker(self, **config: Any) -> Worker:
        services: Services = worker_services(self.app)
        return Worker(
            services.engine,
            services.queue,
            job_kinds(services, build_router()),
            metrics=self.app[METRICS],
            config=WorkerConfig(**config),
            worker_id="test-worker",
        )

    async def drain(self) -> int:
        """Run the queue until nothing is runnable (the worker, without its loop)."""
        return await self.worker(concurrency=4).run_until_idle()

    async def rows(self, table: str, **where: Any) -> list[dict[str, Any]]:
        return await rows(self.engine, table, **where)


async def rows(engine: Any, table: str, **where: Any) -> list[dict[str, Any]]:
    from app.store.schema import metadata

    t = metadata.tables[table]
    stmt = sa.select(t).where(*(t.c[k] == v for k, v in where.items())).order_by(t.c.id)
    async with engine.connect() as conn:
        return [dict(r._mapping) for r in await conn.execute(stmt)]


@asynccontextmanager
async def served(settings: Settings, **kwargs: Any) -> AsyncIterator[Served]:
    kwargs.setdefault("run_worker", False)
    kwargs.setdefault("queue", JobQueue(retry=FAST_RETRY, lease_duration=timedelta(seconds=30)))
    kwargs.setdefault("github_policy", FAST_GITHUB)
    app = create_app(settings, **kwargs)
    async with TestClient(TestServer(app)) as client:
        yield Served(app, client)


async def wait_for(predicate: Any, *, seconds: float = 10.0, interval: float = 0.02) -> Any:
    """Poll an async predicate until it returns something truthy."""
    async with asyncio.timeout(seconds):
        while True:
            found = await predicate()
            if found:
                return found
            await asyncio.sleep(interval)


__all__ = ["QUEUE", "SECRET", "Served", "rows", "served", "settings_for", "wait_for"]
