"""Typed views of the GitHub objects Manifold reads and writes.

Each result type keeps only the fields Manifold uses (`raw` keeps the whole JSON object);
each request type knows how to serialize itself within GitHub's limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

#: GitHub's limits for a check run's output
MAX_ANNOTATIONS_PER_REQUEST = 50
MAX_OUTPUT_TEXT = 65535
MAX_TITLE = 255

Reaction = Literal["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"]
AnnotationLevel = Literal["notice", "warning", "failure"]


def _truncate(text: str, limit: int, note: str = "\n\n… (truncated)") -> str:
    if len(text) <= limit:
        return text
    return text[: limit - len(note)] + note


@dataclass(frozen=True, slots=True)
class Account:
    login: str
    id: int
    type: str

    @classmethod
    def from_json(cls, data: Any) -> Account:
        data = data or {}
        return cls(str(data.get("login", "")), int(data.get("id", 0)), str(data.get("type", "")))


@dataclass(frozen=True, slots=True)
class Installation:
    id: int
    account: Account
    target_type: str
    suspended: bool
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Installation:
        return cls(
            id=int(data["id"]),
            account=Account.from_json(data.get("account")),
            target_type=str(data.get("target_type", "")),
            suspended=data.get("suspended_at") is not None,
            raw=data,
        )


@dataclass(frozen=True, slots=True)
class Repository:
    id: int
    owner: str
    name: str
    full_name: str
    default_branch: str
    private: bool
    archived: bool
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Repository:
        return cls(
            id=int(data["id"]),
            owner=str((data.get("owner") or {}).get("login", "")),
            name=str(data["name"]),
            full_name=str(data.get("full_name", "")),
            default_branch=str(data.get("default_branch") or "main"),
            private=bool(data.get("private")),
            archived=bool(data.get("archived")),
            raw=data,
        )


@dataclass(frozen=True, slots=True)
class GitObjectRef:
    """What a ref points at: a `commit`, or a `tag` object for an annotated tag."""

    ref: str
    type: str
    sha: str


@dataclass(frozen=True, slots=True)
class TreeEntry:
    path: str
    mode: str
    type: str  # blob | tree | commit (a submodule)
    sha: str
    size: int | None = None


@dataclass(frozen=True, slots=True)
class GitTree:
    sha: str
    entries: tuple[TreeEntry, ...]
    truncated: bool

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GitTree:
        entries = tuple(
            TreeEntry(
                path=str(item["path"]),
                mode=str(item.get("mode", "")),
                type=str(item.get("type", "")),
                sha=str(item.get("sha", "")),
                size=item.get("size"),
            )
            for item in data.get("tree", [])
        )
        return cls(str(data["sha"]), entries, bool(data.get("truncated")))


@dataclass(frozen=True, slots=True)
class Annotation:
    """One line-level finding on a check run."""

    path: str
    start_line: int
    end_line: int
    level: AnnotationLevel
    message: str
    title: str | None = None
    start_column: int | None = None
    end_column: int | None = None
    raw_details: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "start_line": max(1, self.start_line),
            "end_line": max(1, self.end_line, self.start_line),
            "annotation_level": self.level,
            "message": _truncate(self.message, MAX_OUTPUT_TEXT),
        }
        if self.title:
            data["title"] = _truncate(self.title, MAX_TITLE, "…")
        # GitHub accepts columns only on single-line annotations
        if data["start_line"] == data["end_line"]:
            if self.start_column is not None:
                data["start_column"] = max(1, self.start_column)
            if self.end_column is not None:
                data["end_column"] = max(1, self.end_column)
        if self.raw_details:
            data["raw_details"] = _truncate(self.raw_details, MAX_OUTPUT_TEXT)
        return data


@dataclass(frozen=True, slots=True)
class CheckRunOutput:
    title: str
    summary: str
    text: str | None = None
    annotations: Sequence[Annotation] = ()

    def to_json(self, annotations: Sequence[Annotation]) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": _truncate(self.title, MAX_TITLE, "…"),
            "summary": _truncate(self.summary, MAX_OUTPUT_TEXT),
        }
        if self.text:
            data["text"] = _truncate(self.text, MAX_OUTPUT_TEXT)
        if annotations:
            data["annotations"] = [a.to_json() for a in annotations]
        return data


@dataclass(frozen=True, slots=True)
class CheckRun:
    id: int
    name: str
    head_sha: str
    status: str
    conclusion: str | None
    html_url: str
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckRun:
        return cls(
            id=int(data["id"]),
            name=str(data.get("name", "")),
            head_sha=str(data.get("head_sha", "")),
            status=str(data.get("status", "")),
            conclusion=data.get("conclusion"),
            html_url=str(data.get("html_url") or ""),
            raw=data,
        )


@dataclass(frozen=True, slots=True)
class IssueComment:
    id: int
    body: str
    author: str
    author_type: str
    html_url: str
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IssueComment:
        user = data.get("user") or {}
        return cls(
            id=int(data["id"]),
            body=str(data.get("body") or ""),
            author=str(user.get("login", "")),
            author_type=str(user.get("type", "")),
            html_url=str(data.get("html_url") or ""),
            raw=data,
        )


@dataclass(frozen=True, slots=True)
class Permission:
    """A user's access to a repository. `permission` is GitHub's coarse level
    (admin | write | read | none); `role_name` the fine one (admin, maintain, write, triage,
    read, or a custom role)."""

    permission: str
    role_name: str

    @property
    def can_write(self) -> bool:
        return self.permission in ("admin", "write") or self.role_name in (
            "admin",
            "maintain",
            "write",
        )

    @property
    def is_admin(self) -> bool:
        return self.permission == "admin"
