"""Installations and repository bindings: keeping the store in step with GitHub.

- `sync_installation` / `note_repositories_changed`: installation rows follow the
  `installation` and `installation_repositories` events (pure database work).
- A **project root** is a repository whose default-branch services.yaml declares
  `spec.repositories`. `refresh_root` reads that file through a `RepositoryReader` (the GitHub
  client in production, the fake GitHub in tests), plans the project's bindings with the pure
  `plan_bindings`, and applies the difference in one transaction with a flow event. Only
  repositories of the root's own installation are bound; every other entry is reported
  (flow event `bindings.refreshed`, `rejected[]`, and the log) and never read.
- A root *owns* the project it names: the project in which the root is bound with role
  `orchestrator`. When the file stops declaring `spec.repositories`, is deleted, or the root
  leaves the installation, that project's bindings are removed (the project, its compositions
  and audit stay). A file that does not parse keeps the bindings as they are.

Virtual-root projects need no root repository: `manifold projects` binds repositories by hand,
and nothing here changes those bindings.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.intents import InstallationAction, InstallationChanged, RepoRef
from app.store import (
    Actor,
    NewRepository,
    Project,
    Repository,
    RepositoryChanges,
    add_repository,
    create_project,
    delete_installation,
    delete_repository,
    find_repositories,
    get_installation,
    get_project,
    get_project_by_name,
    list_projects,
    list_repositories,
    record_event,
    set_installation_suspended,
    update_repository,
    upsert_installation,
)
from resolver.model import RepositoryBinding
from resolver.naming import InvalidName, clean_repo_path, normalize_alias, normalize_role
from resolver.normalize import project_name
from resolver.validate import check_file

if TYPE_CHECKING:
    from app.github.client import GitHubApp

log = logging.getLogger("manifold.bindings")

ROOT_SERVICES_PATH = "services.yaml"
ROOT_ROLE = "orchestrator"
ACTOR = Actor("github_app", "manifold")


class BindingEvent(StrEnum):
    """Flow events written here (the `run.*` names of DESIGN.md §4 belong to previews)."""

    INSTALLATION_CREATED = "installation.created"
    INSTALLATION_DELETED = "installation.deleted"
    INSTALLATION_SUSPENDED = "installation.suspended"
    INSTALLATION_UNSUSPENDED = "installation.unsuspended"
    INSTALLATION_REPOSITORIES = "installation.repositories_changed"
    REFRESHED = "bindings.refreshed"
    ROOT_REMOVED = "bindings.root_removed"
    ROOT_INVALID = "bindings.root_invalid"
    PROJECT_CONFLICT = "bindings.project_conflict"


# -- the GitHub side, as a protocol --------------------------------------------------------------


class InstalledRepository(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def owner(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def default_branch(self) -> str: ...


class RepositoryReader(Protocol):
    """What bindings need from GitHub: an installation's repositories and one file."""

    async def installation_repositories(
        self, installation_id: int
    ) -> Sequence[InstalledRepository]: ...

    async def read_file(
        self, installation_id: int, repository: RepoRef, path: str, *, ref: str | None
    ) -> bytes | None: ...


class GitHubAppReader:
    """`RepositoryReader` over the App's GitHub client."""

    def __init__(self, github: GitHubApp) -> None:
        self.github = github

    async def installation_repositories(
        self, installation_id: int
    ) -> Sequence[InstalledRepository]:
        return await self.github.installation(installation_id).list_repositories()

    async def read_file(
        self, installation_id: int, repository: RepoRef, path: str, *, ref: str | None
    ) -> bytes | None:
        client = self.github.installation(installation_id)
        return await client.get_file(repository.owner, repository.name, path, ref=ref)


# -- installations ------------------------------------------------------------------------------


