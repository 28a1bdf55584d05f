"""The fake GitHub: an aiohttp server on 127.0.0.1 that checks every request against
GitHub's OpenAPI description and serves an in-memory model of installations and repositories.

Every request is matched to an operation of `api.github.com.json` and validated (path and
query parameters, JSON body); a violation, an unknown route (answered 404) or an operation
the fake does not implement is recorded in `violations`, and the `fake_github` fixture fails
the test at teardown if there is any. Authentication is real: `/app/...` calls need an RS256
JWT signed with the App's key (`private_key_pem`), everything else a token the fake issued
through `POST /app/installations/{id}/access_tokens` (tokens expire on the fake's clock).

Tests set the world up with `add_installation`, `add_repo`, `add_comment` and the
`FakeRepo` helpers (commits, branches, tags, collaborators, `open_pull`), and assert on
`check_runs` (`check_runs_on`), `comments` (`comments_on`), `pulls`,
`reactions`, `requests` (per route), `not_modified` (304s, which cost no quota) and
`log`. Faults: `fail` (N times 5xx), `secondary_rate_limit` (403/429 + `Retry-After`),
`exhaust_quota` (primary limit: `x-ratelimit-remaining: 0` until `x-ratelimit-reset`),
`latency` (to observe concurrency: `max_in_flight`).

`running()` serves it from a background thread with its own event loop, so synchronous
tests and any number of `asyncio.run` calls can use it; `start`/`close` serve it on the
caller's loop instead. `base_path` mounts the API under a prefix (`/api/v3`, like GHES).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

import jwt as pyjwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fakes.fixtures import openapi_path
from tests.fakes.gitdata import GitData
from tests.fakes.openapi import OpenAPISpec

TOKEN_LIFETIME = 3600.0
JWT_ROUTES = (
    "/repos/{owner}/{repo}/installation",
    "/orgs/{org}/installation",
    "/users/{username}/installation",
)


@cache
def app_key_pair() -> tuple[str, str]:
    """(private PEM, public PEM) of the fake App; generated once per process (~50 ms)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # JSON-able, or bytes (sent as is)
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, message: str) -> Reply:
    return Reply(
        status,
        {
            "message": message,
            "documentation_url": "https://docs.github.com/rest",
            "status": str(status),
        },
    )


@dataclass
class Call:
    """One request as the route handlers see it."""

    method: str
    path: str
    route: str
    operation_id: str
    params: dict[str, str]
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    base_url: str
    installation_id: int | None  # the token's installation (None for JWT calls)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else {}

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    @property
    def accept(self) -> str:
        return self.headers.get("accept", "")


@dataclass
class Recorded:
    method: str
    path: str
    route: str
    status: int = 0
    query: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass
class Fault:
    kind: str  # error | secondary
    route: str | None
    remaining: int
    status: int
    retry_after: float | None = None
    passes: int = 0  # matching requests let through before the fault starts

    def matches(self, call: Call) -> bool:
        return self.route is None or self.route in (call.route, call.operation_id)


@dataclass
class Quota:
    limit: int
    remaining: int
    reset: float
    status: int = 403


@dataclass
class FakeInstallation:
    id: int
    account: str
    account_type: str = "Organization"
    suspended: bool = False
    permissions: dict[str, str] = field(
        default_factory=lambda: {
            "checks": "write",
            "contents": "read",
            "issues": "write",
            "metadata": "read",
            "pull_requests": "write",
        }
    )


