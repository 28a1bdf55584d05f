"""Installations, projects, repository bindings and doc sources: invariants and look-ups."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.store import (
    AliasTaken,
    AlreadyExists,
    DocSourceSpec,
    InvalidValue,
    MultiRepoMode,
    NewRepository,
    NotFound,
    RepositoryChanges,
    add_repository,
    create_project,
    delete_installation,
    delete_project,
    delete_repository,
    find_repositories,
    get_installation,
    get_project,
    get_project_by_name,
    get_repository,
    list_doc_sources,
    list_projects,
    list_repositories,
    replace_doc_sources,
    set_installation_suspended,
    set_multi_repo_mode,
    update_repository,
    upsert_installation,
)
from app.store.schema import projects, repositories
from resolver.naming import InvalidName
from tests.store.conftest import Database

# -- installations and projects ---------------------------------------------------------------


async def test_installations_upsert_suspend_and_delete(db: Database) -> None:
    async with db.engine() as engine, engine.begin() as conn:
        first = await upsert_installation(conn, installation_id=42, account_login="acme")
        renamed = await upsert_installation(
            conn, installation_id=42, account_login="acme-inc", account_type="User"
        )
        assert (renamed.id, renamed.account_login, renamed.account_type) == (42, "acme-inc", "User")
        assert renamed.created_at == first.created_at
        assert (await set_installation_suspended(conn, 42, suspended=True)).suspended
        assert not (await set_installation_suspended(conn, 42, suspended=False)).suspended
        with pytest.raises(NotFound):
            await set_installation_suspended(conn, 7, suspended=True)

        project = await create_project(conn, name="shop", installation_id=42)
        assert await delete_installation(conn, 42)
        assert await get_installation(conn, 42) is None
        reloaded = await get_project(conn, project.id)
        assert reloaded is not None and reloaded.installation_id is None  # ON DELETE SET NULL


async def test_projects_default_to_preview_and_validate_the_mode(db: Database) -> None:
    async with db.engine() as engine, engine.begin() as conn:
        project = await create_project(conn, name=" shop ")
        assert project.name == "shop" and project.multi_repo_mode is MultiRepoMode.PREVIEW
        updated = await set_multi_repo_mode(conn, project.id, "Enforced")
        assert updated.multi_repo_mode is MultiRepoMode.ENFORCED
        with pytest.raises(InvalidValue, match="off, preview, enforced"):
            await set_multi_repo_mode(conn, project.id, "sometimes")
        with pytest.raises(AlreadyExists):
            await create_project(conn, name="shop")
        with pytest.raises(NotFound):
            await create_project(conn, name="other", installation_id=999)
        with pytest.raises(NotFound):
            await set_multi_repo_mode(conn, 999, "off")
        other = await create_project(conn, name="alpha", multi_repo_mode=MultiRepoMode.OFF)
        assert [p.name for p in await list_projects(conn)] == ["alpha", "shop"]
        assert (await get_project_by_name(conn, "alpha")) == other


async def test_the_database_rejects_an_unknown_mode(db: Database) -> None:
    async with db.engine() as engine:
        with pytest.raises(IntegrityError):
            async with engine.begin() as conn:
                await conn.execute(projects.insert().values(name="x", multi_repo_mode="maybe"))


# -- repositories -----------------------------------------------------------------------------


async def test_a_binding_is_normalized_and_defaulted(db: Database) -> None:
    async with db.engine() as engine, engine.begin() as conn:
        project = await create_project(conn, name="shop")
        repo = await add_repository(
            conn,
            project.id,
            NewRepository(
                owner="Acme",
                name="Billing.API",
                alias=" Billing-API ",
                role="Docs",
                external_id=123456,
                services_yaml_path="./deploy/../services.yaml",
                docs_root_path="docs/",
            ),
        )
        plain = await add_repository(conn, project.id, NewRepository(owner="acme", name="Web"))
    assert (repo.alias, repo.role, repo.external_id) == ("billing-api", "docs", "123456")
    assert (repo.services_yaml_path, repo.docs_root_path) == ("services.yaml", "docs")
    assert repo.full_name == "Acme/Billing.API" and repo.provider == "github"
    assert (plain.alias, plain.role, plain.default_ref) == ("web", "service", "main")
    assert (plain.services_yaml_path, plain.docs_root_path) == ("services.yaml", None)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("alias", "-leading-dash"),
        ("alias", "has space"),
        ("alias", "ünïcode"),
        ("role", "boss"),
        ("services_yaml_path", "/etc/services.yaml"),
        ("services_yaml_path", "../other-repo/services.yaml"),
        ("docs_root_path", "docs/../../.."),
    ],
)
async def test_invalid_names_and_paths_are_rejected(db: Database, field: str, value: str) -> None:
    async with db.engine() as engine, engine.begin() as conn:
        project = await create_project(conn, name="shop")
        spec = NewRepository(owner="acme", name="api", **{field: value})  # type: ignore[arg-type]
        with pytest.raises(InvalidName):
            await add_repository(conn, project.id, spec)
        assert await list_repositories(conn, project.id) == []


async def test_aliases_are_unique_per_project_case_insensitively(db: Database) -> None:
    async with db.engine() as engine, engine.begin() as conn:
        shop = await create_project(conn, name="shop")
        other = await create_project(conn, name="other")
        await add_repository(conn, shop.id, NewRepository(owner="acme", name="api"))
        with pytest.raises(AliasTaken) as info:
            await add_repository(conn, shop.id, NewRepository(owner="acme", name="x", alias="API"))
        assert info.value.alias == "api"
        # another project may use the alias; the transaction is still usable after the error
        await add_repository(conn, other.id, NewRepository(owner="acme", name="api"))
        assert [r.alias for r in await list_repositories(conn, other.id)] == ["api"]


async def test_the_database_backs_up_the_invariants(db: Database) -> None:
    async with db.engine() as engine:
        async with engine.begin() as conn:
            project = await create_project(conn, name="shop")
        row = {"project_id": project.id, "owner": "o", "name": "n", "alias": "a"}
        async with engine.begin() as conn:
            await conn.execute(repositories.insert().values(**row))
        for bad in ({"alias": "a"}, {"alias": "b", "role": "boss"}, {"alias": ""}):
            with pytest.raises(IntegrityError):
                async with engine.begin() as conn:
                    await conn.execute(repositories.insert().values(**{**row, **bad}))


async def test_update_keeps_the_invariants(db: Database) -> None:
    async with db.engine() as engine, engine.begin() as conn:
        project = await create_project(conn, name="shop")
        await add_repository(conn, project.id, NewRepository(owner="acme", name="api"))
        await add_repository(conn, project.id, NewRepository(owner="acme", name="web"))
        with pytest.raises(AliasTaken):
            await update_repository(conn, project.id, "web", RepositoryChanges(alias="API"))
        with pytest.raises(InvalidName):
            await update_repository(conn, project.id, "web", RepositoryChanges(role="boss"))
        with pytest.raises(NotFound):
            await update_repository(conn, project.id, "nope", RepositoryChanges(role="docs"))
        changed = await update_repository(
            conn,
            project.id,
            "WEB",
            RepositoryChanges(
                alias="frontend", role="Mixed", default_ref="release/1", docs_root_path="./d"
            ),
        )
        assert (changed.alias, changed.role, changed.default_ref) == (
            "frontend",
            "mixed",
            "release/1",
        )
        assert changed.docs_root_path == "d" and changed.owner == "acme"
        cleared = await update_repository(
            conn, project.id, "frontend", RepositoryChanges(docs_root_path=None)
        )
        assert cleared.docs_root_path is None
        assert await get_repository(conn, project.id, "web") is None
        assert [r.alias for r in await list_repositories(conn, project.id)] == ["api", "frontend"]


async def test_find_bindings_by_provider_id_or_name(db: Database) -> None:
    async with db.engine() as engine, engine.begin() as conn:
        shop = await create_project(conn, name="shop")
        other = await create_project(conn, name="other")
        spec = NewRepository(owner="Acme", name="API", external_id="99")
        await add_repository(conn, shop.id, spec)
        await add_repository(conn, other.id, NewRepository(owner="acme", name="api", alias="core"))
        by_name = await find_repositories(conn, owner="ACME", name="api")
        by_id = await find_repositories(conn, external_id=99)
        with pytest.raises(InvalidValue):
            await find_repositories(conn)
    assert [(r.project_id, r.alias) for r in by_name] == [(shop.id, "api"), (other.id, "core")]
    assert [(r.project_id, r.alias) for r in by_id] == [(shop.id, "api")]


async def test_delete_binding_and_project_cascade(db: Database) -> None:
    async with db.engine() as engine, engine.begin() as conn:
        project = await create_project(conn, name="shop")
        await add_repository(conn, project.id, NewRepository(owner="acme", name="api"))
        await add_repository(conn, project.id, NewRepository(owner="acme", name="web"))
        await replace_doc_sources(conn, project.id, [DocSourceSpec("api", "README.md")])
        assert await delete_repository(conn, project.id, "API")
        assert not await delete_repository(conn, project.id, "api")
        with pytest.raises(NotFound):
            await add_repository(conn, 999, NewRepository(owner="acme", name="api"))
        assert await delete_project(conn, project.id)
        left = await conn.scalar(sa.select(sa.func.count()).select_from(repositories))
        assert left == 0
        assert await list_doc_sources(conn, project.id) == []


# -- doc sources ------------------------------------------------------------------------------


async def test_doc_sources_are_normalized_ordered_and_filtered_by_role(db: Database) -> None:
    async with db.engine() as engine, engine.begin() as conn:
        project = await create_project(conn, name="shop")
        await replace_doc_sources(
            conn,
            project.id,
            [
                DocSourceSpec("Web", "./docs/guide.md", roles=("Dev", "dev", " ops "), priority=2),
                DocSourceSpec("policy", "README.md", description=" Rules ", priority=1),
                DocSourceSpec("api", "docs/api.md", roles=("dev",), optional=True, priority=2),
            ],
        )
        everything = await list_doc_sources(conn, project.id)
        for_ops = await list_doc_sources(conn, project.id, role="OPS")
        with pytest.raises(InvalidValue, match="twice"):
            await replace_doc_sources(
                conn, project.id, [DocSourceSpec("a", "x.md"), DocSourceSpec("A", "./x.md")]
            )
        with pytest.raises(InvalidName):
            await replace_doc_sources(conn, project.id, [DocSourceSpec("a", "/abs.md")])
        replaced = await replace_doc_sources(conn, project.id, [DocSourceSpec("a", "x.md")])
    assert [(s.repository_alias, s.path) for s in everything] == [
        ("policy", "README.md"),
        ("api", "docs/api.md"),
        ("web", "docs/guide.md"),
    ]
    assert everything[2].roles == ("dev", "ops") and everything[0].description == "Rules"
    assert everything[1].optional and not everything[0].optional
    assert [s.repository_alias for s in for_ops] == ["policy", "web"]  # no roles = every role
    assert [(s.repository_alias, s.path) for s in replaced] == [("a", "x.md")]
