"""`GitHubSource`: the composition core's `AsyncFragmentSource`, backed by the GitHub API.

Refs follow `resolver.composition.sources.pick_commit`'s rules exactly: empty or `HEAD` is
the default branch's head; a full SHA must name an existing commit; `refs/heads/X` and
`refs/tags/X` are exact; a bare `X` is looked up as both a branch and a tag (annotated tags
peeled) and is ambiguous when both exist. Ref look-ups are conditional requests, so an
unchanged ref costs a 304 and no rate limit.

Files are read at a commit through git objects, never through a work tree: the commit's
root tree, the trees along the path, then the blob. Trees and blobs are immutable and
addressed by SHA, so `ObjectCache` (one per process, bounded in bytes) keeps them across
previews: a file that did not change between two commits has the same blob SHA and is not
fetched again, and a directory whose content did not change has the same tree SHA. A
preview of N repositories where nothing changed therefore costs only the ref look-ups (all
304s); a push costs one request for the new root tree plus one per changed file it reads.
Concurrent reads of the same object share one request.
"""

from __future__ import annotations

import asyncio
import posixpath
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from cachetools import LRUCache

from app.github.client import GitHubApp, InstallationClient, repo_url
from app.github.errors import ConflictError, ForbiddenError, NotFoundError, PermanentError
from app.github.models import GitTree, TreeEntry
from resolver.composition.sources import FULL_SHA, SHORT_SHA, SourceError, pick_commit
from resolver.composition.workspace import Workspace
from resolver.diagnostics import Code

T = TypeVar("T")

DEFAULT_MAX_FILE_BYTES = 16 << 20
MAX_TAG_DEPTH = 8
_SYMLINK = "120000"


@dataclass(frozen=True, slots=True)
class GitHubRepository:
    """A bound repository as the App reaches it."""

    alias: str
    owner: str
    name: str
    installation_id: int

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


def _sizeof(value: Any) -> int:
    if isinstance(value, bytes):
        return len(value) + 64
    if isinstance(value, dict):
        return 64 + sum(len(name) + 160 for name in value)
    return 128


class ObjectCache:
    """Immutable git objects (trees, blobs, commit roots, peeled tags) by repository and SHA.

    Shared by every preview in the process; an LRU bounded in bytes.
    """

    def __init__(self, max_bytes: int = 128 << 20) -> None:
        self._entries: LRUCache[tuple[str, str, str], Any] = LRUCache(
            maxsize=max_bytes, getsizeof=_sizeof
        )

    def get(self, kind: str, repo: str, sha: str) -> Any:
        return self._entries.get((kind, repo, sha))

    def put(self, kind: str, repo: str, sha: str, value: Any) -> None:
        if _sizeof(value) <= self._entries.maxsize:
            self._entries[(kind, repo, sha)] = value

    def __len__(self) -> int:
        return len(self._entries)


Tree = dict[str, TreeEntry]  # entry name -> entry