@dataclass
class FakeRepo:
    gh: FakeGitHub
    owner: str
    name: str
    id: int
    installation_id: int | None
    default_branch: str = "main"
    private: bool = True
    archived: bool = False
    git: GitData = field(default_factory=GitData)
    collaborators: dict[str, str] = field(default_factory=dict)  # login -> role name

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def commit(
        self,
        files: Mapping[str, bytes | str | None],
        *,
        branch: str | None = None,
        message: str = "commit",
        parent: str | None = None,
        modes: Mapping[str, str] | None = None,
    ) -> str:
        with self.gh.lock:
            return self.git.commit(
                files,
                branch=branch or self.default_branch,
                message=message,
                parent=parent,
                modes=modes,
            )

    def branch(self, name: str, commit: str) -> None:
        with self.gh.lock:
            self.git.heads[name] = commit

    def tag(self, name: str, commit: str | None = None, *, annotated: bool = False) -> str:
        with self.gh.lock:
            return self.git.tag(
                name, commit or self.git.heads[self.default_branch], annotated=annotated
            )

    def set_permission(self, login: str, role: str) -> None:
        """`role`: admin, maintain, write, triage or read."""
        self.collaborators[login] = role

    def head(self, branch: str | None = None) -> str:
        return self.git.heads[branch or self.default_branch]

    def open_pull(self, head: str, *, base: str | None = None, number: int | None = None) -> int:
        """An open pull request from branch `head` into `base` (default branch); its number.

        Like GitHub's, its `head.sha` and `base.sha` follow the branches."""
        with self.gh.lock:
            taken = [n for (repo, n) in self.gh.pulls if repo == self.full_name.lower()]
            number = number or max([0, *taken]) + 1
            pull = FakePull(self, number, head, base or self.default_branch)
            self.gh.pulls[(self.full_name.lower(), number)] = pull
            return number

    def pull(self, number: int) -> FakePull:
        return self.gh.pulls[(self.full_name.lower(), number)]


@dataclass
class FakePull:
    repo: FakeRepo
    number: int
    head: str  # a branch of `repo`
    base: str
    state: str = "open"
    draft: bool = False

    @property
    def head_sha(self) -> str:
        return self.repo.head(self.head)

    @property
    def base_sha(self) -> str:
        return self.repo.head(self.base)


