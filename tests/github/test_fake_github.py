"""The fake GitHub itself: it rejects what the OpenAPI description does not allow."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from multidict import CIMultiDict

from tests.fakes.github import FakeGitHub
from tests.fakes.openapi import OpenAPISpec
from tests.github.helpers import github_app, run


def raw(
    gh: FakeGitHub,
    method: str,
    path: str,
    *,
    body: Any = None,
    token: bool = True,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any, CIMultiDict[str]]:
    """One hand-made request (authenticated as the first installation)."""

    async def go() -> tuple[int, Any, CIMultiDict[str]]:
        sent = dict(headers or {})
        if token:
            inst = next(iter(gh.installations))
            sent["Authorization"] = "token " + gh.issue_token(inst)[0]
        data = json.dumps(body).encode() if body is not None else None
        if data is not None:
            sent["Content-Type"] = "application/json"
        async with (
            aiohttp.ClientSession() as session,
            session.request(method, gh.url + path, data=data, headers=sent) as response,
        ):
            text = await response.read()
            return response.status, (json.loads(text) if text else None), response.headers.copy()

    return run(go())


def world(gh: FakeGitHub) -> None:
    inst = gh.add_installation("acme")
    gh.add_repo("acme/api", installation=inst, files={"a.txt": "a"})


def test_unknown_routes_answer_404_and_are_violations(fake_github: FakeGitHub) -> None:
    world(fake_github)
    status, body, _ = raw(fake_github, "GET", "/repos/acme/api/no-such-thing")
    assert status == 404 and body["message"] == "Not Found"
    status, _, _ = raw(fake_github, "POST", "/graphql", body={"query": "{ viewer { login } }"})
    assert status == 404
    found = fake_github.take_violations()
    assert len(found) == 2 and "no such operation" in found[0]
    assert fake_github.requests["UNKNOWN POST /graphql"] == 1


def test_invalid_bodies_and_parameters_are_violations(fake_github: FakeGitHub) -> None:
    world(fake_github)
    head = fake_github.repo("acme/api").head()
    raw(
        fake_github,
        "POST",
        "/repos/acme/api/check-runs",
        body={"name": "x", "head_sha": head, "status": "done"},
    )
    raw(fake_github, "PATCH", "/repos/acme/api/check-runs/abc", body={"conclusion": None})
    raw(fake_github, "GET", "/installation/repositories?per_page=lots&colour=red")
    annotations = [
        {"path": "a", "start_line": 1, "end_line": 1, "annotation_level": "warning", "message": "m"}
    ] * 51
    raw(
        fake_github,
        "POST",
        "/repos/acme/api/check-runs",
        body={
            "name": "x",
            "head_sha": head,
            "output": {"title": "t", "summary": "s", "annotations": annotations},
        },
    )
    raw(fake_github, "POST", "/repos/acme/api/issues/1/comments", body={})
    raw(fake_github, "GET", "/repos/acme/api", body={"unexpected": True})
    found = "\n".join(fake_github.take_violations())
    assert "'done' is not one of" in found
    assert "`check_run_id`: 'abc' is not an integer" in found
    assert "None is not of type 'string'" in found
    assert (
        "`per_page`: 'lots' is not an integer" in found
        and "unknown query parameter `colour`" in found
    )
    assert "breaks `maxItems: 50`" in found  # more than 50 annotations in one request
    assert "'body' is a required property" in found
    assert "takes no request body" in found


def test_assert_clean_fails_the_test(fake_github: FakeGitHub) -> None:
    world(fake_github)
    raw(fake_github, "GET", "/nope")
    with pytest.raises(pytest.fail.Exception, match="1 invalid request"):
        fake_github.assert_clean()
    fake_github.take_violations()


def test_authentication_is_enforced(fake_github: FakeGitHub) -> None:
    world(fake_github)
    assert raw(fake_github, "GET", "/repos/acme/api", token=False)[0] == 401
    assert raw(fake_github, "GET", "/app/installations")[0] == 401  # a token where a JWT is needed
    assert (
        raw(
            fake_github,
            "GET",
            "/repos/acme/api",
            token=False,
            headers={"Authorization": "token ghs_forged"},
        )[0]
        == 401
    )
    assert len(fake_github.auth_failures) == 3
    assert fake_github.violations == []


def test_etags_and_rate_limit_headers(fake_github: FakeGitHub) -> None:
    world(fake_github)
    status, _, headers = raw(fake_github, "GET", "/repos/acme/api")
    assert status == 200 and headers["ETag"].startswith('W/"')
    assert headers["X-RateLimit-Remaining"] == "4999"
    status, body, _ = raw(
        fake_github, "GET", "/repos/acme/api", headers={"If-None-Match": headers["ETag"]}
    )
    assert (status, body) == (304, None)
    assert fake_github.not_modified["GET /repos/{owner}/{repo}"] == 1


def test_contents_in_both_media_types(fake_github: FakeGitHub) -> None:
    world(fake_github)
    status, body, _ = raw(fake_github, "GET", "/repos/acme/api/contents/a.txt?ref=main")
    assert status == 200 and body["encoding"] == "base64" and body["type"] == "file"

    async def go() -> bytes | None:
        async with github_app(fake_github) as app:
            return await app.installation(next(iter(fake_github.installations))).get_file(
                "acme", "api", "a.txt"
            )

    assert run(go()) == b"a"


def test_spec_routing_handles_multi_segment_parameters(fake_github: FakeGitHub) -> None:
    spec: OpenAPISpec = fake_github.spec
    cases = {
        ("GET", "/repos/o/r/git/ref/heads/feature/x"): (
            "GET /repos/{owner}/{repo}/git/ref/{ref}",
            "heads/feature/x",
        ),
        ("GET", "/repos/o/r/commits/abc/check-runs"): (
            "GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
            "abc",
        ),
        ("GET", "/repos/o/r/contents/a/b%20c.yaml"): (
            "GET /repos/{owner}/{repo}/contents/{path}",
            "a/b c.yaml",
        ),
    }
    for (method, path), (route, value) in cases.items():
        matched = spec.match(method, path)
        assert matched is not None
        op, params = matched
        assert op.route == route and value in params.values()
    assert spec.match("DELETE", "/installation/repositories") is None
