"""The GitHub client: the App (JWT) and its installations (tokens), with typed helpers.

`GitHubApp` is built once per process around the one `aiohttp.ClientSession` and the
settings; `GitHubApp.installation(id)` hands out an `InstallationClient` whose calls carry
that installation's cached token (refetched once if GitHub answers 401). Every call goes
through `transport.RequestPolicy`: ETag cache, rate limits, retries, concurrency bound.

Relative URLs are joined to `settings.base_url` (with its trailing slash), so a GitHub
Enterprise Server API at `https://ghe.example.com/api/v3` works unchanged.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import aiohttp
from gidgethub import sansio

from app.github.auth import AppJWT, InstallationToken, TokenCache
from app.github.errors import AuthenticationError, NotFoundError, UnexpectedResponseError
from app.github.models import (
    MAX_ANNOTATIONS_PER_REQUEST,
    MAX_OUTPUT_TEXT,
    CheckRun,
    CheckRunOutput,
    GitObjectRef,
    GitTree,
    Installation,
    IssueComment,
    Permission,
    Reaction,
    Repository,
)
from app.github.settings import ClientPolicy, GitHubSettings
from app.github.transport import (
    Clock,
    RequestPolicy,
    RequestStats,
    Sleep,
    Transport,
    single_attempt,
)

T = TypeVar("T")

JSON = "application/vnd.github+json"
RAW = "application/vnd.github.raw+json"
SHA = "application/vnd.github.sha"
API_VERSION = {"x-github-api-version": "2022-11-28"}
MAX_COMMENT = 65536


def seg(value: str | int) -> str:
    """One path segment, percent-encoded (a `/` in it is data, not a separator)."""
    return quote(str(value), safe="")


def multi(value: str) -> str:
    """A multi-segment path parameter (`{path}`, `{ref}`): slashes kept, the rest encoded."""
    return quote(value.strip("/"), safe="/")


def repo_url(owner: str, repo: str, *rest: str) -> str:
    return "/".join(["repos", seg(owner), seg(repo), *rest])


def with_query(url: str, **params: str | int | None) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{url}?{query}" if query else url


def _timestamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class GitHubApp:
    """The process's GitHub App client (one per App, around one `ClientSession`)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        settings: GitHubSettings,
        *,
        policy: ClientPolicy | None = None,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.session = session
        self.settings = settings
        self.policy = policy or ClientPolicy()
        self.clock = clock
        self.requests = RequestPolicy(
            self.policy, clock=clock, sleep=sleep, rng=rng or random.Random()
        )
        self.jwt = AppJWT(
            settings.app_id, settings.private_key, clock=clock, lifetime=self.policy.jwt_lifetime
        )
        self.tokens = TokenCache(clock=clock, margin=self.policy.token_refresh_margin)
        self._app = self.transport("app")
        self._installations: dict[int, InstallationClient] = {}

    @property
    def stats(self) -> RequestStats:
        return self.requests.stats

    def transport(self, partition: str) -> Transport:
        return Transport(
            self.session,
            self.settings.user_agent,
            base_url=self.settings.base_url,
            policy=self.requests,
            partition=self.requests.partition(partition),
        )

    def installation(self, installation_id: int) -> InstallationClient:
        client = self._installations.get(installation_id)
        if client is None:
            client = InstallationClient(self, installation_id)
            self._installations[installation_id] = client
        return client

    async def installation_token(self, installation_id: int) -> str:
        return await self.tokens.get(installation_id, self._fetch_token)

    async def _fetch_token(self, installation_id: int) -> InstallationToken:
        data = await self._app.post(
            f"app/installations/{seg(installation_id)}/access_tokens",
            {},
            data=b"",
            accept=JSON,
            jwt=self.jwt.token(),
            extra_headers=dict(API_VERSION),
        )
        return InstallationToken.from_json(data)

    async def _app_get(self, url: str) -> Any:
        return await self._app.getitem(
            url, {}, accept=JSON, jwt=self.jwt.token(), extra_headers=dict(API_VERSION)
        )

    async def list_installations(self) -> list[Installation]:
        items = self._app.getiter(
            with_query("app/installations", per_page=100),
            {},
            accept=JSON,
            jwt=self.jwt.token(),
            extra_headers=dict(API_VERSION),
        )
        return [Installation.from_json(item) async for item in items]

    async def get_installation(self, installation_id: int) -> Installation:
        return Installation.from_json(
            await self._app_get(f"app/installations/{seg(installation_id)}")
        )

    async def get_repository_installation(self, owner: str, repo: str) -> Installation | None:
        try:
            return Installation.from_json(
                await self._app_get(repo_url(owner, repo, "installation"))
            )
        except NotFoundError:
            return None


