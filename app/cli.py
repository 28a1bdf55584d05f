"""`manifold serve`, `manifold worker` and `manifold projects`: the App's commands.

Registered through the `manifold.commands` entry point (`register`), so `resolver` never
imports the App. Settings are read from the environment once, here, and passed down.

    manifold serve [--host H] [--port 8080] [--no-worker]   the webhook server (+ worker)
    manifold worker [--concurrency N] [--port P]            a standalone worker
    manifold projects create|list|show|bind|unbind|set-mode  virtual-root projects by hand

Exit codes: 0 success; 1 the database or a requested object failed (not found, taken, ...);
2 usage or configuration (a missing or invalid `MANIFOLD_*` variable is named).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.github.auth import load_private_key
from app.github.context import DeliveryFilter
from app.github.errors import ConfigurationError
from app.settings import Settings, SettingsError, load_settings
from app.store import (
    AlreadyExists,
    MultiRepoMode,
    NewRepository,
    NotFound,
    Project,
    SchemaOutOfDate,
    StoreError,
    add_repository,
    create_project,
    delete_repository,
    display_url,
    get_project_by_name,
    list_projects,
    list_repositories,
    set_multi_repo_mode,
)
from resolver.naming import InvalidName

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

log = logging.getLogger("manifold.cli")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    _register_serve(subparsers)
    _register_worker(subparsers)
    _register_projects(subparsers)


# -- serve / worker -----------------------------------------------------------------------------


def _register_serve(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="run the GitHub App's webhook server (with its worker)",
        description=(
            "Serve POST /api/github/webhooks, /healthz, /readyz and /metrics. Configured by"
            " MANIFOLD_* environment variables (docs/app.md); MANIFOLD_WEBHOOK_SECRET is"
            " required, and the App's id and private key unless --no-worker."
        ),
    )
    # All interfaces by default: the server runs in a container behind an ingress.
    serve.add_argument("--host", default="0.0.0.0", help="address to bind (default %(default)s)")  # noqa: S104
    serve.add_argument("--port", type=int, default=8080, help="port (default %(default)s)")
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="only accept and queue deliveries; run `manifold worker` elsewhere",
    )
    _log_level(serve)
    serve.set_defaults(handler=_serve)


def _register_worker(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    worker = subparsers.add_parser(
        "worker",
        help="run a standalone worker that processes queued jobs",
        description="Claim jobs from the durable queue and run them until SIGTERM/SIGINT.",
    )
    worker.add_argument(
        "--concurrency", type=int, default=None, help="jobs at once (MANIFOLD_WORKER_CONCURRENCY)"
    )
    worker.add_argument(
        "--port", type=int, default=None, help="also serve /healthz and /metrics on this port"
    )
    _log_level(worker)
    worker.set_defaults(handler=_worker)


def _log_level(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="default %(default)s",
    )


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(DeliveryFilter())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(delivery)s] %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def _startup_settings(*, github: bool, webhooks: bool, **overrides: Any) -> Settings:
    settings = load_settings(**overrides)
    if webhooks:
        settings.require_webhook_secrets()
    if github:
        settings.require_github_app()
        try:
            load_private_key(settings.private_key())
        except ConfigurationError as exc:
            raise SettingsError(f"MANIFOLD_GITHUB_PRIVATE_KEY: {exc.message}") from None
    return settings


def _fail(command: str, message: str, code: int) -> int:
    print(f"manifold {command}: error: {message}", file=sys.stderr)
    return code


def _serve(args: argparse.Namespace) -> int:
    from app.web import create_app

    try:
        settings = _startup_settings(github=not args.no_worker, webhooks=True)
        app = create_app(settings, run_worker=not args.no_worker)
    except SettingsError as exc:
        return _fail("serve", str(exc), EXIT_USAGE)
    configure_logging(args.log_level)
    try:
        web.run_app(app, host=args.host, port=args.port, access_log=None, print=None)
    except SchemaOutOfDate as exc:
        return _fail("serve", str(exc), EXIT_FAILED)
    except (SQLAlchemyError, OSError) as exc:
        where = display_url(settings.database_url)
        return _fail("serve", f"{type(exc).__name__}: {exc} (database {where})", EXIT_FAILED)
    return EXIT_OK


def _worker(args: argparse.Namespace) -> int:
    overrides: dict[str, Any] = {}
    if args.concurrency is not None:
        overrides["worker_concurrency"] = args.concurrency
    try:
        settings = _startup_settings(github=True, webhooks=False, **overrides)
    except SettingsError as exc:
        return _fail("worker", str(exc), EXIT_USAGE)
    configure_logging(args.log_level)
    try:
        asyncio.run(run_worker(settings, port=args.port))
    except SchemaOutOfDate as exc:
        return _fail("worker", str(exc), EXIT_FAILED)
    except (SQLAlchemyError, OSError) as exc:
        where = display_url(settings.database_url)
        return _fail("worker", f"{type(exc).__name__}: {exc} (database {where})", EXIT_FAILED)
    return EXIT_OK


async def run_worker(settings: Settings, *, port: int | None = None) -> None:
    """The standalone worker: run until SIGINT/SIGTERM, then shut down gracefully."""
    from app.bindings import GitHubAppReader
    from app.github.client import GitHubApp
    from app.metrics import Metrics
    from app.routing import Services, build_router, job_kinds
    from app.store import JobQueue
    from app.web import github_settings, open_database
    from app.worker import Worker, WorkerConfig

    engine = await open_database(settings)
    metrics = Metrics()
    try:
        async with aiohttp.ClientSession() as session:
            github = GitHubApp(session, github_settings(settings))
            services = Services(engine, JobQueue(), metrics, GitHubAppReader(github))
            worker = Worker(
                engine,
                services.queue,
                job_kinds(services, build_router()),
                metrics=metrics,
                config=WorkerConfig(concurrency=settings.worker_concurrency),
            )
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            runner = await _side_server(metrics, port) if port is not None else None
            task = asyncio.create_task(worker.run(), name="manifold-worker")
            stopped = asyncio.create_task(stop.wait())
            await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
            stopped.cancel()
            await worker.stop()
            await task
            if runner is not None:
                await runner.cleanup()
    finally:
        await engine.dispose()


async def _side_server(metrics: Any, port: int) -> web.AppRunner:
    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def render(_request: web.Request) -> web.Response:
        from app.metrics import CONTENT_TYPE_LATEST

        return web.Response(body=metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    side = web.Application()
    side.router.add_get("/healthz", healthz)
    side.router.add_get("/metrics", render)
    runner = web.AppRunner(side, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "0.0.0.0", port).start()  # noqa: S104 - a container's probe port
    return runner


# -- projects -----------------------------------------------------------------------------------


def _register_projects(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "projects",
        help="create projects and bind repositories by hand (virtual roots)",
        description=(
            "Projects whose repositories are bound by hand need no orchestrator repository:"
            " their composition root is virtual (every `service`/`mixed` repository, by"
            " alias). Uses MANIFOLD_DATABASE_URL."
        ),
    )
    actions = parser.add_subparsers(dest="projects_command", metavar="ACTION")
    actions.required = True
    modes = [m.value for m in MultiRepoMode]

    create = actions.add_parser("create", help="create a project")
    create.add_argument("name")
    create.add_argument("--mode", choices=modes, default="preview", help="multi_repo_mode")
    create.add_argument("--installation", type=int, help="the GitHub App installation id")
    create.set_defaults(handler=_projects(_create))

    listing = actions.add_parser("list", help="list projects")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=_projects(_list))

    show = actions.add_parser("show", help="show a project and its bound repositories")
    show.add_argument("name")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=_projects(_show))

    bind = actions.add_parser("bind", help="bind a repository to a project")
    bind.add_argument("name", help="the project")
    bind.add_argument("repository", help="OWNER/NAME on GitHub")
    bind.add_argument("--alias", help="default: the repository name")
    bind.add_argument(
        "--role", default="service", choices=["orchestrator", "service", "docs", "mixed"]
    )
    bind.add_argument("--ref", default="main", help="default ref (default %(default)s)")
    bind.add_argument("--services-path", default="services.yaml")
    bind.add_argument("--docs-root", default=None, help="docs root path in the repository")
    bind.add_argument("--installation", type=int, help="the installation that can read it")
    bind.add_argument("--repository-id", type=int, help="GitHub's numeric repository id")
    bind.set_defaults(handler=_projects(_bind))

    unbind = actions.add_parser("unbind", help="remove a repository from a project")
    unbind.add_argument("name")
    unbind.add_argument("alias")
    unbind.set_defaults(handler=_projects(_unbind))

    mode = actions.add_parser("set-mode", help="set multi_repo_mode (off|preview|enforced)")
    mode.add_argument("name")
    mode.add_argument("mode", choices=modes)
    mode.set_defaults(handler=_projects(_set_mode))


ProjectAction = Callable[[AsyncConnection, argparse.Namespace], Awaitable[int]]


def _projects(action: ProjectAction) -> Callable[[argparse.Namespace], int]:
    def handler(args: argparse.Namespace) -> int:
        try:
            settings = load_settings()
        except SettingsError as exc:
            return _fail("projects", str(exc), EXIT_USAGE)
        try:
            return asyncio.run(_with_database(settings, action, args))
        except (NotFound, AlreadyExists, InvalidName, StoreError) as exc:
            return _fail("projects", str(exc), EXIT_FAILED)
        except (SQLAlchemyError, OSError) as exc:
            where = display_url(settings.database_url)
            return _fail("projects", f"{type(exc).__name__}: {exc} (database {where})", 1)

    return handler


async def _with_database(
    settings: Settings, action: ProjectAction, args: argparse.Namespace
) -> int:
    from app.web import open_database

    engine: AsyncEngine = await open_database(settings)
    try:
        async with engine.begin() as conn:
            return await action(conn, args)
    finally:
        await engine.dispose()


async def _project(conn: AsyncConnection, name: str) -> Project:
    project = await get_project_by_name(conn, name)
    if project is None:
        raise NotFound(f"no project named {name!r} (see `manifold projects list`)")
    return project


async def _create(conn: AsyncConnection, args: argparse.Namespace) -> int:
    project = await create_project(
        conn, name=args.name, installation_id=args.installation, multi_repo_mode=args.mode
    )
    print(f"created project {project.name} (id {project.id}, {project.multi_repo_mode})")
    return EXIT_OK


async def _list(conn: AsyncConnection, args: argparse.Namespace) -> int:
    rows = []
    for project in await list_projects(conn):
        repos = await list_repositories(conn, project.id)
        rows.append((project, repos))
    if args.json:
        data = [_project_json(p, r) for p, r in rows]
        print(json.dumps(data, indent=2))
        return EXIT_OK
    if not rows:
        print("no projects")
        return EXIT_OK
    width = max(len(p.name) for p, _ in rows)
    for project, repos in rows:
        root = next((r.alias for r in repos if r.role == "orchestrator"), "(virtual root)")
        print(
            f"{project.name:<{width}}  {project.multi_repo_mode.value:<8}"
            f"  {len(repos):>3} repositories  root: {root}"
        )
    return EXIT_OK


async def _show(conn: AsyncConnection, args: argparse.Namespace) -> int:
    project = await _project(conn, args.name)
    repos = await list_repositories(conn, project.id)
    if args.json:
        print(json.dumps(_project_json(project, repos), indent=2))
        return EXIT_OK
    installation = project.installation_id if project.installation_id is not None else "-"
    print(f"project {project.name} (id {project.id})")
    print(f"  multi_repo_mode: {project.multi_repo_mode.value}")
    print(f"  installation:    {installation}")
    if not repos:
        print("  no repositories bound (`manifold projects bind`)")
    for repo in repos:
        docs = f" docs={repo.docs_root_path}" if repo.docs_root_path else ""
        print(
            f"  {repo.alias:<20} {repo.role:<12} {repo.full_name}@{repo.default_ref}"
            f" services={repo.services_yaml_path}{docs}"
        )
    return EXIT_OK


async def _bind(conn: AsyncConnection, args: argparse.Namespace) -> int:
    project = await _project(conn, args.name)
    owner, slash, name = args.repository.partition("/")
    if not slash or not owner or not name or "/" in name:
        raise InvalidName(f"repository {args.repository!r} must be OWNER/NAME")
    repo = await add_repository(
        conn,
        project.id,
        NewRepository(
            owner=owner,
            name=name,
            alias=args.alias,
            role=args.role,
            external_id=args.repository_id,
            installation_id=args.installation
            if args.installation is not None
            else project.installation_id,
            default_ref=args.ref,
            services_yaml_path=args.services_path,
            docs_root_path=args.docs_root,
        ),
    )
    print(f"bound {repo.full_name} to {project.name} as {repo.alias} ({repo.role})")
    return EXIT_OK


async def _unbind(conn: AsyncConnection, args: argparse.Namespace) -> int:
    project = await _project(conn, args.name)
    if not await delete_repository(conn, project.id, args.alias):
        raise NotFound(f"{args.alias!r} is not bound in project {project.name!r}")
    print(f"unbound {args.alias} from {project.name}")
    return EXIT_OK


async def _set_mode(conn: AsyncConnection, args: argparse.Namespace) -> int:
    project = await _project(conn, args.name)
    updated = await set_multi_repo_mode(conn, project.id, args.mode)
    print(f"{updated.name}: multi_repo_mode {updated.multi_repo_mode.value}")
    return EXIT_OK


def _project_json(project: Project, repos: list[Any]) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "installation_id": project.installation_id,
        "multi_repo_mode": project.multi_repo_mode.value,
        "repositories": [
            {
                "alias": r.alias,
                "role": r.role,
                "owner": r.owner,
                "name": r.name,
                "external_id": r.external_id,
                "installation_id": r.installation_id,
                "default_ref": r.default_ref,
                "services_path": r.services_yaml_path,
                "docs_root_path": r.docs_root_path,
            }
            for r in repos
        ],
    }
