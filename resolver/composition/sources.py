"""Fragment sources: the protocol the core reads repositories through, the ref rules every
source shares, and an in-memory source.

A source answers three questions about a bound repository (named by its alias): which full
commit a ref names, what a file holds at a commit, and what a directory lists at a commit.
Reads are always *at a commit*, never from a work tree, so a composition is reproducible.

Ref rules (`pick_commit`, shared by every source): an empty ref or `HEAD` is the repository's
current head; a full hex SHA names that commit and nothing else; `refs/heads/X` and
`refs/tags/X` name exactly that ref; a bare name `X` is looked up as `refs/heads/X` and
`refs/tags/X` (tags peeled to their commit), and if both exist the name is ambiguous, which is
an error. Abbreviated SHAs are not accepted (a hint says which commit was probably meant).

`MemorySource` (pure) serves tests, benchmarks and callers that already hold the bytes.
The git- and directory-backed `LocalSource` lives in `resolver.composition.localsource`.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from resolver.diagnostics import Code, did_you_mean

FULL_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
SHORT_SHA = re.compile(r"[0-9a-f]{4,39}")


class SourceError(Exception):
    """A source could not answer: the ref, repository or file is not usable.

    Carries the diagnostic vocabulary so the core can report it with a location.
    """

    def __init__(self, code: Code, reason: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.hint = hint

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SourceError) and (
            self.code,
            self.reason,
            self.message,
            self.hint,
        ) == (other.code, other.reason, other.message, other.hint)

    def __hash__(self) -> int:
        return hash((self.code, self.reason, self.message))


@runtime_checkable
class FragmentSource(Protocol):
    """Synchronous access to bound repositories (the CLI's and the tests' side)."""

    def resolve_ref(self, alias: str, ref: str) -> str:
        """The full commit SHA `ref` names; raises `SourceError`."""
        ...

    def read_file(self, alias: str, commit: str, path: str) -> bytes | None:
        """The file's bytes at `commit`, or None when there is no such file."""
        ...

    def list_dir(self, alias: str, commit: str, path: str) -> list[str] | None:
        """Entry names of a directory at `commit` (sub-directories end in `/`), or None."""
        ...


class AsyncFragmentSource(Protocol):
    """The same three questions, asynchronously (the GitHub App's side)."""

    async def resolve_ref(self, alias: str, ref: str) -> str: ...

    async def read_file(self, alias: str, commit: str, path: str) -> bytes | None: ...

    async def list_dir(self, alias: str, commit: str, path: str) -> list[str] | None: ...


def pick_commit(
    alias: str,
    ref: str,
    *,
    head: str | None,
    heads: Mapping[str, str],
    tags: Mapping[str, str],
    commit_exists: Callable[[str], bool],
    expand_short: Callable[[str], str | None] = lambda _short: None,
) -> str:
    """Apply the ref rules; `heads`/`tags` map short names to (peeled) commits."""
    wanted = ref.strip()
    if not wanted or wanted == "HEAD":
        if head:
            return head
        raise SourceError(
            Code.NOT_FOUND,
            "ref_not_found",
            f"repository `{alias}` has no HEAD commit (an empty repository?)",
            "commit something, or name a ref explicitly",
        )
    if FULL_SHA.fullmatch(wanted.lower()):
        sha = wanted.lower()
        if commit_exists(sha):
            return sha
        raise SourceError(
            Code.NOT_FOUND,
            "ref_not_found",
            f"commit `{sha}` does not exist in repository `{alias}`",
            "fetch the commit, or check the SHA",
        )
    if wanted.startswith("refs/heads/"):
        found = heads.get(wanted.removeprefix("refs/heads/"))
    elif wanted.startswith("refs/tags/"):
        found = tags.get(wanted.removeprefix("refs/tags/"))
    else:
        branch, tag = heads.get(wanted), tags.get(wanted)
        if branch is not None and tag is not None:
            raise SourceError(
                Code.INVALID_ARGUMENT,
                "ambiguous_ref",
                f"ref `{wanted}` of repository `{alias}` is ambiguous: both a branch and a tag "
                f"have that name ({branch[:12]} and {tag[:12]})",
                f"write `refs/heads/{wanted}` or `refs/tags/{wanted}`, or pin a full commit SHA",
            )
        found = branch if branch is not None else tag
    if found is not None:
        return found
    hint = ""
    if SHORT_SHA.fullmatch(wanted.lower()):
        full = expand_short(wanted.lower())
        if full:
            hint = f"abbreviated SHAs are not accepted; did you mean `{full}`?"
    if not hint:
        names = [*heads, *tags]
        hint = did_you_mean(wanted.rsplit("/", 1)[-1], names) or (
            "known refs: " + ", ".join(sorted(set(names))[:10])
            if names
            else "the repository has no refs"
        )
    raise SourceError(
        Code.NOT_FOUND,
        "ref_not_found",
        f"ref `{wanted}` does not exist in repository `{alias}`",
        hint,
    )