class InstallationClient:
    """Calls made as one installation (its token, its cache partition, its concurrency bound)."""

    def __init__(self, app: GitHubApp, installation_id: int) -> None:
        self.app = app
        self.installation_id = installation_id
        self.gh = app.transport(f"installation:{installation_id}")

    # -- plumbing --------------------------------------------------------------------------

    async def _authorized(self, call: Callable[[str], Awaitable[T]]) -> T:
        token = await self.app.installation_token(self.installation_id)
        try:
            return await call(token)
        except AuthenticationError:
            # Revoked or expired early: fetch a fresh token once, then give up.
            self.app.tokens.invalidate(self.installation_id, token)
            token = await self.app.installation_token(self.installation_id)
            return await call(token)

    async def get_json(self, url: str, *, accept: str = JSON) -> Any:
        return await self._authorized(
            lambda token: self.gh.getitem(
                url, {}, accept=accept, oauth_token=token, extra_headers=dict(API_VERSION)
            )
        )

    async def get_json_or_none(self, url: str, *, accept: str = JSON) -> Any:
        try:
            return await self.get_json(url, accept=accept)
        except NotFoundError:
            return None

    async def get_all(self, url: str, *, key: str | None = None) -> list[Any]:
        """Every item of a paginated list (`key`: the list's field in an object response)."""

        async def collect(token: str) -> list[Any]:
            items = self.gh.getiter(
                with_query(url, per_page=100) if "?" not in url else url + "&per_page=100",
                {},
                accept=JSON,
                oauth_token=token,
                extra_headers=dict(API_VERSION),
                iterable_key=key,
            )
            return [item async for item in items]

        return await self._authorized(collect)

    async def get_bytes(self, url: str, *, accept: str = RAW) -> tuple[bytes, str]:
        """The raw body and content type of a GET (gidgethub would decode it as text)."""

        async def fetch(token: str) -> tuple[bytes, str]:
            headers = sansio.create_headers(
                self.app.settings.user_agent, accept=accept, oauth_token=token
            )
            headers.update(API_VERSION)
            full = sansio.format_url(url, {}, base_url=self.app.settings.base_url)
            _, response_headers, body = await self.gh._request("GET", full, headers, b"")
            return body, response_headers.get("content-type", "")

        return await self._authorized(fetch)

    async def post(self, url: str, data: dict[str, Any]) -> Any:
        return await self._authorized(
            lambda token: self.gh.post(
                url, {}, data=data, accept=JSON, oauth_token=token, extra_headers=dict(API_VERSION)
            )
        )

    async def patch(self, url: str, data: dict[str, Any]) -> Any:
        return await self._authorized(
            lambda token: self.gh.patch(
                url, {}, data=data, accept=JSON, oauth_token=token, extra_headers=dict(API_VERSION)
            )
        )

    # -- repositories and git objects ------------------------------------------------------

    async def list_repositories(self) -> list[Repository]:
        items = await self.get_all("installation/repositories", key="repositories")
        return [Repository.from_json(item) for item in items]

    async def get_repository(self, owner: str, repo: str) -> Repository:
        return Repository.from_json(await self.get_json(repo_url(owner, repo)))

    async def resolve_commit(self, owner: str, repo: str, ref: str) -> str:
        """The commit SHA git's own rules give `ref` (`GET commits/{ref}`, SHA media type).

        For the composition's stricter rules (branch/tag ambiguity is an error) use
        `app.github.source.GitHubSource`.
        """
        body, _ = await self.get_bytes(repo_url(owner, repo, "commits", multi(ref)), accept=SHA)
        sha = body.decode().strip()
        if len(sha) not in (40, 64):
            raise UnexpectedResponseError(f"`commits/{ref}` did not answer a SHA: {sha[:80]!r}")
        return sha

    async def get_ref(self, owner: str, repo: str, ref: str) -> GitObjectRef | None:
        """`heads/main` or `tags/v1` exactly (no prefix matching); None when absent."""
        data = await self.get_json_or_none(repo_url(owner, repo, "git", "ref", multi(ref)))
        if not isinstance(data, dict):
            return None
        target = data.get("object") or {}
        return GitObjectRef(
            str(data.get("ref", "")), str(target.get("type", "")), str(target.get("sha", ""))
        )

    async def matching_refs(self, owner: str, repo: str, prefix: str) -> list[GitObjectRef]:
        """Refs starting with `prefix` (`heads/main` also matches `heads/main-old`).

        Unlike `get_ref`, an absent ref is a 200 with an empty list, which carries an ETag:
        asking again costs a 304 and no rate limit.
        """
        data = await self.get_json(repo_url(owner, repo, "git", "matching-refs", multi(prefix)))
        return [
            GitObjectRef(
                str(item.get("ref", "")),
                str((item.get("object") or {}).get("type", "")),
                str((item.get("object") or {}).get("sha", "")),
            )
            for item in data or []
            if isinstance(item, dict)
        ]

    async def get_tag_target(self, owner: str, repo: str, tag_sha: str) -> GitObjectRef:
        """What an annotated tag object points at (a commit, or another tag)."""
        data = await self.get_json(repo_url(owner, repo, "git", "tags", seg(tag_sha)))
        target = data.get("object") or {}
        return GitObjectRef(
            str(data.get("tag", "")), str(target.get("type", "")), str(target.get("sha", ""))
        )

    async def commit_exists(self, owner: str, repo: str, sha: str) -> bool:
        try:
            await self.get_json(repo_url(owner, repo, "git", "commits", seg(sha)))
        except NotFoundError:
            return False
        return True

    async def get_tree(
        self, owner: str, repo: str, sha: str, *, recursive: bool = False
    ) -> GitTree | None:
        """A tree by its SHA or by a commit SHA (its root tree); None when absent."""
        url = repo_url(owner, repo, "git", "trees", seg(sha))
        data = await self.get_json_or_none(with_query(url, recursive=1 if recursive else None))
        return GitTree.from_json(data) if isinstance(data, dict) else None

    async def get_blob(self, owner: str, repo: str, sha: str) -> bytes:
        body, _ = await self.get_bytes(repo_url(owner, repo, "git", "blobs", seg(sha)))
        return body

    async def get_file(
        self, owner: str, repo: str, path: str, *, ref: str | None = None
    ) -> bytes | None:
        """A file's bytes at `ref` (default branch when None); None if absent or a directory."""
        url = with_query(repo_url(owner, repo, "contents", multi(path)), ref=ref)
        try:
            body, content_type = await self.get_bytes(url)
        except NotFoundError:
            return None
        if content_type.startswith("application/json") and body.lstrip().startswith(b"["):
            return None  # a directory listing: the raw media type only applies to files
        return body

    # -- check runs ------------------------------------------------------------------------

    async def create_check_run(
        self,
        owner: str,
        repo: str,
        *,
        name: str,
        head_sha: str,
        status: str | None = None,
        conclusion: str | None = None,
        output: CheckRunOutput | None = None,
        details_url: str | None = None,
        external_id: str | None = None,
        started_at: datetime | None = None,
        completed_at: datetime | None = None,
    ) -> CheckRun:
        """Create a check run; annotations beyond 50 follow in updates of 50 each."""
        batches = _annotation_batches(output)
        body: dict[str, Any] = {"name": name, "head_sha": head_sha}
        body.update(
            _check_fields(status, conclusion, details_url, external_id, started_at, completed_at)
        )
        if output is not None:
            body["output"] = output.to_json(batches[0])
        run = CheckRun.from_json(await self.post(repo_url(owner, repo, "check-runs"), body))
        return await self._append_annotations(owner, repo, run, output, batches[1:])

    async def update_check_run(
        self,
        owner: str,
        repo: str,
        check_run_id: int,
        *,
        status: str | None = None,
        conclusion: str | None = None,
        output: CheckRunOutput | None = None,
        details_url: str | None = None,
        external_id: str | None = None,
        started_at: datetime | None = None,
        completed_at: datetime | None = None,
    ) -> CheckRun:
        """Update a check run; its annotations are appended in batches of 50."""
        batches = _annotation_batches(output)
        body = _check_fields(status, conclusion, details_url, external_id, started_at, completed_at)
        if output is not None:
            body["output"] = output.to_json(batches[0])
        url = repo_url(owner, repo, "check-runs", seg(check_run_id))
        run = CheckRun.from_json(await self._patch_appending(url, body, bool(batches[0])))
        return await self._append_annotations(owner, repo, run, output, batches[1:])

    async def _append_annotations(
        self,
        owner: str,
        repo: str,
        run: CheckRun,
        output: CheckRunOutput | None,
        batches: Sequence[Sequence[Any]],
    ) -> CheckRun:
        url = repo_url(owner, repo, "check-runs", seg(run.id))
        for batch in batches:
            assert output is not None
            body = {"output": output.to_json(batch)}
            run = CheckRun.from_json(await self._patch_appending(url, body, True))
        return run

    async def _patch_appending(self, url: str, body: dict[str, Any], appends: bool) -> Any:
        """A check-run PATCH; one that appends annotations is sent once (see
        `transport.single_attempt`): a lost answer raises, and the caller, which knows how
        many annotations it meant to send, asks GitHub how many arrived."""
        if not appends:
            return await self.patch(url, body)
        with single_attempt():
            return await self.patch(url, body)

    # -- issue comments and reactions ------------------------------------------------------

    async def list_issue_comments(self, owner: str, repo: str, number: int) -> list[IssueComment]:
        items = await self.get_all(repo_url(owner, repo, "issues", seg(number), "comments"))
        return [IssueComment.from_json(item) for item in items]

    async def create_issue_comment(
        self, owner: str, repo: str, number: int, body: str
    ) -> IssueComment:
        url = repo_url(owner, repo, "issues", seg(number), "comments")
        return IssueComment.from_json(await self.post(url, {"body": _comment(body)}))

    async def update_issue_comment(
        self, owner: str, repo: str, comment_id: int, body: str
    ) -> IssueComment:
        url = repo_url(owner, repo, "issues", "comments", seg(comment_id))
        return IssueComment.from_json(await self.patch(url, {"body": _comment(body)}))

    async def find_issue_comment(
        self, owner: str, repo: str, number: int, marker: str, *, author: str | None = None
    ) -> IssueComment | None:
        """The first comment containing `marker` (by `author`, when given)."""
        for comment in await self.list_issue_comments(owner, repo, number):
            if marker in comment.body and (author is None or comment.author == author):
                return comment
        return None

    async def upsert_issue_comment(
        self,
        owner: str,
        repo: str,
        number: int,
        body: str,
        *,
        marker: str,
        author: str | None = None,
    ) -> IssueComment:
        """The sticky comment: update the one carrying `marker`, or create it."""
        if marker not in body:
            body = f"{marker}\n{body}"
        existing = await self.find_issue_comment(owner, repo, number, marker, author=author)
        if existing is None:
            return await self.create_issue_comment(owner, repo, number, body)
        if existing.body == _comment(body):
            return existing
        return await self.update_issue_comment(owner, repo, existing.id, body)

    async def add_comment_reaction(
        self, owner: str, repo: str, comment_id: int, content: Reaction
    ) -> None:
        url = repo_url(owner, repo, "issues", "comments", seg(comment_id), "reactions")
        await self.post(url, {"content": content})

    async def get_permission(self, owner: str, repo: str, username: str) -> Permission:
        """`username`'s access to the repository (`none` when not a collaborator)."""
        url = repo_url(owner, repo, "collaborators", seg(username), "permission")
        data = await self.get_json_or_none(url)
        if not isinstance(data, dict):
            return Permission("none", "none")
        return Permission(
            str(data.get("permission") or "none"), str(data.get("role_name") or "none")
        )


def _annotation_batches(output: CheckRunOutput | None) -> list[Sequence[Any]]:
    annotations = list(output.annotations) if output is not None else []
    size = MAX_ANNOTATIONS_PER_REQUEST
    return [annotations[i : i + size] for i in range(0, len(annotations), size)] or [[]]


def _check_fields(
    status: str | None,
    conclusion: str | None,
    details_url: str | None,
    external_id: str | None,
    started_at: datetime | None,
    completed_at: datetime | None,
) -> dict[str, Any]:
    fields = {
        "status": status,
        "conclusion": conclusion,
        "details_url": details_url,
        "external_id": external_id,
        "started_at": _timestamp(started_at),
        "completed_at": _timestamp(completed_at),
    }
    return {k: v for k, v in fields.items() if v is not None}


def _comment(body: str) -> str:
    if len(body) <= MAX_COMMENT:
        return body
    note = "\n\n… (truncated: the full report is in the check run)"
    return body[: min(MAX_COMMENT, MAX_OUTPUT_TEXT + 1) - len(note)] + note