async def sync_installation(
    conn: AsyncConnection, intent: InstallationChanged, *, correlation_id: str
) -> None:
    """Apply an `installation` event to the installations table (idempotent)."""
    iid = intent.installation_id
    payload: dict[str, Any] = {"installation_id": iid, "account": intent.account.login}
    if intent.action is InstallationAction.DELETED:
        await delete_installation(conn, iid)
        event = BindingEvent.INSTALLATION_DELETED
    else:
        existed = await get_installation(conn, iid) is not None
        await upsert_installation(
            conn,
            installation_id=iid,
            account_login=intent.account.login,
            account_type=intent.account.type,
        )
        if intent.action in (InstallationAction.SUSPEND, InstallationAction.UNSUSPEND):
            suspended = intent.action is InstallationAction.SUSPEND
            await set_installation_suspended(conn, iid, suspended=suspended)
            event = (
                BindingEvent.INSTALLATION_SUSPENDED
                if suspended
                else BindingEvent.INSTALLATION_UNSUSPENDED
            )
        elif existed and intent.action is not InstallationAction.CREATED:
            return  # new_permissions_accepted: the account refresh above is all
        else:
            event = BindingEvent.INSTALLATION_CREATED
            payload["repositories"] = [r.full_name for r in intent.repositories]
    await record_event(conn, event, correlation_id=correlation_id, actor=ACTOR, payload=payload)


async def ensure_installation(
    conn: AsyncConnection, installation_id: int, account_login: str, account_type: str
) -> None:
    """Create the installation row if an event arrives before (or without) `created`."""
    if await get_installation(conn, installation_id) is None:
        await upsert_installation(
            conn,
            installation_id=installation_id,
            account_login=account_login,
            account_type=account_type,
        )


async def root_repositories(conn: AsyncConnection, installation_id: int) -> list[Repository]:
    """The roots owning projects of the installation (bound as `orchestrator`, with an id)."""
    roots: list[Repository] = []
    for project in await list_projects(conn, installation_id=installation_id):
        roots += [
            repo
            for repo in await list_repositories(conn, project.id)
            if repo.role == ROOT_ROLE and repo.external_id is not None
        ]
    return roots


async def bindings_of(conn: AsyncConnection, repository: RepoRef) -> list[Repository]:
    """Every binding of a repository, by its id or (bound by hand) by owner/name."""
    found = {r.id: r for r in await find_repositories(conn, external_id=repository.id)}
    for repo in await find_repositories(conn, owner=repository.owner, name=repository.name):
        found.setdefault(repo.id, repo)
    return sorted(found.values(), key=lambda r: (r.project_id, r.alias))


