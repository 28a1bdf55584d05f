"""An in-memory git repository with real object hashing, for the fake GitHub.

Blobs, trees, commits and annotated tags are stored as git stores them and addressed by
git's SHA-1 (`blob <len>\\0<data>` etc.), so a file that did not change between two commits
keeps its blob SHA and an unchanged directory keeps its tree SHA, as on GitHub.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field


def git_hash(kind: str, data: bytes) -> str:
    return hashlib.sha1(f"{kind} {len(data)}\0".encode() + data, usedforsecurity=False).hexdigest()


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    mode: str  # 100644 file, 100755 executable, 120000 symlink, 040000 tree, 160000 submodule
    kind: str  # blob | tree | commit
    sha: str


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    tree: str
    parents: tuple[str, ...]
    message: str
    timestamp: int


@dataclass(frozen=True, slots=True)
class Tag:
    sha: str
    name: str
    target_type: str
    target: str
    message: str


@dataclass
class GitData:
    """Objects and refs of one repository."""

    blobs: dict[str, bytes] = field(default_factory=dict)
    trees: dict[str, tuple[Entry, ...]] = field(default_factory=dict)
    commits: dict[str, Commit] = field(default_factory=dict)
    tags: dict[str, Tag] = field(default_factory=dict)  # annotated tag objects by SHA
    heads: dict[str, str] = field(default_factory=dict)  # branch -> commit
    tag_refs: dict[str, str] = field(default_factory=dict)  # tag -> commit or tag object
    clock: int = 1_700_000_000

    # -- writing -----------------------------------------------------------------------------

    def _blob(self, data: bytes) -> str:
        sha = git_hash("blob", data)
        self.blobs[sha] = data
        return sha

    def _tree(self, files: Mapping[str, tuple[str, str]]) -> str:
        """Build trees bottom-up from `path -> (mode, blob sha)`; returns the root's SHA."""
        here: dict[str, Entry] = {}
        below: dict[str, dict[str, tuple[str, str]]] = {}
        for path, (mode, sha) in files.items():
            head, sep, rest = path.partition("/")
            if sep:
                below.setdefault(head, {})[rest] = (mode, sha)
            else:
                kind = "commit" if mode == "160000" else "blob"
                here[head] = Entry(head, mode, kind, sha)
        for name, sub in below.items():
            here[name] = Entry(name, "040000", "tree", self._tree(sub))
        # git orders entries by name, a tree's name compared as if it ended in "/"
        entries = tuple(
            sorted(here.values(), key=lambda e: e.name + ("/" if e.kind == "tree" else ""))
        )
        raw = b"".join(
            f"{e.mode.lstrip('0')} {e.name}".encode() + b"\0" + bytes.fromhex(e.sha)
            for e in entries
        )
        sha = git_hash("tree", raw)
        self.trees[sha] = entries
        return sha

    def commit(
        self,
        files: Mapping[str, bytes | str | None],
        *,
        branch: str | None = "main",
        message: str = "commit",
        parent: str | None = None,
        modes: Mapping[str, str] | None = None,
    ) -> str:
        """A commit of `parent`'s files (default: the branch head) changed by `files`
        (None deletes a path); moves `branch` to it."""
        if parent is None and branch is not None:
            parent = self.heads.get(branch)
        flat = self.files_with_modes(parent) if parent else {}
        for path, data in files.items():
            clean = path.strip("/")
            if data is None:
                flat.pop(clean, None)
                continue
            content = data.encode() if isinstance(data, str) else data
            flat[clean] = ((modes or {}).get(clean, "100644"), content)
        # a submodule's "content" is the commit SHA it pins
        blob_shas = {
            path: (mode, content.decode() if mode == "160000" else self._blob(content))
            for path, (mode, content) in flat.items()
        }
        tree = self._tree(blob_shas) if blob_shas else self._empty_tree()
        self.clock += 1
        parents = (parent,) if parent else ()
        body = f"tree {tree}\n" + "".join(f"parent {p}\n" for p in parents)
        body += f"author Fake <fake@example.com> {self.clock} +0000\n"
        body += f"committer Fake <fake@example.com> {self.clock} +0000\n\n{message}\n"
        sha = git_hash("commit", body.encode())
        self.commits[sha] = Commit(sha, tree, parents, message, self.clock)
        if branch is not None:
            self.heads[branch] = sha
        return sha

    def _empty_tree(self) -> str:
        sha = git_hash("tree", b"")
        self.trees[sha] = ()
        return sha

    def tag(self, name: str, target: str, *, annotated: bool = False, message: str = "") -> str:
        """Point tag `name` at commit `target` (through an annotated tag object if asked)."""
        if not annotated:
            self.tag_refs[name] = target
            return target
        body = (
            f"object {target}\ntype commit\ntag {name}\n"
            f"tagger Fake <fake@example.com> {self.clock} +0000\n\n{message}\n"
        )
        sha = git_hash("tag", body.encode())
        self.tags[sha] = Tag(sha, name, "commit", target, message)
        self.tag_refs[name] = sha
        return sha

    # -- reading -----------------------------------------------------------------------------

    def files_with_modes(self, commit: str) -> dict[str, tuple[str, bytes]]:
        found: dict[str, tuple[str, bytes]] = {}

        def walk(tree: str, prefix: str) -> None:
            for entry in self.trees[tree]:
                if entry.kind == "tree":
                    walk(entry.sha, prefix + entry.name + "/")
                elif entry.kind == "commit":
                    found[prefix + entry.name] = (entry.mode, entry.sha.encode())
                else:
                    found[prefix + entry.name] = (entry.mode, self.blobs[entry.sha])

        walk(self.commits[commit].tree, "")
        return found

    def files(self, commit: str) -> dict[str, bytes]:
        return {path: data for path, (_, data) in self.files_with_modes(commit).items()}

    def object_type(self, sha: str) -> str | None:
        for kind, store in (
            ("commit", self.commits),
            ("tree", self.trees),
            ("blob", self.blobs),
            ("tag", self.tags),
        ):
            if sha in store:
                return kind
        return None

    def peel(self, sha: str) -> str | None:
        """The commit behind a commit or tag SHA."""
        for _ in range(10):
            if sha in self.commits:
                return sha
            tag = self.tags.get(sha)
            if tag is None:
                return None
            sha = tag.target
        return None

    def rev_parse(self, ref: str) -> str | None:
        """git's own DWIM (full SHA, unique abbreviation, refs/..., tag before branch)."""
        ref = ref.strip()
        if ref.startswith("refs/heads/"):
            return self.heads.get(ref.removeprefix("refs/heads/"))
        if ref.startswith("refs/tags/"):
            found = self.tag_refs.get(ref.removeprefix("refs/tags/"))
            return self.peel(found) if found else None
        if ref.startswith("heads/"):
            return self.heads.get(ref.removeprefix("heads/"))
        if ref.startswith("tags/"):
            found = self.tag_refs.get(ref.removeprefix("tags/"))
            return self.peel(found) if found else None
        if ref in self.tag_refs:
            return self.peel(self.tag_refs[ref])
        if ref in self.heads:
            return self.heads[ref]
        if len(ref) >= 4 and all(c in "0123456789abcdef" for c in ref.lower()):
            matches = [sha for sha in self.commits if sha.startswith(ref.lower())]
            if len(matches) == 1:
                return matches[0]
        return None
