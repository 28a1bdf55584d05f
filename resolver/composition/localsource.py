"""`LocalSource`: bound repositories that are directories on this machine.

The one I/O adapter of the composition package. A bound directory that holds a `.git` is
read through git: refs resolve by `sources.pick_commit`'s rules (full SHA, `refs/heads/X`,
`refs/tags/X` peeled; a name that is both a branch and a tag is ambiguous) and every file is
read *at the resolved commit* with `git cat-file`, never from the work tree, so uncommitted
edits are invisible. git runs as a subprocess with an argument list (never a shell), a
timeout, no terminal prompts and `core.fsmonitor` off.

A directory without `.git` (a plain folder, e.g. the examples) has exactly one version: its
pseudo-commit is a content hash of every regular file below it (`.git` folders and symlinks
that leave the directory excluded), computed on first use. Any named ref resolves to it; a
full SHA must equal it. Its files are served from that snapshot, so the composition does not
see later edits either.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from resolver.composition.sources import (
    FULL_SHA,
    SourceError,
    content_hash,
    list_from_paths,
    pick_commit,
)
from resolver.diagnostics import Code

DEFAULT_TIMEOUT = 30.0
#: a plain directory bigger than this is not snapshotted (it is not a repository checkout)
MAX_SNAPSHOT_BYTES = 256 << 20


@dataclass(frozen=True, slots=True)
class _TreeEntry:
    kind: str  # blob | tree | commit (submodule)
    oid: str
    mode: str


class _GitRepo:
    def __init__(self, alias: str, root: Path, timeout: float) -> None:
        self.alias = alias
        self.root = root
        self.timeout = timeout
        self._refs: tuple[str | None, dict[str, str], dict[str, str]] | None = None
        self._trees: dict[str, dict[str, _TreeEntry]] = {}

    def git(self, *args: str) -> bytes:
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0"}
        command = ["git", "-C", str(self.root), "-c", "core.fsmonitor=false", *args]
        try:
            done = subprocess.run(
                command, capture_output=True, timeout=self.timeout, env=env, check=False
            )
        except subprocess.TimeoutExpired:
            raise SourceError(
                Code.FAILED_PRECONDITION,
                "git_timeout",
                f"git {args[0]} in repository `{self.alias}` took longer than {self.timeout:g}s",
                "check the repository at " + str(self.root),
            ) from None
        except OSError as exc:
            raise SourceError(
                Code.FAILED_PRECONDITION, "git_unavailable", f"cannot run git: {exc}", "install git"
            ) from None
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise SourceError(
                Code.FAILED_PRECONDITION,
                "git_failed",
                f"git {args[0]} failed in repository `{self.alias}`: "
                f"{detail[-1] if detail else 'exit ' + str(done.returncode)}",
                "check the repository at " + str(self.root),
            )
        return done.stdout

    def refs(self) -> tuple[str | None, dict[str, str], dict[str, str]]:
        if self._refs is None:
            heads: dict[str, str] = {}
            tags: dict[str, str] = {}
            out = self.git(
                "for-each-ref",
                "--format=%(objectname) %(objecttype) %(*objectname) %(*objecttype) %(refname)",
                "refs/heads",
                "refs/tags",
            )
            for line in out.decode("utf-8", "surrogateescape").splitlines():
                oid, kind, peeled, peeled_kind, name = (line.split(" ", 4) + [""] * 5)[:5]
                if name.startswith("refs/heads/") and kind == "commit":
                    heads[name.removeprefix("refs/heads/")] = oid
                elif name.startswith("refs/tags/"):
                    if kind == "commit":
                        tags[name.removeprefix("refs/tags/")] = oid
                    elif kind == "tag" and peeled_kind == "commit":
                        tags[name.removeprefix("refs/tags/")] = peeled
            try:
                head: str | None = (
                    self.git("rev-parse", "--verify", "-q", "HEAD^{commit}").decode().strip()
                )
            except SourceError:
                head = None
            self._refs = (head or None, heads, tags)
        return self._refs

    def commit_exists(self, sha: str) -> bool:
        try:
            return self.git("cat-file", "-t", sha).strip() == b"commit"
        except SourceError:
            return False

    def expand_short(self, short: str) -> str | None:
        try:
            return (
                self.git("rev-parse", "--verify", "-q", short + "^{commit}").decode().strip()
                or None
            )
        except SourceError:
            return None

    def resolve(self, ref: str) -> str:
        head, heads, tags = self.refs()
        return pick_commit(
            self.alias,
            ref,
            head=head,
            heads=heads,
            tags=tags,
            commit_exists=self.commit_exists,
            expand_short=self.expand_short,
        )

    def tree(self, commit: str) -> dict[str, _TreeEntry]:
        if commit not in self._trees:
            if not FULL_SHA.fullmatch(commit):
                raise SourceError(
                    Code.INVALID_ARGUMENT, "invalid_commit", f"`{commit}` is not a full commit SHA"
                )
            out = self.git("ls-tree", "-r", "-z", "--full-tree", commit)
            entries: dict[str, _TreeEntry] = {}
            for record in out.split(b"\0"):
                if not record:
                    continue
                meta, _, raw_path = record.partition(b"\t")
                mode, kind, oid = meta.decode().split(" ")
                entries[raw_path.decode("utf-8", "surrogateescape")] = _TreeEntry(kind, oid, mode)
            self._trees[commit] = entries
        return self._trees[commit]

    def read(self, commit: str, path: str) -> bytes | None:
        entry = self.tree(commit).get(path)
        if entry is None or entry.kind != "blob" or entry.mode == "120000":
            return None  # missing, a submodule or a symlink: not a file Manifold reads
        return self.git("cat-file", "blob", entry.oid)

    def list(self, commit: str, path: str) -> list[str] | None:
        return list_from_paths(self.tree(commit), path)


class _PlainDir:
    def __init__(self, alias: str, root: Path) -> None:
        self.alias = alias
        self.root = root
        self._digests: dict[str, bytes] | None = None
        self._commit = ""

    def snapshot(self) -> tuple[str, dict[str, bytes]]:
        """(pseudo-commit, path -> sha256 of content); contents are re-read on demand."""
        if self._digests is None:
            digests: dict[str, bytes] = {}
            total = 0
            real_root = os.path.realpath(self.root)
            for folder, dirs, names in os.walk(self.root):
                dirs[:] = sorted(d for d in dirs if d != ".git")
                for name in sorted(names):
                    full = os.path.join(folder, name)
                    real = os.path.realpath(full)
                    if not real.startswith(real_root + os.sep) or not os.path.isfile(real):
                        continue
                    with open(real, "rb") as handle:
                        data = handle.read()
                    total += len(data)
                    if total > MAX_SNAPSHOT_BYTES:
                        raise SourceError(
                            Code.FAILED_PRECONDITION,
                            "directory_too_large",
                            f"repository directory `{self.alias}` holds more than "
                            f"{MAX_SNAPSHOT_BYTES >> 20} MiB and is not a git repository",
                            "make it a git repository so files are read at a commit",
                        )
                    digests[Path(os.path.relpath(full, self.root)).as_posix()] = hashlib.sha256(
                        data
                    ).digest()
            self._digests = digests
            self._commit = content_hash(digests)
        return self._commit, self._digests

    def resolve(self, ref: str) -> str:
        commit, _ = self.snapshot()
        wanted = ref.strip().lower()
        if FULL_SHA.fullmatch(wanted) and wanted != commit:
            raise SourceError(
                Code.NOT_FOUND,
                "ref_not_found",
                f"`{self.alias}` is a plain directory (not a git repository); its "
                f"only version is the content hash {commit}, not {wanted}",
                "make it a git repository to pin commits",
            )
        return commit

    def paths_at(self, commit: str) -> dict[str, bytes]:
        current, digests = self.snapshot()
        if commit != current:
            raise SourceError(
                Code.NOT_FOUND,
                "commit_not_found",
                f"`{self.alias}` is a plain directory whose content hash is "
                f"{current}, not {commit}",
            )
        return digests

    def read(self, commit: str, path: str) -> bytes | None:
        digest = self.paths_at(commit).get(path)
        if digest is None:
            return None
        with open(os.path.join(self.root, path), "rb") as handle:
            data = handle.read()
        if hashlib.sha256(data).digest() != digest:
            raise SourceError(
                Code.FAILED_PRECONDITION,
                "changed_during_composition",
                f"`{path}` in `{self.alias}` changed while Manifold was reading it",
                "run the preview again",
            )
        return data


class LocalSource:
    """Bound repositories as local directories (git repositories or plain folders)."""

    def __init__(self, roots: Mapping[str, Path], *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.roots = dict(roots)
        self.timeout = timeout
        self._repos: dict[str, _GitRepo | _PlainDir] = {}

    def _repo(self, alias: str) -> _GitRepo | _PlainDir:
        if alias not in self._repos:
            root = self.roots.get(alias)
            if root is None:
                raise SourceError(
                    Code.PERMISSION_DENIED,
                    "unbound_repository",
                    f"repository `{alias}` is not bound to this workspace",
                )
            if not root.is_dir():
                raise SourceError(
                    Code.NOT_FOUND,
                    "repository_not_found",
                    f"directory `{root}` of repository `{alias}` does not exist",
                    "check `path` in workspace.yaml",
                )
            is_git = (root / ".git").exists()
            self._repos[alias] = (
                _GitRepo(alias, root, self.timeout) if is_git else _PlainDir(alias, root)
            )
        return self._repos[alias]

    def is_git(self, alias: str) -> bool:
        return isinstance(self._repo(alias), _GitRepo)

    def resolve_ref(self, alias: str, ref: str) -> str:
        return self._repo(alias).resolve(ref)

    def read_file(self, alias: str, commit: str, path: str) -> bytes | None:
        repo = self._repo(alias)
        clean = posixpath.normpath(path)
        if isinstance(repo, _GitRepo):
            return repo.read(commit, clean)
        return repo.read(commit, clean)

    def list_dir(self, alias: str, commit: str, path: str) -> list[str] | None:
        repo = self._repo(alias)
        clean = posixpath.normpath(path)
        if isinstance(repo, _GitRepo):
            return repo.list(commit, clean)
        return list_from_paths(repo.paths_at(commit), clean)