def list_from_paths(paths: Iterable[str], directory: str) -> list[str] | None:
    """Directory entries derived from a flat list of file paths (None: no such directory)."""
    prefix = "" if directory in ("", ".") else directory.rstrip("/") + "/"
    entries: set[str] = set()
    for path in paths:
        if not path.startswith(prefix):
            continue
        rest = path[len(prefix) :]
        head, sep, _ = rest.partition("/")
        entries.add(head + "/" if sep else head)
    if not entries and prefix:
        return None
    return sorted(entries)


def content_hash(digests: Mapping[str, bytes]) -> str:
    """A 40-hex hash of (path, sha256 of content) pairs: the pseudo-commit of a file set."""
    digest = hashlib.sha1(usedforsecurity=False)
    for path in sorted(digests):
        digest.update(path.encode("utf-8", "surrogateescape") + b"\0" + digests[path])
    return digest.hexdigest()


@dataclass(slots=True)
class MemoryRepo:
    commits: dict[str, dict[str, bytes]] = field(default_factory=dict)
    heads: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    head: str | None = None


class MemorySource:
    """Repositories held in memory, with git's ref rules. Commits are content hashes."""

    def __init__(self) -> None:
        self.repos: dict[str, MemoryRepo] = {}
        self.calls: list[tuple[str, ...]] = []

    def commit(
        self,
        alias: str,
        files: Mapping[str, bytes | str],
        *,
        branch: str | None = "main",
        tag: str | None = None,
        parent: str | None = None,
    ) -> str:
        """Add a commit (files of `parent` carried over), move `branch`/`tag` to it."""
        repo = self.repos.setdefault(alias, MemoryRepo())
        content = dict(repo.commits.get(parent, {})) if parent else {}
        for path, data in files.items():
            content[path] = data.encode() if isinstance(data, str) else data
        digests = {p: hashlib.sha256(d).digest() for p, d in content.items()}
        sha = content_hash({**digests, "\0parent": (parent or "").encode()})
        repo.commits[sha] = content
        if branch:
            repo.heads[branch] = sha
            if repo.head is None or branch == "main":
                repo.head = sha
        if tag:
            repo.tags[tag] = sha
        return sha

    def _repo(self, alias: str) -> MemoryRepo:
        repo = self.repos.get(alias)
        if repo is None:
            raise SourceError(
                Code.NOT_FOUND, "repository_not_found", f"repository `{alias}` is not available"
            )
        return repo

    def resolve_ref(self, alias: str, ref: str) -> str:
        self.calls.append(("resolve_ref", alias, ref))
        repo = self._repo(alias)
        return pick_commit(
            alias,
            ref,
            head=repo.head,
            heads=repo.heads,
            tags=repo.tags,
            commit_exists=lambda sha: sha in repo.commits,
            expand_short=lambda short: _unique_prefix(repo.commits, short),
        )

    def read_file(self, alias: str, commit: str, path: str) -> bytes | None:
        self.calls.append(("read_file", alias, commit, path))
        files = self._files(alias, commit)
        return files.get(posixpath.normpath(path))

    def list_dir(self, alias: str, commit: str, path: str) -> list[str] | None:
        self.calls.append(("list_dir", alias, commit, path))
        return list_from_paths(self._files(alias, commit), posixpath.normpath(path))

    def _files(self, alias: str, commit: str) -> dict[str, bytes]:
        files = self._repo(alias).commits.get(commit)
        if files is None:
            raise SourceError(
                Code.NOT_FOUND,
                "commit_not_found",
                f"commit `{commit}` does not exist in repository `{alias}`",
            )
        return files


def _unique_prefix(commits: Mapping[str, object], short: str) -> str | None:
    matches = [sha for sha in commits if sha.startswith(short)]
    return matches[0] if len(matches) == 1 else None
