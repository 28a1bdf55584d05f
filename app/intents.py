"""Typed intents: what a webhook asks Manifold to do, read out of the raw payload.

Every router handler turns its `gidgethub.sansio.Event` into one of these before any logic
runs (kopf's "causes"), so the logic never indexes into raw JSON and a payload that lacks a
field Manifold needs fails here, once, with `MalformedPayload` (a permanent error: a
redelivery of the same payload would fail the same way). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class MalformedPayload(ValueError):
    """The payload lacks a field (or has a wrong type) that the intent needs."""


@dataclass(frozen=True, slots=True)
class RepoRef:
    """A GitHub repository as webhooks name it (the numeric id survives renames)."""

    id: int
    owner: str
    name: str

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @classmethod
    def from_payload(cls, data: Any, *, owner: str | None = None) -> RepoRef:
        """From a `repository` object, or an entry of `repositories` (which has no owner)."""
        obj = _mapping(data, "repository")
        full_name = obj.get("full_name")
        if isinstance(full_name, str) and full_name.count("/") == 1:
            owner, name = full_name.split("/")
        else:
            name = _str(obj, "name")
            if owner is None:
                owner = _str(_mapping(obj.get("owner"), "repository.owner"), "login")
        return cls(id=_int(obj, "id"), owner=owner, name=name)


class InstallationAction(StrEnum):
    CREATED = "created"
    DELETED = "deleted"
    SUSPEND = "suspend"
    UNSUSPEND = "unsuspend"
    NEW_PERMISSIONS_ACCEPTED = "new_permissions_accepted"


@dataclass(frozen=True, slots=True)
class Account:
    login: str
    type: str  # "Organization" | "User"

    @classmethod
    def from_installation(cls, installation: Mapping[str, Any]) -> Account:
        account = _mapping(installation.get("account"), "installation.account")
        login = account.get("login") or account.get("slug") or account.get("name")
        if not isinstance(login, str) or not login:
            raise MalformedPayload("installation.account has no login")
        kind = account.get("type")
        return cls(login=login, type=kind if isinstance(kind, str) and kind else "Organization")


@dataclass(frozen=True, slots=True)
class InstallationChanged:
    """`installation`: the App was installed, uninstalled, suspended, ..."""

    installation_id: int
    account: Account
    action: InstallationAction
    repositories: tuple[RepoRef, ...]  # the repositories the event lists (created only)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> InstallationChanged:
        installation = _mapping(payload.get("installation"), "installation")
        account = Account.from_installation(installation)
        try:
            action = InstallationAction(_str(payload, "action"))
        except ValueError as exc:
            raise MalformedPayload(f"unknown installation action: {exc}") from None
        return cls(
            installation_id=_int(installation, "id"),
            account=account,
            action=action,
            repositories=_repo_list(payload.get("repositories"), account.login),
        )


@dataclass(frozen=True, slots=True)
class InstallationRepositoriesChanged:
    """`installation_repositories`: repositories were added to or removed from the App."""

    installation_id: int
    account: Account
    added: tuple[RepoRef, ...]
    removed: tuple[RepoRef, ...]

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> InstallationRepositoriesChanged:
        installation = _mapping(payload.get("installation"), "installation")
        account = Account.from_installation(installation)
        return cls(
            installation_id=_int(installation, "id"),
            account=account,
            added=_repo_list(payload.get("repositories_added"), account.login),
            removed=_repo_list(payload.get("repositories_removed"), account.login),
        )


@dataclass(frozen=True, slots=True)
class BranchPushed:
    """`push` of a branch (not a tag, not a deletion)."""

    installation_id: int
    repository: RepoRef
    branch: str
    default_branch: str
    before: str
    after: str

    @property
    def to_default_branch(self) -> bool:
        return self.branch == self.default_branch

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> BranchPushed | None:
        """None for a tag push or a branch deletion (nothing to compose)."""
        ref = _str(payload, "ref")
        if not ref.startswith("refs/heads/") or payload.get("deleted") is True:
            return None
        repository = _mapping(payload.get("repository"), "repository")
        return cls(
            installation_id=installation_id(payload),
            repository=RepoRef.from_payload(repository),
            branch=ref.removeprefix("refs/heads/"),
            default_branch=_str(repository, "default_branch"),
            before=str(payload.get("before") or ""),
            after=_str(payload, "after"),
        )


@dataclass(frozen=True, slots=True)
class PullRequestChanged:
    """`pull_request` opened / synchronize / reopened / ready_for_review / edited / closed."""

    installation_id: int
    repository: RepoRef
    number: int
    action: str
    head_sha: str
    head_ref: str
    base_ref: str
    draft: bool
    #: `edited` only: the edit moved the pull request to another base branch
    base_changed: bool = False

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> PullRequestChanged:
        pull = _mapping(payload.get("pull_request"), "pull_request")
        head = _mapping(pull.get("head"), "pull_request.head")
        base = _mapping(pull.get("base"), "pull_request.base")
        changes = payload.get("changes")
        return cls(
            installation_id=installation_id(payload),
            repository=RepoRef.from_payload(payload.get("repository")),
            number=_int(pull, "number"),
            action=_str(payload, "action"),
            head_sha=_str(head, "sha"),
            head_ref=_str(head, "ref"),
            base_ref=_str(base, "ref"),
            draft=pull.get("draft") is True,
            base_changed=isinstance(changes, dict) and isinstance(changes.get("base"), dict),
        )


@dataclass(frozen=True, slots=True)
class ChecksRequested:
    """`check_suite` requested / rerequested, `check_run` rerequested / requested_action."""

    installation_id: int
    repository: RepoRef
    head_sha: str
    source: str  # "check_suite" | "check_run"
    action: str
    pull_numbers: tuple[int, ...]
    requested_action: str | None = None  # the button's identifier for requested_action
    check_name: str | None = None  # `check_run` only: the re-requested run's name
    before: str | None = None  # the suite's `before` commit (the branch's previous head)

    @classmethod
    def from_payload(cls, event: str, payload: Mapping[str, Any]) -> ChecksRequested:
        obj = _mapping(payload.get(event), event)
        suite = obj if event == "check_suite" else _mapping(obj.get("check_suite"), "check_suite")
        pulls = suite.get("pull_requests") or obj.get("pull_requests") or []
        numbers = tuple(
            p["number"] for p in pulls if isinstance(p, dict) and isinstance(p.get("number"), int)
        )
        requested = payload.get("requested_action")
        identifier = requested.get("identifier") if isinstance(requested, dict) else None
        name = obj.get("name") if event == "check_run" else None
        before = suite.get("before")
        return cls(
            installation_id=installation_id(payload),
            repository=RepoRef.from_payload(payload.get("repository")),
            head_sha=_str(obj, "head_sha"),
            source=event,
            action=_str(payload, "action"),
            pull_numbers=numbers,
            requested_action=identifier if isinstance(identifier, str) else None,
            check_name=name if isinstance(name, str) else None,
            before=before if isinstance(before, str) and before else None,
        )


@dataclass(frozen=True, slots=True)
class PullRequestCommented:
    """`issue_comment` created on a pull request (slash commands are parsed later)."""

    installation_id: int
    repository: RepoRef
    number: int
    comment_id: int
    body: str
    author: str
    author_association: str
    author_type: str = "User"  # "Bot" for Apps and bots: their comments are never commands

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> PullRequestCommented | None:
        """None when the comment is on an issue rather than a pull request."""
        issue = _mapping(payload.get("issue"), "issue")
        if not isinstance(issue.get("pull_request"), dict):
            return None
        comment = _mapping(payload.get("comment"), "comment")
        user = _mapping(comment.get("user"), "comment.user")
        return cls(
            installation_id=installation_id(payload),
            repository=RepoRef.from_payload(payload.get("repository")),
            number=_int(issue, "number"),
            comment_id=_int(comment, "id"),
            body=str(comment.get("body") or ""),
            author=_str(user, "login"),
            author_association=str(comment.get("author_association") or "NONE"),
            author_type=str(user.get("type") or "User"),
        )


# -- helpers ------------------------------------------------------------------------------------


def installation_id(payload: Mapping[str, Any]) -> int:
    installation = payload.get("installation")
    if not isinstance(installation, dict) or not isinstance(installation.get("id"), int):
        raise MalformedPayload("the payload names no installation (is this a GitHub App hook?)")
    return int(installation["id"])


def _repo_list(value: Any, owner: str) -> tuple[RepoRef, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise MalformedPayload("a repository list is not a list")
    return tuple(RepoRef.from_payload(item, owner=owner) for item in value)


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise MalformedPayload(f"{what} is missing or not an object")
    return value


def _str(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedPayload(f"{key!r} is missing or not a string")
    return value


def _int(obj: Mapping[str, Any], key: str) -> int:
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise MalformedPayload(f"{key!r} is missing or not an integer")
    return value
