"""What Manifold posted on GitHub, so that it updates instead of posting again.

Per repository and head commit: the check run id (one per check name). Per pull request: the
sticky comment id (one per purpose). Each remembers the hash of the last body sent, so an
unchanged report is not sent again (`body_hash`). Repositories are keyed by the provider's
stable id (GitHub's numeric `repository.id`, stored as text), which survives renames.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from app.store._sql import clean_text, insert, utcnow
from app.store.schema import check_runs, comments


def body_hash(body: str) -> str:
    """`sha256:<hex>` of a rendered body, for change detection."""
    return "sha256:" + hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class CheckRunRecord:
    repository_external_id: str
    head_sha: str
    name: str
    pull_number: int | None
    check_run_id: int
    status: str
    conclusion: str | None
    body_hash: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CommentRecord:
    repository_external_id: str
    pull_number: int
    purpose: str
    comment_id: int
    head_sha: str | None
    body_hash: str | None
    created_at: datetime
    updated_at: datetime


async def get_check_run(
    conn: AsyncConnection, *, repository_external_id: str | int, head_sha: str, name: str
) -> CheckRunRecord | None:
    stmt = sa.select(check_runs).where(
        check_runs.c.repository_external_id == str(repository_external_id),
        check_runs.c.head_sha == head_sha,
        check_runs.c.name == name,
    )
    row = (await conn.execute(stmt)).one_or_none()
    return _check_run(row._mapping) if row else None


async def save_check_run(
    conn: AsyncConnection,
    *,
    repository_external_id: str | int,
    head_sha: str,
    name: str,
    check_run_id: int,
    status: str,
    conclusion: str | None = None,
    body_hash: str | None = None,
    pull_number: int | None = None,
) -> CheckRunRecord:
    """Create or update the record of check run `name` on `head_sha`."""
    now = utcnow()
    values: dict[str, Any] = {
        "repository_external_id": clean_text(
            str(repository_external_id), "repository id", max_length=64
        ),
        "head_sha": clean_text(head_sha, "head sha", max_length=64),
        "name": clean_text(name, "check name"),
        "pull_number": pull_number,
        "check_run_id": check_run_id,
        "status": clean_text(status, "check status", max_length=32),
        "conclusion": conclusion,
        "body_hash": body_hash,
    }
    update = {k: values[k] for k in ("check_run_id", "status", "conclusion", "body_hash")}
    if pull_number is not None:
        update["pull_number"] = pull_number
    stmt = (
        insert(conn, check_runs)
        .values(created_at=now, updated_at=now, **values)
        .on_conflict_do_update(
            index_elements=[
                check_runs.c.repository_external_id,
                check_runs.c.head_sha,
                check_runs.c.name,
            ],
            set_={**update, "updated_at": now},
        )
        .returning(*check_runs.c)
    )
    return _check_run((await conn.execute(stmt)).one()._mapping)


async def get_comment(
    conn: AsyncConnection,
    *,
    repository_external_id: str | int,
    pull_number: int,
    purpose: str = "summary",
) -> CommentRecord | None:
    stmt = sa.select(comments).where(
        comments.c.repository_external_id == str(repository_external_id),
        comments.c.pull_number == pull_number,
        comments.c.purpose == purpose,
    )
    row = (await conn.execute(stmt)).one_or_none()
    return _comment(row._mapping) if row else None


async def save_comment(
    conn: AsyncConnection,
    *,
    repository_external_id: str | int,
    pull_number: int,
    comment_id: int,
    body_hash: str | None,
    head_sha: str | None = None,
    purpose: str = "summary",
) -> CommentRecord:
    """Create or update the record of the pull request's sticky comment for `purpose`."""
    now = utcnow()
    values: dict[str, Any] = {
        "repository_external_id": clean_text(
            str(repository_external_id), "repository id", max_length=64
        ),
        "pull_number": pull_number,
        "purpose": clean_text(purpose, "comment purpose", max_length=64),
        "comment_id": comment_id,
        "head_sha": head_sha,
        "body_hash": body_hash,
    }
    stmt = (
        insert(conn, comments)
        .values(created_at=now, updated_at=now, **values)
        .on_conflict_do_update(
            index_elements=[
                comments.c.repository_external_id,
                comments.c.pull_number,
                comments.c.purpose,
            ],
            set_={
                "comment_id": comment_id,
                "head_sha": head_sha,
                "body_hash": body_hash,
                "updated_at": now,
            },
        )
        .returning(*comments.c)
    )
    return _comment((await conn.execute(stmt)).one()._mapping)


async def forget_comment(
    conn: AsyncConnection,
    *,
    repository_external_id: str | int,
    pull_number: int,
    purpose: str = "summary",
) -> bool:
    """Drop the record (e.g. someone deleted the comment on GitHub: post a new one)."""
    stmt = (
        comments.delete()
        .where(
            comments.c.repository_external_id == str(repository_external_id),
            comments.c.pull_number == pull_number,
            comments.c.purpose == purpose,
        )
        .returning(comments.c.id)
    )
    return (await conn.execute(stmt)).one_or_none() is not None


def _check_run(row: RowMapping) -> CheckRunRecord:
    return CheckRunRecord(
        repository_external_id=row["repository_external_id"],
        head_sha=row["head_sha"],
        name=row["name"],
        pull_number=row["pull_number"],
        check_run_id=row["check_run_id"],
        status=row["status"],
        conclusion=row["conclusion"],
        body_hash=row["body_hash"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _comment(row: RowMapping) -> CommentRecord:
    return CommentRecord(
        repository_external_id=row["repository_external_id"],
        pull_number=row["pull_number"],
        purpose=row["purpose"],
        comment_id=row["comment_id"],
        head_sha=row["head_sha"],
        body_hash=row["body_hash"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