class FakeGitHub:
    """The fake GitHub API (see the module docstring)."""

    def __init__(
        self,
        spec: OpenAPISpec,
        *,
        clock: Callable[[], float] | None = None,
        base_path: str = "",
        app_id: int = 4242,
        app_slug: str = "manifold",
    ) -> None:
        import time

        self.spec = spec
        self.clock: Callable[[], float] = clock or time.time
        self.base_path = base_path.rstrip("/")
        self.app_id = app_id
        self.app_slug = app_slug
        self.private_key_pem, self._public_key = app_key_pair()
        self.lock = threading.RLock()
        self.installations: dict[int, FakeInstallation] = {}
        self.repos: dict[str, FakeRepo] = {}
        self.tokens: dict[str, tuple[int, float]] = {}
        self.check_runs: dict[int, dict[str, Any]] = {}
        self.pulls: dict[tuple[str, int], FakePull] = {}
        self.comments: dict[int, dict[str, Any]] = {}
        self.reactions: dict[int, list[dict[str, Any]]] = {}
        self.violations: list[str] = []
        self.auth_failures: list[str] = []
        self.log: list[Recorded] = []
        self.requests: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        self.quota_used: Counter[str] = Counter()
        self.in_flight: Counter[str] = Counter()
        self.max_in_flight: Counter[str] = Counter()
        self.faults: list[Fault] = []
        self.quotas: dict[str, Quota] = {}
        self.latency = 0.0
        self.max_tree_entries = 100_000
        self._ids = 1000
        self._runner: web.AppRunner | None = None
        self.url = ""

    # -- world setup -------------------------------------------------------------------------

    def next_id(self) -> int:
        with self.lock:
            self._ids += 1
            return self._ids

    def add_installation(
        self,
        account: str,
        *,
        installation_id: int | None = None,
        account_type: str = "Organization",
    ) -> FakeInstallation:
        found = FakeInstallation(installation_id or self.next_id(), account, account_type)
        self.installations[found.id] = found
        return found

    def add_repo(
        self,
        full_name: str,
        *,
        installation: FakeInstallation | int | None = None,
        default_branch: str = "main",
        private: bool = True,
        files: Mapping[str, bytes | str] | None = None,
    ) -> FakeRepo:
        """A repository (in `installation`, when given), with a first commit of `files`."""
        owner, name = full_name.split("/")
        inst_id = installation.id if isinstance(installation, FakeInstallation) else installation
        repo = FakeRepo(self, owner, name, self.next_id(), inst_id, default_branch, private)
        self.repos[full_name.lower()] = repo
        if files is not None:
            repo.commit(files, message="initial commit")
        return repo

    def repo(self, full_name: str) -> FakeRepo:
        return self.repos[full_name.lower()]

    def add_comment(
        self, full_name: str, number: int, body: str, *, login: str, user_type: str = "User"
    ) -> dict[str, Any]:
        """A comment by someone else (a user, or another bot) on issue / pull `number`."""
        repo = self.repo(full_name)
        comment_id = self.next_id()
        now = iso(self.clock())
        user = {
            "login": login,
            "id": abs(hash(login)) % 100000,
            "node_id": f"U_{login}",
            "type": user_type,
            "site_admin": False,
        }
        comment = {
            "id": comment_id,
            "node_id": f"IC_{comment_id}",
            "body": body,
            "user": user,
            "url": f"{self.url}/repos/{repo.full_name}/issues/comments/{comment_id}",
            "html_url": f"https://github.com/{repo.full_name}/pull/{number}#issuecomment-{comment_id}",
            "issue_url": f"{self.url}/repos/{repo.full_name}/issues/{number}",
            "created_at": now,
            "updated_at": now,
            "author_association": "NONE",
            "_repo": repo.full_name,
            "_issue": number,
            "_edits": 0,
        }
        with self.lock:
            self.comments[comment_id] = comment
        return comment

    def comments_on(self, full_name: str, number: int) -> list[dict[str, Any]]:
        repo = self.repo(full_name)
        return [
            c
            for c in sorted(self.comments.values(), key=lambda c: c["id"])
            if c["_repo"] == repo.full_name and c["_issue"] == number
        ]

    def check_runs_on(self, full_name: str, head_sha: str | None = None) -> list[dict[str, Any]]:
        repo = self.repo(full_name)
        return [
            run
            for run in sorted(self.check_runs.values(), key=lambda r: r["id"])
            if run["_repo"] == repo.full_name and head_sha in (None, run["head_sha"])
        ]

    # -- faults ------------------------------------------------------------------------------

    def fail(
        self, status: int = 502, *, times: int = 1, route: str | None = None, after: int = 0
    ) -> None:
        """The next `times` requests (to `route`, "GET /x/{y}" or an operationId) get
        `status`, once `after` of them have been let through."""
        self.faults.append(Fault("error", route, times, status, passes=after))

    def secondary_rate_limit(
        self,
        *,
        retry_after: float | None = 30,
        times: int = 1,
        route: str | None = None,
        status: int = 403,
    ) -> None:
        self.faults.append(Fault("secondary", route, times, status, retry_after))

    def exhaust_quota(
        self, installation_id: int | None, *, reset_in: float = 60.0, status: int = 403
    ) -> None:
        """Primary rate limit: `installation_id`'s quota (None: the App's) is spent until
        `reset_in` seconds from now."""
        key = self._quota_key(installation_id)
        self.quotas[key] = Quota(5000, 0, self.clock() + reset_in, status)

    def revoke_tokens(self) -> None:
        self.tokens.clear()

    def take_violations(self) -> list[str]:
        found, self.violations = self.violations, []
        return found

    def assert_clean(self) -> None:
        if self.violations:
            listing = "\n  ".join(self.violations)
            pytest.fail(
                f"the fake GitHub saw {len(self.violations)} invalid request(s):\n  {listing}",
                pytrace=False,
            )

    def calls(self, route: str) -> list[Recorded]:
        return [r for r in self.log if r.route == route]

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

    # -- serving -----------------------------------------------------------------------------

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=64 << 20)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._runner = web.AppRunner(self.make_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        bound = server.sockets[0].getsockname()  # type: ignore[attr-defined]
        self.url = f"http://{bound[0]}:{bound[1]}{self.base_path}"
        return self.url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @contextmanager
    def running(self) -> Iterator[FakeGitHub]:
        """Serve from a background thread (its own event loop) for the block's duration."""
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        thread = threading.Thread(
            target=self._serve, args=(loop, ready), daemon=True, name="fake-github"
        )
        thread.start()
        ready.wait(10)
        if not self.url:
            raise RuntimeError("the fake GitHub did not start")
        try:
            yield self
        finally:
            asyncio.run_coroutine_threadsafe(self.close(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            loop.close()

    def _serve(self, loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self.start())
        finally:
            ready.set()
        loop.run_forever()

    # -- request handling --------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        from tests.fakes.github_routes import HANDLERS

        body = await request.read()
        raw_path = request.rel_url.raw_path
        query = {key: request.rel_url.query.getall(key) for key in request.rel_url.query}
        record = Recorded(
            request.method, raw_path, "", query=query, headers=dict(request.headers), body=body
        )
        self.log.append(record)
        if self.base_path:
            if not raw_path.startswith(self.base_path + "/"):
                return self._finish(record, request, error(404, "Not Found"), None)
            raw_path = raw_path[len(self.base_path) :]
        matched = self.spec.match(request.method, raw_path)
        if matched is None:
            record.route = f"UNKNOWN {request.method} {raw_path}"
            self.requests[record.route] += 1
            self.violations.append(
                f"{request.method} {raw_path}: no such operation in GitHub's OpenAPI description"
            )
            return self._finish(record, request, error(404, "Not Found"), None)
        op, params = matched
        record.route = op.route
        self.requests[op.route] += 1
        problems = self.spec.validate(op, params, query, request.headers.get("content-type"), body)
        for problem in problems:
            self.violations.append(f"{op.route} ({request.method} {request.rel_url}): {problem}")
        if problems:  # GitHub would refuse it too; the handlers only ever see valid requests
            reply = error(422, "Invalid request.")
            reply.body["errors"] = problems
            return self._finish(record, request, reply, None)
        principal = self._authenticate(op.template, request.headers.get("authorization", ""))
        if isinstance(principal, Reply):
            return self._finish(record, request, principal, None)
        base_url = f"{request.scheme}://{request.host}{self.base_path}"
        call = Call(
            request.method,
            raw_path,
            op.route,
            op.operation_id,
            params,
            query,
            request.headers,
            body,
            base_url,
            principal,
        )
        quota_key = self._quota_key(principal)
        self.in_flight[quota_key] += 1
        self.max_in_flight[quota_key] = max(
            self.max_in_flight[quota_key], self.in_flight[quota_key]
        )
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            limited = self._limited(call, quota_key)
            if limited is not None:
                reply = limited
            else:
                handler = HANDLERS.get(op.operation_id)
                if handler is None:
                    self.violations.append(
                        f"{op.route}: the fake GitHub does not implement {op.operation_id}"
                    )
                    reply = error(501, f"fake GitHub: {op.operation_id} is not implemented")
                else:
                    try:
                        with self.lock:
                            reply = handler(self, call)
                    except Exception as exc:  # a bug in the fake must fail the test, loudly
                        self.violations.append(f"{op.route}: the fake GitHub crashed: {exc!r}")
                        reply = error(500, f"fake GitHub crashed: {exc!r}")
        finally:
            self.in_flight[quota_key] -= 1
        return self._finish(record, request, reply, quota_key)

    def _quota_key(self, installation_id: int | None) -> str:
        return "app" if installation_id is None else f"installation:{installation_id}"

    def _quota(self, key: str) -> Quota:
        quota = self.quotas.get(key)
        now = self.clock()
        if quota is None or now >= quota.reset:
            quota = Quota(5000, 5000, now + 3600)
            self.quotas[key] = quota
        return quota

    def _limited(self, call: Call, quota_key: str) -> Reply | None:
        """An injected fault or a spent quota, if one applies to this call."""
        for fault in self.faults:
            if fault.remaining > 0 and fault.matches(call):
                if fault.passes > 0:
                    fault.passes -= 1
                    continue
                fault.remaining -= 1
                if fault.kind == "secondary":
                    reply = error(
                        fault.status,
                        "You have exceeded a secondary rate limit. Please wait a few "
                        "minutes before you try again.",
                    )
                    if fault.retry_after is not None:
                        reply.headers["retry-after"] = str(int(fault.retry_after))
                    return reply
                return error(fault.status, "fake GitHub: injected failure")
        quota = self._quota(quota_key)
        if quota.remaining <= 0:
            who = quota_key.replace(":", " ID ")
            return error(quota.status, f"API rate limit exceeded for {who}.")
        return None

    def _authenticate(self, template: str, authorization: str) -> int | Reply | None:
        scheme, _, credential = authorization.partition(" ")
        if template.startswith("/app") or template in JWT_ROUTES:
            if scheme.lower() != "bearer":
                return self._deny("an App JWT (Authorization: Bearer) is required")
            try:
                claims = pyjwt.decode(
                    credential,
                    self._public_key,
                    algorithms=["RS256"],
                    options={"verify_exp": False, "verify_iat": False},
                )
            except pyjwt.PyJWTError as exc:
                return self._deny(f"A JSON web token could not be decoded: {exc}")
            now = self.clock()
            if str(claims.get("iss")) != str(self.app_id):
                return self._deny(f"'iss' claim {claims.get('iss')!r} is not the App id")
            if not (
                claims["iat"] <= now + 60 and now < claims["exp"] and claims["exp"] - now <= 600
            ):
                return self._deny("'exp' or 'iat' is outside the allowed window (JWT expired?)")
            return None
        if scheme.lower() not in ("token", "bearer"):
            return self._deny("Requires authentication")
        found = self.tokens.get(credential)
        if found is None or self.clock() >= found[1]:
            return self._deny("Bad credentials")
        return found[0]

    def _deny(self, message: str) -> Reply:
        self.auth_failures.append(message)
        return error(401, message)

    def _finish(
        self, record: Recorded, request: web.Request, reply: Reply, quota_key: str | None
    ) -> web.StreamResponse:
        if isinstance(reply.body, bytes):
            payload = reply.body
        elif reply.body is None:
            payload = b""
        else:
            payload = json.dumps(reply.body).encode()
        headers = {
            "content-type": reply.content_type,
            "x-github-request-id": secrets.token_hex(8),
            **reply.headers,
        }
        status = reply.status
        if request.method == "GET" and status == 200:
            etag = (
                'W/"'
                + hashlib.sha1(
                    payload + reply.content_type.encode(), usedforsecurity=False
                ).hexdigest()
                + '"'
            )
            headers["etag"] = etag
            wanted = [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]
            if etag in wanted or "*" in wanted:
                status, payload = 304, b""
                self.not_modified[record.route] += 1
        if quota_key is not None:
            quota = self._quota(quota_key)
            if (
                status != 304
                and status < 500
                and "retry-after" not in headers
                and not (status in (403, 429) and quota.remaining <= 0)
            ):
                quota.remaining = max(0, quota.remaining - 1)
                self.quota_used[quota_key] += 1
            headers.update(
                {
                    "x-ratelimit-limit": str(quota.limit),
                    "x-ratelimit-remaining": str(quota.remaining),
                    "x-ratelimit-reset": str(int(quota.reset)),
                    "x-ratelimit-used": str(quota.limit - quota.remaining),
                    "x-ratelimit-resource": "core",
                }
            )
        record.status = status
        if status == 304:
            headers.pop("content-type", None)
        return web.Response(status=status, body=payload if status != 304 else None, headers=headers)

    # -- tokens ------------------------------------------------------------------------------

    def issue_token(self, installation_id: int) -> tuple[str, float]:
        token = "ghs_" + secrets.token_urlsafe(27)
        expires = self.clock() + TOKEN_LIFETIME
        self.tokens[token] = (installation_id, expires)
        return token, expires


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    """A running fake GitHub; the test fails at teardown if any request broke the spec."""
    gh = FakeGitHub(OpenAPISpec.load(openapi_path()))
    with gh.running():
        yield gh
    gh.assert_clean()
