"""The sans-I/O seam between the composition core and a `FragmentSource`.

The core never calls a source. Each stage that needs data is a generator (`Steps[T]`) that
yields a batch of `Request`s and resumes once the driver has put every outcome into the
shared `Fetcher`; the generator's return value is the stage's result. A synchronous driver
(`run_sync`) serves the CLI and tests; an asyncio driver (`run_async`) serves the App and
fetches each batch concurrently (one batch = one level of the import graph).

Outcomes are data: `str` (a commit), `bytes | None` (a file or its absence),
`list[str] | None` (a directory listing), or a `SourceError`. Any other exception raised by
a source is a bug or an outage and propagates to the caller unchanged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Generator, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from resolver.composition.sources import AsyncFragmentSource, FragmentSource

T = TypeVar("T")


@dataclass(frozen=True, slots=True, order=True)
class ResolveRef:
    alias: str
    ref: str


@dataclass(frozen=True, slots=True, order=True)
class ReadFile:
    alias: str
    commit: str
    path: str


@dataclass(frozen=True, slots=True, order=True)
class ListDir:
    alias: str
    commit: str
    path: str


Request = ResolveRef | ReadFile | ListDir
Steps = Generator[list[Request], None, T]


class Fetcher:
    """Every outcome fetched during one composition, keyed by request (each asked once)."""

    def __init__(self) -> None:
        self.outcomes: dict[Request, object] = {}

    def need(self, requests: Iterable[Request]) -> Steps[None]:
        """Yield the requests not answered yet (sorted: drivers see a stable order)."""
        missing = sorted({r for r in requests if r not in self.outcomes}, key=_request_key)
        if missing:
            yield missing

    def get(self, request: Request) -> object:
        return self.outcomes[request]


def _request_key(request: Request) -> tuple[str, ...]:
    if isinstance(request, ResolveRef):
        return ("0", request.alias, request.ref)
    return (
        "1" if isinstance(request, ReadFile) else "2",
        request.alias,
        request.commit,
        request.path,
    )


def perform(source: FragmentSource, request: Request) -> object:
    from resolver.composition.sources import SourceError

    try:
        if isinstance(request, ResolveRef):
            return source.resolve_ref(request.alias, request.ref)
        if isinstance(request, ReadFile):
            return source.read_file(request.alias, request.commit, request.path)
        return source.list_dir(request.alias, request.commit, request.path)
    except SourceError as exc:
        return exc


async def perform_async(source: AsyncFragmentSource, request: Request) -> object:
    from resolver.composition.sources import SourceError

    try:
        if isinstance(request, ResolveRef):
            return await source.resolve_ref(request.alias, request.ref)
        if isinstance(request, ReadFile):
            return await source.read_file(request.alias, request.commit, request.path)
        return await source.list_dir(request.alias, request.commit, request.path)
    except SourceError as exc:
        return exc


def run_sync(steps: Steps[T], fetcher: Fetcher, source: FragmentSource) -> T:
    while True:
        try:
            batch = next(steps)
        except StopIteration as stop:
            result: T = stop.value
            return result
        for request in batch:
            fetcher.outcomes[request] = perform(source, request)


async def run_async(
    steps: Steps[T], fetcher: Fetcher, source: AsyncFragmentSource, *, concurrency: int = 16
) -> T:
    limit = asyncio.Semaphore(concurrency)

    async def one(request: Request) -> None:
        async with limit:
            fetcher.outcomes[request] = await perform_async(source, request)

    while True:
        try:
            batch = next(steps)
        except StopIteration as stop:
            result: T = stop.value
            return result
        await asyncio.gather(*(one(r) for r in batch))
