"""Loading fragments through the sans-I/O seam: one batch of reads per graph level.

`FragmentLoader` keeps every fragment it loaded (or the reason it could not: `None` for a
missing file, a `SourceError` otherwise), keyed by identity, so a fragment reached several
times is fetched and parsed once. Local `spec.imports` need files the loader cannot know in
advance: the pure loader asks for them through callables that raise `_Miss` for a file not
fetched yet; the loader yields that request and retries.
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Callable

from resolver.composition.fetch import Fetcher, ListDir, ReadFile, Request, Steps
from resolver.composition.fragment import Fragment, FragmentId, load_fragment
from resolver.composition.sources import SourceError


class _Miss(BaseException):
    """A file the loader needs is not fetched yet (BaseException: no handler swallows it)."""

    def __init__(self, request: Request) -> None:
        self.request = request


class FragmentLoader:
    def __init__(self, fetcher: Fetcher, *, strict: bool = False) -> None:
        self.fetcher = fetcher
        self.strict = strict
        self.loaded: dict[FragmentId, Fragment | SourceError | None] = {}

    def fragment(self, fid: FragmentId) -> Fragment | None:
        found = self.loaded.get(fid)
        return found if isinstance(found, Fragment) else None

    def load_many(self, ids: list[FragmentId]) -> Steps[None]:
        """Fetch and load every fragment not loaded yet (one batch of reads)."""
        todo = [fid for fid in ids if fid not in self.loaded]
        yield from self.fetcher.need(ReadFile(f.alias, f.commit, f.path) for f in todo)
        for fid in sorted(todo):
            outcome = self.fetcher.get(ReadFile(fid.alias, fid.commit, fid.path))
            if outcome is None or isinstance(outcome, SourceError):
                self.loaded[fid] = outcome
                continue
            self.loaded[fid] = yield from self.load_one(fid)

    def load_one(self, fid: FragmentId) -> Steps[Fragment]:
        def read(path: str) -> bytes | None:
            request = ReadFile(fid.alias, fid.commit, posixpath.normpath(path))
            if request not in self.fetcher.outcomes:
                raise _Miss(request)
            outcome = self.fetcher.get(request)
            return outcome if isinstance(outcome, bytes) else None

        def listing(directory: str) -> list[str]:
            request = ListDir(fid.alias, fid.commit, directory or ".")
            if request not in self.fetcher.outcomes:
                raise _Miss(request)
            outcome = self.fetcher.get(request)
            return outcome if isinstance(outcome, list) else []

        def glob(pattern: str) -> list[str]:
            return _glob(pattern, listing)

        while True:
            try:
                return load_fragment(fid, read, glob, strict=self.strict)
            except _Miss as miss:
                yield from self.fetcher.need([miss.request])


def _glob(pattern: str, list_dir: Callable[[str], list[str]]) -> list[str]:
    """Go's filepath.Glob over a repository at a commit (segment-wise; `*` stops at `/`)."""
    parts = [p for p in pattern.split("/") if p and p != "."]
    found = [""]
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        nxt = []
        for base in found:
            entries = list_dir(base)
            for entry in entries:
                is_dir = entry.endswith("/")
                name = entry.rstrip("/")
                if fnmatch.fnmatchcase(name, part) and (is_dir or last):
                    nxt.append(posixpath.join(base, name) if base else name)
        found = nxt
    return sorted(found)
