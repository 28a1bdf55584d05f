"""Job values and the retry policy of the durable queue (pure: no I/O).

A job moves through these states (see docs/persistence.md)::

    pending ──claim──▶ running ──complete──▶ succeeded
       ▲                  │ │
       └──fail (retry)────┘ └──fail (last attempt / permanent)──▶ dead
    pending ──newer job, same coalesce key──▶ superseded
    running, lease expired ──claim──▶ running again (new token), or dead / superseded
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class JobStatus(StrEnum):
    PENDING = "pending"  # waiting to run (maybe until `run_after`, after a failed attempt)
    RUNNING = "running"  # leased by a worker until `lease_expires_at`
    SUCCEEDED = "succeeded"
    DEAD = "dead"  # dead-lettered: out of attempts, or failed permanently
    SUPERSEDED = "superseded"  # replaced by a newer job with the same coalesce key

    @property
    def finished(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.DEAD, JobStatus.SUPERSEDED)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter, and how many attempts a job gets by default.

    The delay before attempt n+1, after attempt n failed, is
    `d = min(max_delay, base_delay * factor ** (n - 1))`, shortened at random by up to
    `jitter * d` (so it lies in `[(1 - jitter) * d, d]`), which keeps retries of jobs that
    failed together from arriving together.
    """

    base_delay: timedelta = timedelta(seconds=5)
    factor: float = 2.0
    max_delay: timedelta = timedelta(minutes=30)
    jitter: float = 0.5
    max_attempts: int = 5

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError("jitter must be between 0 and 1")
        if self.factor < 1.0:
            raise ValueError("factor must be at least 1")

    def delay(self, attempt: int, rng: random.Random) -> timedelta:
        """The wait after failed attempt number `attempt` (1-based)."""
        exponent = max(attempt, 1) - 1
        ceiling = self.max_delay.total_seconds()
        raw = min(ceiling, self.base_delay.total_seconds() * self.factor**exponent)
        return timedelta(seconds=raw * (1.0 - self.jitter * rng.random()))


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    queue: str
    kind: str
    payload: Mapping[str, Any]
    status: JobStatus
    idempotency_key: str | None
    coalesce_key: str | None
    attempts: int  # attempts started so far (a claim starts one)
    max_attempts: int
    run_after: datetime
    lease_expires_at: datetime | None
    locked_by: str | None
    last_error: str | None
    correlation_id: str | None
    superseded_by: int | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class Lease:
    """A worker's right to run one attempt of a job: present it to heartbeat/complete/fail.

    `token` is new for every claim; the store accepts a report only with the current token,
    so a worker whose lease expired and was taken over cannot report (it gets `LeaseLost`).
    """

    job_id: int
    token: str
    attempt: int
    max_attempts: int
    worker_id: str
    claimed_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    job: Job
    lease: Lease

    @property
    def id(self) -> int:
        return self.job.id

    @property
    def kind(self) -> str:
        return self.job.kind

    @property
    def payload(self) -> Mapping[str, Any]:
        return self.job.payload


@dataclass(frozen=True, slots=True)
class Enqueued:
    job: Job
    created: bool  # False: a job with this idempotency key existed; `job` is that job
    superseded: tuple[int, ...] = ()  # pending jobs this one replaced (same coalesce key)