# -- planning (pure) ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rejection:
    alias: str
    repository: str  # owner/name as written, or "" when the entry named none
    reason: str  # not_in_installation | provider_unsupported | invalid_entry | duplicate_alias
    message: str

    def to_json(self) -> dict[str, str]:
        return {
            "alias": self.alias,
            "repository": self.repository,
            "reason": self.reason,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class BindingPlan:
    project: str
    bindings: tuple[NewRepository, ...]
    rejected: tuple[Rejection, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RootFile:
    """What a repository's services.yaml says about being a root."""

    kind: str  # "root" | "not_root" | "invalid"
    document: Mapping[str, Any] | None = None
    problem: str = ""


def read_root_file(data: bytes | None, path: str) -> RootFile:
    if data is None:
        return RootFile("not_root", problem=f"{path} does not exist")
    check = check_file(data, path)
    document = check.document
    if document is None:
        detail = "; ".join(d.message for d in check.errors[:3]) or "unreadable"
        return RootFile("invalid", problem=f"{path}: {detail}")
    spec = document.get("spec")
    repos = spec.get("repositories") if isinstance(spec, dict) else None
    if repos is None or repos == []:
        return RootFile("not_root", document, f"{path} declares no spec.repositories")
    if not isinstance(repos, list):
        return RootFile("invalid", document, f"{path}: spec.repositories is not a list")
    return RootFile("root", document)


def plan_bindings(
    root: RepoRef,
    *,
    installation_id: int,
    document: Mapping[str, Any],
    installed: Iterable[InstalledRepository],
    services_path: str = ROOT_SERVICES_PATH,
) -> BindingPlan:
    """The bindings a root's `spec.repositories` asks for, within its installation.

    Entry defaults: `owner` the root's owner, `name` the alias, `provider` github, `role`
    service, `defaultRef` the repository's default branch, `servicesPath` services.yaml.
    The root is always bound with role `orchestrator` (under its name if it does not list
    itself): that binding marks the project as the one the root owns.
    """
    members = {f"{r.owner}/{r.name}".lower(): r for r in installed}
    spec = document.get("spec")
    entries = spec.get("repositories") if isinstance(spec, dict) else None
    bindings: dict[str, NewRepository] = {}
    rejected: list[Rejection] = []
    notes: list[str] = []
    root_listed = False
    for index, raw in enumerate(entries if isinstance(entries, list) else []):
        outcome = _plan_entry(raw, index, root, installation_id, members)
        if isinstance(outcome, Rejection):
            rejected.append(outcome)
            continue
        alias = outcome.alias or ""
        if alias in bindings:
            message = f"alias {alias!r} is listed more than once; the first entry is bound"
            full = f"{outcome.owner}/{outcome.name}"
            rejected.append(Rejection(alias, full, "duplicate_alias", message))
            continue
        if outcome.external_id == str(root.id):
            if outcome.role != ROOT_ROLE:
                notes.append(
                    f"{root.full_name} is the project root, so it is bound as {ROOT_ROLE!r},"
                    f" not {outcome.role!r}"
                )
                outcome = replace(outcome, role=ROOT_ROLE)
            root_listed = True
        bindings[alias] = outcome
    if not root_listed:
        alias = _root_alias(root.name, bindings)
        member = members.get(root.full_name.lower())
        bindings[alias] = NewRepository(
            owner=root.owner,
            name=root.name,
            alias=alias,
            role=ROOT_ROLE,
            external_id=str(root.id),
            installation_id=installation_id,
            default_ref=member.default_branch if member else "main",
            services_yaml_path=services_path,
        )
    name = project_name(dict(document)) or root.name
    ordered = tuple(bindings[a] for a in sorted(bindings))
    return BindingPlan(name, ordered, tuple(rejected), tuple(notes))


def _plan_entry(
    raw: Any,
    index: int,
    root: RepoRef,
    installation_id: int,
    members: Mapping[str, InstalledRepository],
) -> NewRepository | Rejection:
    label = raw.get("alias") if isinstance(raw, dict) else None
    label = label if isinstance(label, str) else f"#{index}"
    try:
        entry = RepositoryBinding.model_validate(raw)
        alias = normalize_alias(entry.alias)
        role = normalize_role(entry.role or "service")
        services = clean_repo_path(entry.services_path or ROOT_SERVICES_PATH)
        docs = clean_repo_path(entry.docs_root_path) if entry.docs_root_path else None
    except (ValidationError, InvalidName) as exc:
        detail = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        return Rejection(label, "", "invalid_entry", f"spec.repositories[{index}]: {detail}")
    owner = entry.owner or root.owner
    name = entry.name or entry.alias
    full = f"{owner}/{name}"
    provider = (entry.provider or "github").strip().lower()
    if provider != "github":
        message = f"provider {provider!r} is not supported (only github)"
        return Rejection(alias, full, "provider_unsupported", message)
    member = members.get(full.lower())
    if member is None:
        message = (
            f"{full} is not a repository of installation {installation_id};"
            " install the App on it to bind it"
        )
        return Rejection(alias, full, "not_in_installation", message)
    return NewRepository(
        owner=member.owner,
        name=member.name,
        alias=alias,
        role=role,
        external_id=str(member.id),
        installation_id=installation_id,
        default_ref=(entry.default_ref or "").strip() or member.default_branch,
        services_yaml_path=services,
        docs_root_path=docs,
    )


def _root_alias(name: str, taken: Mapping[str, object]) -> str:
    try:
        alias = normalize_alias(name)
    except InvalidName:
        alias = "root"
    base, n = alias, 2
    while alias in taken:
        alias, n = f"{base}-{n}", n + 1
    return alias


# -- applying -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BindingDiff:
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


_COMPARED = (
    "owner",
    "name",
    "role",
    "external_id",
    "installation_id",
    "default_ref",
    "services_yaml_path",
    "docs_root_path",
)


async def apply_bindings(
    conn: AsyncConnection, project_id: int, wanted: Sequence[NewRepository]
) -> BindingDiff:
    """Make the project's bindings exactly `wanted` (keyed by alias): remove, update, add."""
    current = {r.alias: r for r in await list_repositories(conn, project_id)}
    by_alias = {w.alias or "": w for w in wanted}
    removed = sorted(set(current) - set(by_alias))
    for alias in removed:
        await delete_repository(conn, project_id, alias)
    updated: list[str] = []
    added: list[str] = []
    for alias, new in sorted(by_alias.items()):
        existing = current.get(alias)
        if existing is None:
            await add_repository(conn, project_id, new)
            added.append(alias)
            continue
        target = _as_stored(new)
        changes = {k: target[k] for k in _COMPARED if getattr(existing, k) != target[k]}
        if changes:
            await update_repository(conn, project_id, alias, RepositoryChanges(**changes))
            updated.append(alias)
    return BindingDiff(tuple(added), tuple(updated), tuple(removed))


def _as_stored(new: NewRepository) -> dict[str, Any]:
    return {
        "owner": new.owner,
        "name": new.name,
        "role": new.role,
        "external_id": None if new.external_id is None else str(new.external_id),
        "installation_id": new.installation_id,
        "default_ref": new.default_ref,
        "services_yaml_path": new.services_yaml_path,
        "docs_root_path": new.docs_root_path,
    }


@dataclass(frozen=True, slots=True)
class RefreshRequest:
    installation_id: int
    repository: RepoRef
    #: repositories known to have left the installation (GitHub's listing may lag behind)
    not_installed: frozenset[int] = field(default_factory=frozenset)

    def to_json(self) -> dict[str, Any]:
        return {
            "installation_id": self.installation_id,
            "repository": {
                "id": self.repository.id,
                "owner": self.repository.owner,
                "name": self.repository.name,
            },
            "not_installed": sorted(self.not_installed),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RefreshRequest:
        repo = data["repository"]
        return cls(
            installation_id=int(data["installation_id"]),
            repository=RepoRef(int(repo["id"]), str(repo["owner"]), str(repo["name"])),
            not_installed=frozenset(int(i) for i in data.get("not_installed", ())),
        )


@dataclass(frozen=True, slots=True)
class RefreshResult:
    result: str  # changed | unchanged | not_root | skipped | invalid | conflict
    project: str | None = None
    diff: BindingDiff = BindingDiff()
    rejected: tuple[Rejection, ...] = ()
    detail: str = ""


async def refresh_root(
    engine: AsyncEngine,
    reader: RepositoryReader,
    request: RefreshRequest,
    *,
    correlation_id: str,
) -> RefreshResult:
    """Re-read one repository's services.yaml and bring the project it roots up to date."""
    repo, iid = request.repository, request.installation_id
    async with engine.begin() as conn:
        installation = await get_installation(conn, iid)
        owned = await _owned_projects(conn, repo, iid)
    if installation is None or installation.suspended:
        state = "unknown" if installation is None else "suspended"
        return RefreshResult("skipped", detail=f"installation {iid} is {state}")
    services_path = next(
        (b.services_yaml_path for _, b in owned if b.external_id == str(repo.id)),
        ROOT_SERVICES_PATH,
    )
    if repo.id in request.not_installed:
        root = RootFile("not_root", problem=f"{repo.full_name} left installation {iid}")
    else:
        data = await reader.read_file(iid, repo, services_path, ref=None)
        root = read_root_file(data, services_path)
    if root.kind == "invalid":
        async with engine.begin() as conn:
            await _record(
                conn, BindingEvent.ROOT_INVALID, correlation_id, repo, detail=root.problem
            )
        return RefreshResult("invalid", detail=root.problem)
    if root.kind == "not_root":
        async with engine.begin() as conn:
            for project, _binding in owned:
                await _release(conn, project, repo, correlation_id, root.problem)
        return RefreshResult("not_root", detail=root.problem)
    assert root.document is not None
    installed = [
        r for r in await reader.installation_repositories(iid) if r.id not in request.not_installed
    ]
    plan = plan_bindings(
        repo,
        installation_id=iid,
        document=root.document,
        installed=installed,
        services_path=services_path,
    )
    for rejection in plan.rejected:
        log.warning("root %s: not bound: %s", repo.full_name, rejection.message)
    async with engine.begin() as conn:
        return await _apply_plan(conn, repo, iid, plan, correlation_id)


async def _apply_plan(
    conn: AsyncConnection, repo: RepoRef, iid: int, plan: BindingPlan, correlation_id: str
) -> RefreshResult:
    # Re-read inside the writing transaction: another refresh may have run meanwhile.
    owned = {p.id: p for p, _ in await _owned_projects(conn, repo, iid)}
    target = await get_project_by_name(conn, plan.project)
    if target is not None and target.id not in owned:
        conflict = await _conflict(conn, target, iid)
        if conflict:
            await _record(
                conn, BindingEvent.PROJECT_CONFLICT, correlation_id, repo, detail=conflict
            )
            log.warning("root %s: %s", repo.full_name, conflict)
            return RefreshResult("conflict", plan.project, rejected=plan.rejected, detail=conflict)
    if target is None:
        target = await create_project(conn, name=plan.project, installation_id=iid)
    for project in owned.values():
        if project.id != target.id:
            reason = f"{repo.full_name} now roots project {plan.project!r}"
            await _release(conn, project, repo, correlation_id, reason)
    diff = await apply_bindings(conn, target.id, plan.bindings)
    if diff.changed or plan.rejected:
        await record_event(
            conn,
            BindingEvent.REFRESHED,
            correlation_id=correlation_id,
            actor=ACTOR,
            payload={
                "project": target.name,
                "project_id": target.id,
                "root": repo.full_name,
                "added": list(diff.added),
                "updated": list(diff.updated),
                "removed": list(diff.removed),
                "rejected": [r.to_json() for r in plan.rejected],
                "notes": list(plan.notes),
            },
        )
    result = "changed" if diff.changed else "unchanged"
    return RefreshResult(result, target.name, diff, plan.rejected)


async def _conflict(conn: AsyncConnection, project: Project, iid: int) -> str:
    """Why an existing project of that name may not be taken over ("" when it may)."""
    if project.installation_id not in (None, iid):
        return (
            f"project {project.name!r} belongs to installation {project.installation_id};"
            " rename spec.project"
        )
    if await list_repositories(conn, project.id):
        return (
            f"project {project.name!r} already exists with bindings made by hand"
            " (manifold projects); rename spec.project or delete that project"
        )
    return ""


async def _owned_projects(
    conn: AsyncConnection, repo: RepoRef, iid: int
) -> list[tuple[Project, Repository]]:
    owned: list[tuple[Project, Repository]] = []
    for binding in await find_repositories(conn, external_id=repo.id):
        if binding.role != ROOT_ROLE:
            continue
        project = await get_project(conn, binding.project_id)
        if project is not None and project.installation_id in (iid, None):
            owned.append((project, binding))
    return owned


async def _release(
    conn: AsyncConnection, project: Project, repo: RepoRef, correlation_id: str, reason: str
) -> None:
    diff = await apply_bindings(conn, project.id, ())
    log.info("root %s no longer roots %s: %s", repo.full_name, project.name, reason)
    await record_event(
        conn,
        BindingEvent.ROOT_REMOVED,
        correlation_id=correlation_id,
        actor=ACTOR,
        payload={
            "project": project.name,
            "project_id": project.id,
            "root": repo.full_name,
            "removed": list(diff.removed),
            "reason": reason,
        },
    )


async def _record(
    conn: AsyncConnection, event: BindingEvent, correlation_id: str, repo: RepoRef, *, detail: str
) -> None:
    await record_event(
        conn,
        event,
        correlation_id=correlation_id,
        actor=ACTOR,
        payload={"root": repo.full_name, "detail": detail},
    )


__all__ = [
    "BindingDiff",
    "BindingEvent",
    "BindingPlan",
    "GitHubAppReader",
    "InstalledRepository",
    "RefreshRequest",
    "RefreshResult",
    "Rejection",
    "RepositoryReader",
    "RootFile",
    "apply_bindings",
    "bindings_of",
    "ensure_installation",
    "plan_bindings",
    "read_root_file",
    "refresh_root",
    "root_repositories",
    "sync_installation",
]
