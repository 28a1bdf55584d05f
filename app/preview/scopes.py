"""Scopes: what one composition of a change covers.

A scope is a project the changed repository is bound to — all of the project's bindings,
or, in `multi_repo_mode: off`, the repository alone — or, for a repository bound to no
project, the repository alone as a monorepo (its root `services.yaml`). Read from the
store's bindings; a repository is found by GitHub's id and by owner/name (bindings made by
hand may lack the id).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from app.github import GitHubRepository
from app.intents import RepoRef
from app.store import (
    MultiRepoMode,
    Repository,
    find_repositories,
    get_project,
    list_repositories,
)
from resolver.composition import RepositoryBinding, Workspace
from resolver.composition.workspace import alias_from_name

UNBOUND_SERVICES_PATH = "services.yaml"
UNBOUND = "unbound"  # the mode of a repository bound to no project


@dataclass(frozen=True, slots=True)
class Scope:
    project_id: int | None  # None: a repository bound to no project
    name: str
    mode: str  # off | preview | enforced | unbound
    alias: str  # the changed repository's alias in this scope
    workspace: Workspace
    repositories: tuple[GitHubRepository, ...]


def _binding(repo: Repository) -> RepositoryBinding:
    return RepositoryBinding(
        alias=repo.alias,
        role=repo.role,
        default_ref=repo.default_ref,
        services_path=repo.services_yaml_path,
        docs_root_path=repo.docs_root_path or "",
        owner=repo.owner,
        name=repo.name,
        provider=repo.provider,
    )


async def bindings_of(conn: AsyncConnection, repo: RepoRef) -> list[Repository]:
    """Every binding of `repo`, by GitHub's id and by owner/name (hand-made bindings may
    lack the id)."""
    found = {b.id: b for b in await find_repositories(conn, external_id=repo.id)}
    for binding in await find_repositories(conn, owner=repo.owner, name=repo.name):
        if binding.external_id in (None, str(repo.id)):
            found.setdefault(binding.id, binding)
    return sorted(found.values(), key=lambda b: (b.project_id, b.alias))


async def load_scopes(conn: AsyncConnection, repo: RepoRef, installation_id: int) -> list[Scope]:
    """The projects `repo` is bound to, each as a scope (empty: bound to none)."""
    mine: dict[int, Repository] = {}
    for binding in await bindings_of(conn, repo):
        mine.setdefault(binding.project_id, binding)
    scopes = []
    for project_id, own in sorted(mine.items()):
        project = await get_project(conn, project_id)
        if project is None:
            continue
        members = await list_repositories(conn, project_id)
        if project.multi_repo_mode is MultiRepoMode.OFF:
            members = [own]
        fallback = project.installation_id or installation_id
        scopes.append(
            Scope(
                project_id=project.id,
                name=project.name,
                mode=project.multi_repo_mode.value,
                alias=own.alias,
                workspace=Workspace(
                    project.name, tuple(_binding(b) for b in sorted(members, key=_alias))
                ),
                repositories=tuple(
                    GitHubRepository(b.alias, b.owner, b.name, b.installation_id or fallback)
                    for b in members
                ),
            )
        )
    return scopes


def _alias(repo: Repository) -> str:
    return repo.alias


def alone_scope(repo: RepoRef, installation_id: int) -> Scope:
    """A repository bound to no project, composed alone from its root services.yaml."""
    alias = alias_from_name(repo.name)
    binding = RepositoryBinding(
        alias=alias,
        role="mixed",
        services_path=UNBOUND_SERVICES_PATH,
        owner=repo.owner,
        name=repo.name,
    )
    return Scope(
        project_id=None,
        name=repo.full_name,
        mode=UNBOUND,
        alias=alias,
        workspace=Workspace(repo.name, (binding,)),
        repositories=(GitHubRepository(alias, repo.owner, repo.name, installation_id),),
    )
