"""The aiohttp application factory: routes, typed app state, resources in `cleanup_ctx`.

`create_app(settings)` builds the app and opens nothing; every resource is opened when the
app starts and closed when it stops, in `cleanup_ctx` order (closed in reverse):

1. the database engine (schema checked by `ensure_schema`: SQLite migrates itself, an
   out-of-date PostgreSQL schema stops start-up with the command to run);
2. one `aiohttp.ClientSession` and the GitHub client around it (when the App's id and key
   are configured);
3. the webhook intake;
4. the in-process worker task (unless `run_worker=False`, i.e. `serve --no-worker`), which
   is stopped first on shutdown: running jobs get `WorkerConfig.grace` to finish.

Routes: `POST /api/github/webhooks` (app.webhooks.intake), `GET /healthz` (the process is
up), `GET /readyz` (the database answers and the worker task is alive; 503 otherwise) and
`GET /metrics` (Prometheus text format, this app's own registry).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import aiohttp
import sqlalchemy as sa
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from app.bindings import GitHubAppReader
from app.github.client import GitHubApp
from app.github.settings import ClientPolicy, GitHubSettings
from app.metrics import CONTENT_TYPE_LATEST, Metrics
from app.routing import Services, build_router, job_kinds, wants
from app.settings import Settings
from app.store import JobQueue, create_engine, display_url, ensure_schema
from app.webhooks import WEBHOOK_PATH, IntakeConfig, WebhookIntake
from app.worker import Worker, WorkerConfig

log = logging.getLogger("manifold.web")

SETTINGS = web.AppKey("settings", Settings)
METRICS = web.AppKey("metrics", Metrics)
QUEUE = web.AppKey("queue", JobQueue)
WORKER_CONFIG = web.AppKey("worker_config", WorkerConfig)
ENGINE = web.AppKey("engine", AsyncEngine)
HTTP = web.AppKey("http", aiohttp.ClientSession)
GITHUB = web.AppKey("github", GitHubApp)
GITHUB_POLICY = web.AppKey("github_policy", ClientPolicy)
INTAKE = web.AppKey("intake", WebhookIntake)
WORKER = web.AppKey("worker", Worker)
WORKER_TASK = web.AppKey("worker_task", asyncio.Task[None])

READY_TIMEOUT = 2.0


def create_app(
    settings: Settings,
    *,
    run_worker: bool = True,
    queue: JobQueue | None = None,
    worker_config: WorkerConfig | None = None,
    github_policy: ClientPolicy | None = None,
) -> web.Application:
    """The App. Raises `SettingsError` when the settings cannot serve (checked up front).

    `queue`, `worker_config` and `github_policy` override the defaults (retry and lease
    timings, concurrency, the GitHub client's retry/rate-limit budget).
    """
    settings.require_webhook_secrets()
    if run_worker:
        settings.require_github_app()
    app = web.Application(client_max_size=settings.max_body_bytes)
    app[SETTINGS] = settings
    app[METRICS] = Metrics()
    app[QUEUE] = queue or JobQueue()
    app[WORKER_CONFIG] = worker_config or WorkerConfig(concurrency=settings.worker_concurrency)
    app[GITHUB_POLICY] = github_policy or ClientPolicy()
    app.cleanup_ctx.append(_database)
    app.cleanup_ctx.append(_github)
    app.cleanup_ctx.append(_intake)
    if run_worker:
        app.cleanup_ctx.append(_worker)
    app.router.add_post(WEBHOOK_PATH, _webhook)
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/readyz", _readyz)
    app.router.add_get("/metrics", _metrics)
    return app


# -- resources ------------------------------------------------------------------------------------


async def open_database(settings: Settings) -> AsyncEngine:
    """The engine, with its schema checked (and migrated, where that is allowed)."""
    engine = create_engine(settings.database_url)
    try:
        await ensure_schema(engine, auto_migrate=settings.auto_migrate)
    except BaseException:
        await engine.dispose()
        raise
    log.info("database %s ready", display_url(settings.database_url))
    return engine


def github_settings(settings: Settings) -> GitHubSettings:
    assert settings.github_app_id is not None
    return GitHubSettings(
        app_id=settings.github_app_id,
        private_key=settings.private_key(),
        api_url=settings.github_api_url,
    )


def worker_services(app: web.Application) -> Services:
    github = app.get(GITHUB)
    return Services(
        engine=app[ENGINE],
        queue=app[QUEUE],
        metrics=app[METRICS],
        reader=GitHubAppReader(github) if github is not None else None,
        github=github,
    )


async def _database(app: web.Application) -> AsyncIterator[None]:
    app[ENGINE] = await open_database(app[SETTINGS])
    yield
    await app[ENGINE].dispose()


async def _github(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    if not settings.github_app_id:
        yield
        return
    async with aiohttp.ClientSession() as session:
        app[HTTP] = session
        app[GITHUB] = GitHubApp(session, github_settings(settings), policy=app[GITHUB_POLICY])
        app[METRICS].watch_github(app[GITHUB])
        yield


async def _intake(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    router = build_router()
    app[INTAKE] = WebhookIntake(
        IntakeConfig(
            secrets=settings.webhook_secrets,
            max_body_bytes=settings.max_body_bytes,
            database_timeout=settings.database_timeout_seconds,
        ),
        engine=app[ENGINE],
        queue=app[QUEUE],
        wants=lambda event: wants(router, event),
        metrics=app[METRICS],
    )
    yield
    await app[INTAKE].close()


async def _worker(app: web.Application) -> AsyncIterator[None]:
    services = worker_services(app)
    worker = Worker(
        services.engine,
        services.queue,
        job_kinds(services, build_router()),
        metrics=services.metrics,
        config=app[WORKER_CONFIG],
    )
    app[WORKER] = worker
    app[INTAKE].on_queued = worker.notify
    task = asyncio.create_task(worker.run(), name="manifold-worker")
    task.add_done_callback(_worker_ended)
    app[WORKER_TASK] = task
    try:
        yield
    finally:
        await worker.stop()
        # stop() let the running jobs finish or released them; the loop ends by itself.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(task), timeout=5)
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _worker_ended(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the worker task crashed", exc_info=task.exception())


# -- handlers -------------------------------------------------------------------------------------


async def _webhook(request: web.Request) -> web.StreamResponse:
    return await request.app[INTAKE].handle(request)


async def _healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def _readyz(request: web.Request) -> web.Response:
    app = request.app
    problems: list[str] = []
    try:
        async with asyncio.timeout(READY_TIMEOUT), app[ENGINE].connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
    except Exception as exc:
        problems.append(f"database: {type(exc).__name__}: {exc}"[:300])
    task = app.get(WORKER_TASK)
    if task is not None and task.done():
        problems.append("worker: the worker task has stopped")
    if problems:
        return web.json_response({"status": "unavailable", "problems": problems}, status=503)
    return web.json_response({"status": "ready"})


async def _metrics(request: web.Request) -> web.Response:
    body = request.app[METRICS].render()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
