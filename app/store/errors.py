"""The store's error tree: what a caller of `app.store` may catch, and what each one means.

    StoreError
    ├── NotFound          the row a write names does not exist (staff API: 404)
    ├── AlreadyExists     a unique name is taken (staff API: 409)
    │   └── AliasTaken    a repository alias is already bound in that project
    ├── InvalidValue      a value breaks a store invariant (staff API: 400); also a ValueError
    ├── LeaseLost         a worker's lease on a job is no longer valid: stop, do not report
    └── SchemaOutOfDate   the database schema is not the one this Manifold was built for

Names and paths that break upstream's normalization rules raise `resolver.naming.InvalidName`
(a `ValueError` too), so `except ValueError` catches every "bad input" case.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base of every error `app.store` raises on purpose."""


class NotFound(StoreError, LookupError):
    """The object a write refers to does not exist."""


class AlreadyExists(StoreError):
    """A value that must be unique is already taken."""


class AliasTaken(AlreadyExists):
    def __init__(self, project_id: int, alias: str) -> None:
        super().__init__(f"alias {alias!r} is already bound in project {project_id}")
        self.project_id = project_id
        self.alias = alias


class InvalidValue(StoreError, ValueError):
    """A value breaks a store invariant (e.g. an unknown `multi_repo_mode`)."""


class LeaseLost(StoreError):
    """The job's lease expired and was taken over, or the job is no longer running.

    The worker holding the stale lease must stop working on the job and must not report a
    result: another worker owns the job now (or it was finished already).
    """

    def __init__(self, job_id: int, token: str) -> None:
        super().__init__(f"lease {token[:8]}… on job {job_id} is no longer held")
        self.job_id = job_id
        self.token = token


class SchemaOutOfDate(StoreError):
    """The database schema revision differs from the revision this code needs."""

    def __init__(self, message: str, *, current: str | None, head: str) -> None:
        super().__init__(message)
        self.current = current
        self.head = head