class GitHubSource:
    """Bound repositories read through the GitHub API (an `AsyncFragmentSource`)."""

    def __init__(
        self,
        app: GitHubApp,
        repositories: Iterable[GitHubRepository],
        *,
        cache: ObjectCache | None = None,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        recursive_roots: bool = True,
    ) -> None:
        self.app = app
        self.repositories = {repo.alias: repo for repo in repositories}
        self.cache = cache if cache is not None else ObjectCache()
        self.max_file_bytes = max_file_bytes
        self.recursive_roots = recursive_roots
        self._inflight: dict[tuple[str, ...], asyncio.Future[Any]] = {}

    @classmethod
    def for_workspace(
        cls,
        app: GitHubApp,
        workspace: Workspace,
        installation_id: int,
        *,
        cache: ObjectCache | None = None,
    ) -> GitHubSource:
        """Every binding of `workspace` that names an owner and a repository."""
        repos = [
            GitHubRepository(b.alias, b.owner, b.name, installation_id)
            for b in workspace.repositories
            if b.owner and b.name
        ]
        return cls(app, repos, cache=cache)

    # -- the protocol ----------------------------------------------------------------------

    async def resolve_ref(self, alias: str, ref: str) -> str:
        repo = self._repo(alias)
        client = self.app.installation(repo.installation_id)
        wanted = ref.strip()
        try:
            if not wanted or wanted == "HEAD":
                info = await client.get_repository(repo.owner, repo.name)
                head = await self._peeled_ref(client, repo, f"heads/{info.default_branch}")
                return pick_commit(alias, wanted, head=head, heads={}, tags={}, commit_exists=bool)
            if FULL_SHA.fullmatch(wanted.lower()):
                exists = await self._commit_exists(client, repo, wanted.lower())
                return pick_commit(
                    alias, wanted, head=None, heads={}, tags={}, commit_exists=lambda _: exists
                )
            heads, tags = await self._named_refs(client, repo, wanted)
            try:
                return pick_commit(
                    alias, wanted, head=None, heads=heads, tags=tags, commit_exists=lambda _: False
                )
            except SourceError as missing:
                if missing.reason != "ref_not_found":
                    raise
                return await self._explain_missing(client, repo, wanted)
        except NotFoundError:
            raise self._unreachable(repo) from None
        except ConflictError:
            raise SourceError(
                Code.NOT_FOUND,
                "ref_not_found",
                f"repository `{alias}` ({repo.full_name}) is empty: it has no commits",
                "push a first commit",
            ) from None
        except ForbiddenError as exc:
            raise self._forbidden(repo, exc) from None

    async def read_file(self, alias: str, commit: str, path: str) -> bytes | None:
        repo = self._repo(alias)
        client = self.app.installation(repo.installation_id)
        clean = posixpath.normpath(path.strip("/")) if path.strip("/") else "."
        if clean == "." or clean.startswith("../") or clean == "..":
            return None
        try:
            directory, _, name = clean.rpartition("/")
            tree = await self._tree_at(client, repo, commit, directory)
            entry = tree.get(name) if tree is not None else None
            if entry is None or entry.type != "blob" or entry.mode == _SYMLINK:
                return None  # absent, a directory, a submodule or a symlink
            if entry.size is not None and entry.size > self.max_file_bytes:
                raise SourceError(
                    Code.FAILED_PRECONDITION,
                    "file_too_large",
                    f"`{clean}` in repository `{alias}` is {entry.size} bytes, more than "
                    f"{self.max_file_bytes} bytes Manifold reads",
                    "keep services.yaml fragments small; split large files",
                )
            return await self._blob(client, repo, entry.sha)
        except NotFoundError:
            raise self._unreachable(repo) from None
        except ForbiddenError as exc:
            raise self._forbidden(repo, exc) from None

    async def list_dir(self, alias: str, commit: str, path: str) -> list[str] | None:
        repo = self._repo(alias)
        client = self.app.installation(repo.installation_id)
        clean = posixpath.normpath(path.strip("/")) if path.strip("/") else "."
        if clean.startswith("../") or clean == "..":
            return None
        try:
            tree = await self._tree_at(client, repo, commit, "" if clean == "." else clean)
        except NotFoundError:
            raise self._unreachable(repo) from None
        except ForbiddenError as exc:
            raise self._forbidden(repo, exc) from None
        if tree is None:
            return None
        return sorted(name + "/" if entry.type == "tree" else name for name, entry in tree.items())

    # -- refs ------------------------------------------------------------------------------

    def _repo(self, alias: str) -> GitHubRepository:
        repo = self.repositories.get(alias)
        if repo is None:
            raise SourceError(
                Code.PERMISSION_DENIED,
                "unbound_repository",
                f"repository `{alias}` is not bound to this project",
            )
        return repo

    async def _named_refs(
        self, client: InstallationClient, repo: GitHubRepository, wanted: str
    ) -> tuple[dict[str, str], dict[str, str]]:
        if wanted.startswith("refs/heads/"):
            name = wanted.removeprefix("refs/heads/")
            sha = await self._peeled_ref(client, repo, f"heads/{name}")
            return ({name: sha} if sha else {}), {}
        if wanted.startswith("refs/tags/"):
            name = wanted.removeprefix("refs/tags/")
            sha = await self._peeled_ref(client, repo, f"tags/{name}")
            return {}, ({name: sha} if sha else {})
        if wanted.startswith("refs/"):
            return {}, {}
        branch, tag = await asyncio.gather(
            self._peeled_ref(client, repo, f"heads/{wanted}"),
            self._peeled_ref(client, repo, f"tags/{wanted}"),
        )
        return ({wanted: branch} if branch else {}), ({wanted: tag} if tag else {})

    async def _peeled_ref(
        self, client: InstallationClient, repo: GitHubRepository, ref: str
    ) -> str | None:
        """The commit a ref points at (annotated tags peeled), None when there is no such ref."""
        # matching-refs, not get-ref: "no such ref" is then an empty 200 with an ETag, so
        # the tag look-up of every bare branch name costs a 304 on the next preview
        matches = await client.matching_refs(repo.owner, repo.name, ref)
        found = next((m for m in matches if m.ref == f"refs/{ref}"), None)
        if found is None:
            return None
        kind, sha = found.type, found.sha
        for _ in range(MAX_TAG_DEPTH):
            if kind == "commit":
                return sha
            if kind != "tag":
                break
            peeled = self.cache.get("tag", repo.full_name, sha)
            if peeled is None:
                target = await client.get_tag_target(repo.owner, repo.name, sha)
                peeled = (target.type, target.sha)
                self.cache.put("tag", repo.full_name, sha, peeled)
            kind, sha = peeled
        raise SourceError(
            Code.INVALID_ARGUMENT,
            "ref_not_a_commit",
            f"`{ref}` of repository `{repo.alias}` does not point at a commit (a {kind})",
            "point the ref at a commit",
        )

    async def _commit_exists(
        self, client: InstallationClient, repo: GitHubRepository, sha: str
    ) -> bool:
        if self.cache.get("commit", repo.full_name, sha):
            return True
        exists = await client.commit_exists(repo.owner, repo.name, sha)
        if exists:
            self.cache.put("commit", repo.full_name, sha, True)
        return exists

    async def _explain_missing(
        self, client: InstallationClient, repo: GitHubRepository, wanted: str
    ) -> str:
        """Raise `ref_not_found` with a hint (known refs, the commit a short SHA names)."""
        await client.get_repository(repo.owner, repo.name)  # NotFoundError: the repo itself
        heads: dict[str, str] = {}
        tags: dict[str, str] = {}
        for item in (
            await client.get_json_or_none(repo_url(repo.owner, repo.name, "branches?per_page=100"))
            or []
        ):
            heads[str(item.get("name"))] = str((item.get("commit") or {}).get("sha", ""))
        for item in (
            await client.get_json_or_none(repo_url(repo.owner, repo.name, "tags?per_page=100"))
            or []
        ):
            tags[str(item.get("name"))] = str((item.get("commit") or {}).get("sha", ""))
        expanded: str | None = None
        if SHORT_SHA.fullmatch(wanted.lower()):
            try:
                expanded = await client.resolve_commit(repo.owner, repo.name, wanted.lower())
            except PermanentError:  # only a hint: GitHub knows no such commit
                expanded = None
        # Refs listed here were missing a moment ago: keep the answer "not found".
        heads.pop(wanted.removeprefix("refs/heads/"), None)
        tags.pop(wanted.removeprefix("refs/tags/"), None)
        return pick_commit(
            repo.alias,
            wanted,
            head=None,
            heads=heads,
            tags=tags,
            commit_exists=lambda _: False,
            expand_short=lambda _: expanded,
        )

    # -- trees and blobs -------------------------------------------------------------------

    async def _tree_at(
        self, client: InstallationClient, repo: GitHubRepository, commit: str, directory: str
    ) -> Tree | None:
        """The tree of `directory` at `commit` (None if it is not a directory there)."""
        if not FULL_SHA.fullmatch(commit):
            raise SourceError(
                Code.INVALID_ARGUMENT, "invalid_commit", f"`{commit}` is not a full commit SHA"
            )
        root_sha = self.cache.get("root", repo.full_name, commit)
        if root_sha is None:
            root = await self._fetch_tree(client, repo, commit, is_commit=True)
            if root is None:
                raise SourceError(
                    Code.NOT_FOUND,
                    "commit_not_found",
                    f"commit `{commit}` does not exist in repository `{repo.alias}` "
                    f"({repo.full_name})",
                )
            tree = root
        else:
            tree = await self._tree(client, repo, root_sha)
        for part in [p for p in directory.split("/") if p not in ("", ".")]:
            entry = tree.get(part)
            if entry is None or entry.type != "tree":
                return None
            tree = await self._tree(client, repo, entry.sha)
        return tree

    async def _tree(self, client: InstallationClient, repo: GitHubRepository, sha: str) -> Tree:
        tree = await self._fetch_tree(client, repo, sha, is_commit=False)
        if tree is None:
            raise SourceError(
                Code.NOT_FOUND, "tree_not_found", f"tree `{sha}` vanished from `{repo.alias}`"
            )
        return tree

    async def _fetch_tree(
        self, client: InstallationClient, repo: GitHubRepository, sha: str, *, is_commit: bool
    ) -> Tree | None:
        if not is_commit:
            cached: Tree | None = self.cache.get("tree", repo.full_name, sha)
            if cached is not None:
                return cached  # shared: callers only read it

        async def fetch() -> Tree | None:
            # A new commit's root is fetched recursively: one request for the whole
            # repository (every subtree is cached by its SHA) unless GitHub truncates it.
            recursive = is_commit and self.recursive_roots
            data = await client.get_tree(repo.owner, repo.name, sha, recursive=recursive)
            if data is not None and recursive and data.truncated:
                data = await client.get_tree(repo.owner, repo.name, sha)
                recursive = False
            if data is None:
                return None
            tree = self._store_recursive(repo, data) if recursive else self._store(repo, data)
            if is_commit:
                self.cache.put("root", repo.full_name, sha, data.sha)
            return tree

        return await self._once(("tree", repo.full_name, sha), fetch)

    def _store(self, repo: GitHubRepository, data: GitTree) -> Tree:
        tree = {entry.path: entry for entry in data.entries}
        self.cache.put("tree", repo.full_name, data.sha, tree)
        return tree

    def _store_recursive(self, repo: GitHubRepository, data: GitTree) -> Tree:
        """Split a recursive listing into one cached tree per directory."""
        trees: dict[str, Tree] = {"": {}}
        shas = {"": data.sha}
        for entry in data.entries:
            parent, _, name = entry.path.rpartition("/")
            trees.setdefault(parent, {})[name] = TreeEntry(
                name, entry.mode, entry.type, entry.sha, entry.size
            )
            if entry.type == "tree":
                shas[entry.path] = entry.sha
                trees.setdefault(entry.path, {})
        for path, tree in trees.items():
            if path in shas:
                self.cache.put("tree", repo.full_name, shas[path], tree)
        return trees[""]

    async def _blob(self, client: InstallationClient, repo: GitHubRepository, sha: str) -> bytes:
        cached = self.cache.get("blob", repo.full_name, sha)
        if cached is not None:
            return bytes(cached)

        async def fetch() -> bytes:
            data = await client.get_blob(repo.owner, repo.name, sha)
            self.cache.put("blob", repo.full_name, sha, data)
            return data

        return await self._once(("blob", repo.full_name, sha), fetch)

    async def _once(self, key: tuple[str, ...], fetch: Callable[[], Awaitable[T]]) -> T:
        """Concurrent requests for the same object share one fetch."""
        pending = self._inflight.get(key)
        if pending is not None:
            result: T = await asyncio.shield(pending)
            return result
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            value = await fetch()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark it retrieved: the waiters (if any) re-raise it
            raise
        else:
            future.set_result(value)
            return value
        finally:
            del self._inflight[key]

    # -- errors ----------------------------------------------------------------------------

    @staticmethod
    def _unreachable(repo: GitHubRepository) -> SourceError:
        return SourceError(
            Code.NOT_FOUND,
            "repository_not_found",
            f"repository `{repo.alias}` ({repo.full_name}) does not exist or the App's "
            f"installation {repo.installation_id} cannot read it",
            "install the App on the repository (Contents: read), or fix the binding's owner/name",
        )

    @staticmethod
    def _forbidden(repo: GitHubRepository, exc: ForbiddenError) -> SourceError:
        return SourceError(
            Code.PERMISSION_DENIED,
            "forbidden",
            f"the App may not read repository `{repo.alias}` ({repo.full_name}): {exc.message}",
            "grant the App the Contents: read permission",
        )


__all__ = ["GitHubRepository", "GitHubSource", "ObjectCache"]
