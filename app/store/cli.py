"""`manifold db`: apply, revert and inspect the schema migrations.

    manifold db upgrade [--revision head]   apply migrations (default: all)
    manifold db downgrade REVISION          revert to REVISION (`base` removes every table)
    manifold db current                     show the schema revision and whether it is current

The database is `MANIFOLD_DATABASE_URL` (default `sqlite+aiosqlite:///./manifold.db`).
Registered through the `manifold.commands` entry point, so `resolver` never imports it.
Exit codes: 0 success, 1 the database or a migration failed, 2 usage (bad URL or revision).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable

from alembic.util import CommandError
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.store import migrate
from app.store.engine import DATABASE_URL_ENV, create_engine, database_url_from_env, display_url

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "db",
        help="manage the database schema (migrations)",
        description=(
            f"Apply, revert and inspect schema migrations of the database named by"
            f" {DATABASE_URL_ENV} (default: a SQLite file ./manifold.db)."
        ),
    )
    actions = parser.add_subparsers(dest="db_command", metavar="ACTION")
    actions.required = True

    upgrade = actions.add_parser("upgrade", help="apply migrations (default: up to head)")
    upgrade.add_argument(
        "--revision", default="head", help="revision to upgrade to (default: %(default)s)"
    )
    upgrade.set_defaults(handler=_upgrade)

    downgrade = actions.add_parser("downgrade", help="revert migrations down to REVISION")
    downgrade.add_argument("revision", help="revision to keep; `base` removes every table")
    downgrade.set_defaults(handler=_downgrade)

    current = actions.add_parser("current", help="show the schema revision of the database")
    current.set_defaults(handler=_current)


def _upgrade(args: argparse.Namespace) -> int:
    revision: str = args.revision

    async def action(engine: AsyncEngine) -> int:
        before = await migrate.current_revision(engine)
        after = await migrate.upgrade(engine, revision)
        if before == after.current:
            print(f"{display_url(engine.url)}: already at {_describe(after)}")
        else:
            print(f"{display_url(engine.url)}: upgraded {before or 'base'} -> {_describe(after)}")
        return EXIT_OK

    return _run(action)


def _downgrade(args: argparse.Namespace) -> int:
    revision: str = args.revision

    async def action(engine: AsyncEngine) -> int:
        before = await migrate.current_revision(engine)
        after = await migrate.downgrade(engine, revision)
        print(f"{display_url(engine.url)}: downgraded {before or 'base'} -> {_describe(after)}")
        return EXIT_OK

    return _run(action)


def _current(_args: argparse.Namespace) -> int:
    async def action(engine: AsyncEngine) -> int:
        status = await migrate.schema_status(engine)
        print(f"{display_url(engine.url)}: {_describe(status)}")
        return EXIT_OK

    return _run(action)


def _describe(status: migrate.SchemaStatus) -> str:
    if status.current is None:
        return f"base (empty; head is {status.head})"
    if status.up_to_date:
        return f"{status.current} (head)"
    if not status.known:
        return f"{status.current} (unknown to this Manifold, whose head is {status.head})"
    return f"{status.current} (behind head {status.head}: run `manifold db upgrade`)"


def _run(action: Callable[[AsyncEngine], Awaitable[int]]) -> int:
    url = database_url_from_env()
    try:
        engine = create_engine(url)
    except (ArgumentError, ValueError) as exc:
        print(f"manifold db: error: {DATABASE_URL_ENV}: {exc}", file=sys.stderr)
        return EXIT_USAGE

    async def main() -> int:
        try:
            return await action(engine)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except CommandError as exc:
        print(f"manifold db: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (SQLAlchemyError, OSError) as exc:
        print(f"manifold db: error: {display_url(url)}: {exc}", file=sys.stderr)
        return EXIT_FAILED
