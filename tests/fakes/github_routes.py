"""The fake GitHub's endpoints, by OpenAPI operationId (see `tests.fakes.github`).

Each handler takes the fake and a validated `Call` and returns a `Reply`; shapes follow
GitHub's responses closely enough for Manifold's client (and keep the fields it reads).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from tests.fakes.gitdata import Entry
from tests.fakes.github import FakeGitHub, FakePull, FakeRepo, Reply, error, iso

Handler = Callable[[FakeGitHub, Any], Reply]
HANDLERS: dict[str, Handler] = {}

RAW_TYPE = "application/vnd.github.raw; charset=utf-8"
COARSE = {"admin": "admin", "maintain": "write", "write": "write", "triage": "read", "read": "read"}


def route(operation_id: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[operation_id] = fn
        return fn

    return register


def paginate(call: Any, items: list[Any]) -> tuple[list[Any], dict[str, str]]:
    per_page = max(1, min(100, int(call.arg("per_page", "30") or 30)))
    page = max(1, int(call.arg("page", "1") or 1))
    chunk = items[(page - 1) * per_page : page * per_page]
    links = []
    base = call.base_url + call.path
    query = {k: v[-1] for k, v in call.query.items() if k not in ("page", "per_page")}
    if page * per_page < len(items):
        links.append(
            f'<{base}?{urlencode({**query, "per_page": per_page, "page": page + 1})}>; rel="next"'
        )
        last = (len(items) + per_page - 1) // per_page
        links.append(
            f'<{base}?{urlencode({**query, "per_page": per_page, "page": last})}>; rel="last"'
        )
    return chunk, ({"link": ", ".join(links)} if links else {})


def visible_repo(gh: FakeGitHub, call: Any) -> FakeRepo | Reply:
    repo = gh.repos.get(f"{call.params['owner']}/{call.params['repo']}".lower())
    if repo is None or (
        call.installation_id is not None and repo.installation_id != call.installation_id
    ):
        return error(404, "Not Found")
    return repo


def with_repo(fn: Callable[[FakeGitHub, Any, FakeRepo], Reply]) -> Handler:
    def handler(gh: FakeGitHub, call: Any) -> Reply:
        repo = visible_repo(gh, call)
        if isinstance(repo, Reply):
            return repo
        return fn(gh, call, repo)

    return handler


def api(call: Any, repo: FakeRepo, *rest: str) -> str:
    return "/".join([call.base_url, "repos", repo.owner, repo.name, *rest])


def account_json(login: str, account_id: int, kind: str) -> dict[str, Any]:
    return {
        "login": login,
        "id": account_id,
        "node_id": f"U_{account_id}",
        "type": kind,
        "site_admin": False,
    }


def bot(gh: FakeGitHub) -> dict[str, Any]:
    return account_json(f"{gh.app_slug}[bot]", 9000 + gh.app_id, "Bot")


def installation_json(gh: FakeGitHub, inst: Any) -> dict[str, Any]:
    return {
        "id": inst.id,
        "account": account_json(inst.account, inst.id + 7, inst.account_type),
        "app_id": gh.app_id,
        "app_slug": gh.app_slug,
        "target_id": inst.id + 7,
        "target_type": inst.account_type,
        "repository_selection": "selected",
        "permissions": dict(inst.permissions),
        "events": ["push", "pull_request", "issue_comment", "check_run"],
        "created_at": iso(gh.clock()),
        "updated_at": iso(gh.clock()),
        "suspended_at": iso(gh.clock()) if inst.suspended else None,
        "html_url": f"https://github.com/settings/installations/{inst.id}",
        "access_tokens_url": f"/app/installations/{inst.id}/access_tokens",
        "repositories_url": "/installation/repositories",
    }


def repo_json(call: Any, repo: FakeRepo) -> dict[str, Any]:
    return {
        "id": repo.id,
        "node_id": f"R_{repo.id}",
        "name": repo.name,
        "full_name": repo.full_name,
        "owner": account_json(repo.owner, repo.id + 3, "Organization"),
        "private": repo.private,
        "visibility": "private" if repo.private else "public",
        "html_url": f"https://github.com/{repo.full_name}",
        "url": api(call, repo),
        "fork": False,
        "archived": repo.archived,
        "disabled": False,
        "default_branch": repo.default_branch,
    }


# -- the App -------------------------------------------------------------------------------


@route("apps/create-installation-access-token")
def create_token(gh: FakeGitHub, call: Any) -> Reply:
    inst = gh.installations.get(int(call.params["installation_id"]))
    if inst is None:
        return error(404, "Not Found")
    if inst.suspended:
        return error(403, "This installation has been suspended")
    token, expires = gh.issue_token(inst.id)
    return Reply(
        201,
        {
            "token": token,
            "expires_at": iso(expires),
            "permissions": dict(inst.permissions),
            "repository_selection": "selected",
        },
    )


@route("apps/list-installations")
def list_installations(gh: FakeGitHub, call: Any) -> Reply:
    items = [
        installation_json(gh, inst)
        for inst in sorted(gh.installations.values(), key=lambda i: i.id)
    ]
    chunk, headers = paginate(call, items)
    return Reply(200, chunk, headers=headers)


@route("apps/get-installation")
def get_installation(gh: FakeGitHub, call: Any) -> Reply:
    inst = gh.installations.get(int(call.params["installation_id"]))
    return Reply(200, installation_json(gh, inst)) if inst else error(404, "Not Found")


@route("apps/get-repo-installation")
def get_repo_installation(gh: FakeGitHub, call: Any) -> Reply:
    repo = visible_repo(gh, call)
    if isinstance(repo, Reply) or repo.installation_id is None:
        return error(404, "Not Found")
    return Reply(200, installation_json(gh, gh.installations[repo.installation_id]))


@route("apps/list-repos-accessible-to-installation")
def list_installation_repos(gh: FakeGitHub, call: Any) -> Reply:
    repos = sorted(
        (r for r in gh.repos.values() if r.installation_id == call.installation_id),
        key=lambda r: r.id,
    )
    chunk, headers = paginate(call, [repo_json(call, r) for r in repos])
    return Reply(
        200,
        {"total_count": len(repos), "repository_selection": "selected", "repositories": chunk},
        headers=headers,
    )


# -- repositories and git objects ------------------------------------------------------------


@route("repos/get")
@with_repo
def get_repo(gh: FakeGitHub, call: Any, repo: FakeRepo) -> Reply:
    return Reply(200, repo_json(call, repo))


def commit_json(call: Any, repo: FakeRepo, sha: str) -> dict[str, Any]:
    commit = repo.git.commits[sha]
    person = {"name": "Fake", "email": "fake@example.com", "date": iso(commit.timestamp)}
    return {
        "sha": sha,
        "node_id": f"C_{sha[:12]}",
        "url": api(call, repo, "git", "commits", sha),
        "html_url": f"https://github.com/{repo.full_name}/commit/{sha}",
        "author": person,
        "committer": person,
        "message": commit.message,
        "tree": {"sha": commit.tree, "url": api(call, repo, "git", "trees", commit.tree)},
        "parents": [
            {
                "sha": p,
                "url": api(call, repo, "git", "commits", p),
                "html_url": f"https://github.com/{repo.full_name}/commit/{p}",
            }
            for p in commit.parents
        ],
        "verification": {
            "verified": False,
            "reason": "unsigned",
            "signature": None,
            "payload": None,
            "verified_at": None,
        },
    }


def _empty(repo: FakeRepo) -> Reply | None:
    return error(409, "Git Repository is empty.") if not repo.git.commits else None


@route("repos/get-commit")
@with_repo
def get_commit(gh: FakeGitHub, call: Any, repo: FakeRepo) -> Reply:
    if (empty := _empty(repo)) is not None:
        return empty
    sha = repo.git.rev_parse(call.params["ref"])
    if sha is None:
        return error(422, f"No commit found for SHA: {call.params['ref']}")
    if "application/vnd.github.sha" in call.accept:
        return Reply(200, sha.encode(), content_type="application/vnd.github.sha; charset=utf-8")
    data = commit_json(call, repo, sha)
    return Reply(
        200,
        {
            "sha": sha,
            "node_id": data["node_id"],
            "url": api(call, repo, "commits", sha),
            "html_url": data["html_url"],
            "commit": data,
            "parents": data["parents"],
            "files": [],
            "author": None,
            "committer": None,
        },
    )


@route("git/get-commit")
@with_repo
def get_git_commit(gh: FakeGitHub, call: Any, repo: FakeRepo) -> Reply:
    sha = call.params["commit_sha"]
    if sha not in repo.git.commits:
        return error(404, "Not Found")
    return Reply(200, commit_json(call, repo, sha))


def ref_json(call: Any, repo: FakeRepo, name: str, sha: str) -> dict[str, Any]:
    kind = "tag" if sha in repo.git.tags else "commit"
    plural = "tags" if kind == "tag" else "commits"
    return {
        "ref": name,
        "node_id": f"REF_{sha[:8]}",
        "url": api(call, repo, "git", "refs", name.removeprefix("refs/")),
        "object": {"type": kind, "sha": sha, "url": api(call, repo, "git", plural, sha)},
    }


def all_refs(repo: FakeRepo) -> dict[str, str]:
    refs = {f"refs/heads/{name}": sha for name, sha in repo.git.heads.items()}
    refs.update({f"refs/tags/{name}": sha for name, sha in repo.git.tag_refs.items()})
    return dict(sorted(refs.items()))


@route("git/get-ref")
@with_repo
def get_ref(gh: FakeGitHub, call: Any, repo: FakeRepo) -> Reply:
    if (empty := _empty(repo)) is not None:
        return empty
    name = "refs/" + call.params["ref"]
    sha = all_refs(repo).get(name)
    return Reply(200, ref_json(call, repo, name, sha)) if sha else error(404, "Not Found")


@route("git/list-matching-refs")
@with_repo
def matching_refs(gh: FakeGitHub, call: Any, repo: FakeRepo) -> Reply:
    prefix = "refs/" + call.params["ref"]
    return Reply(
        200, [ref_json(call, repo, n, s) for n, s in all_refs(repo).items() if n.startswith(prefix)]
    )


@route("git/get-tag")
@with_repo
def get_tag(gh: FakeGitHub, call: Any, repo: FakeRepo) -> Reply:
    tag = repo.git.tags.get(call.params["tag_sha"])
    if tag is None:
        return error(404, "Not Found")
    return Reply(
        200,
        {
            "sha": tag.sha,
            "node_id": f"TAG_{tag.sha[:8]}",
            "tag": tag.name,
            "message": tag.message,
            "url": api(call, repo, "git", "tags", tag.sha),
            "tagger": {"name": "Fake", "email": "fake@example.com", "date": iso(0)},
            "object": {
                "type": tag.target_type,
                "sha": tag.target,
                "url": api(call, repo, "git", "commits", tag.target),
            },
            "verification": {
                "verified": False,
                "reason": "unsigned",
                "signature": None,
                "payload": None,
                "verified_at": None,
            },
        },
    )


def tree_entry_json(call: Any, repo: FakeRepo, path: str, entry: Entry) -> dict[str, Any]:
    item: dict[str, Any] = {"path": path, "mode": entry.mode, "type": entry.kind, "sha": entry.sha}
    if entry.kind == "blob":
        item["size"] = len(repo.git.blobs[entry.sha])
        item["url"] = api(call, repo, "git", "blobs", entry.sha)
    elif entry.kind == "tree":
        item["url"] = api(call, repo, "git", "trees", entry.sha)
    return item


@route("git/get-tree")
@with_repo
def get_tree(gh: FakeGitHub, call: Any, repo: FakeRepo) -> Reply:
    if (empty := _empty(repo)) is not None:
        return empty
    wanted = call.params["tree_sha"]
    sha = wanted if wanted in repo.git.trees else None
    if sha is None:
        commit = repo.git.rev_parse(wanted) if wanted not in repo.git.commits else wanted
        sha = repo.git.commits[commit].tree if commit else None
    if sha is None:
        return error(404, "Not Found")
    items: list[dict[str, Any]] = []

    def walk(tree: str, prefix: str) -> None:
        for entry in repo.git.trees[tree]:
            items.append(tree_entry_json(call, repo, prefix + entry.name, entry))
            if entry.kind == "tree" and "recursive" in call.query:
                walk(entry.sha, prefix + entry.name + "/")

    walk(sha, "")
    truncated = len(items) > gh.max_tree_entries
    return Reply(
        200,
        {
            "sha": sha,
            "url": api(call, repo, "git", "trees", sha),
            "tree": items[: gh.max_tree_entries],
            "truncated": truncated,
        },
    )


def _wants_raw(call: Any) -> bool:
    return (
        "application/vnd.github.raw" in call.accept
        or "application/vnd.github.v3.raw" in call.accept
    )


@route("git/get-blob")
@with_repo
def get_blob(gh: FakeGitHub, call: Any, repo: FakeRepo) -> Reply:
    sha = call.params["file_sha"]
    data = repo.git.blobs.get(sha)
    if data is None:
        return error(404, "Not Found")
    if _wants_raw(call):
        return Reply(200, data, content_type=RAW_TYPE)
    return Reply(
        200,
        {
            "sha": sha,
            "node_id": f"B_{sha[:8]}",
            "size": len(data),
            "url": api(call, repo, "git", "blobs", sha),
            "content": base64.encodebytes(data).decode(),
            "encoding": "base64",
        },
    )


def content_json(
    call: Any, repo: FakeRepo, path: str, entry: Entry, ref: str, *, with_content: bool
) -> dict[str, Any]:
    kind = {"tree": "dir", "commit": "submodule"}.get(
        entry.kind, "symlink" if entry.mode == "120000" else "file"
    )
    size = len(repo.git.blobs[entry.sha]) if entry.kind == "blob" else 0
    url = api(call, repo, "contents", path) + f"?ref={ref}"
    git_url = api(call, repo, "git", "trees" if entry.kind == "tree" else "blobs", entry.sha)
    html = f"https://github.com/{repo.full_name}/blob/{ref}/{path}"
    item: dict[str, Any] = {
        "type": kind,
        "size": size,
        "name": entry.name,
        "path": path,
        "sha": entry.sha,
        "url": url,
        "git_url": git_url,
        "html_url": html,
        "download_url": f"https://raw.githubusercontent.com/{repo.full_name}/{ref}/{path}"
        if kind == "file"
        else None,
        "_links": {"self": url, "git": git_url, "html": html},
    }
    if with_content and kind == "file":
        item["content"] = base64.encodebytes(repo.git.blobs[entry.sha]).decode()
        item["encoding"] = "base64"
    return item


@route("repos/get-content")
@with_repo
def get_content(gh: FakeGitHub, call: Any, repo: FakeRepo) -> Reply:
    if not repo.git.commits:
        return error(404, "This repository is empty.")
    ref = call.arg("ref") or repo.default_branch
    commit = repo.git.rev_parse(ref)
    if commit is None:
        return error(404, f"No commit found for the ref {ref}")
    path = call.params["path"].strip("/")
    tree = repo.git.commits[commit].tree
    parts = path.split("/") if path else []
    entry: Entry | None = None
    for index, part in enumerate(parts):
        entry = next((e for e in repo.git.trees[tree] if e.name == part), None)
        if entry is None or (index < len(parts) - 1 and entry.kind != "tree"):
            return error(404, "Not Found")
        if entry.kind == "tree":
            tree = entry.sha
    if entry is None or entry.kind == "tree":
        prefix = path + "/" if path else ""
        return Reply(
            200,
            [
                content_json(call, repo, prefix + e.name, e, ref, with_content=False)
                for e in repo.git.trees[tree]
            ],
        )
    if _wants_raw(call) and entry.kind == "blob":
        return Reply(200, repo.git.blobs[entry.sha], content_type=RAW_TYPE)
    return Reply(200, content_json(call, repo, path, entry, ref, with_content=True))


@route("repos/list-branches")
@with_repo
def list_branches(gh: FakeGitHub, call: Any, repo: FakeRepo) -> Reply:
    items = [
        {"name": n, "commit": {"sha": s, "url": api(call, repo, "commits", s)}, "protected": False}
        for n, s in sorted(repo.git.heads.items())
    ]
    chunk, headers = paginate(call, items)
    return Reply(200, chunk, headers=headers)


@route("repos/list-tags")
@with_repo
def list_tags(gh: FakeGitHub, call: Any, repo: FakeRepo) -> Reply:
    items = []
    for name, sha in sorted(repo.git.tag_refs.items()):
        commit = repo.git.peel(sha) or sha
        items.append(
            {
                "name": name,
                "commit": {"sha": commit, "url": api(call, repo, "commits", commit)},
                "zipball_url": api(call, repo, "zipball", name),
                "tarball_url": api(call, repo, "tarball", name),
                "node_id": f"T_{sha[:8]}",
            }
        )
    chunk, headers = paginate(call, items)
    return Reply(200, chunk, headers=headers)


@route("repos/get-collaborator-permission-level")
@with_repo
def get_permission(gh: FakeGitHub, call: Any, repo: FakeRepo) -> Reply:
    login = call.params["username"]
    role = repo.collaborators.get(login)
    if role is None:
        role = "none" if repo.private else "read"
    coarse = COARSE.get(role, "none" if role == "none" else "read")
    user = account_json(login, abs(hash(login)) % 100000, "User")
    return Reply(
        200, {"permission": coarse, "role_name": role, "user": {**user, "role_name": role}}
    )


# -- pull requests -------------------------------------------------------------------------


def pull_json(gh: FakeGitHub, call: Any, repo: FakeRepo, pull: FakePull) -> dict[str, Any]:
    def side(branch: str, sha: str) -> dict[str, Any]:
        return {
            "label": f"{repo.owner}:{branch}",
            "ref": branch,
            "sha": sha,
            "user": account_json(repo.owner, repo.id + 3, "Organization"),
            "repo": repo_json(call, repo),
        }

    url = api(call, repo, "pulls", str(pull.number))
    return {
        "id": repo.id * 1000 + pull.number,
        "node_id": f"PR_{repo.id}_{pull.number}",
        "number": pull.number,
        "state": pull.state,
        "locked": False,
        "title": f"pull request {pull.number}",
        "body": None,
        "draft": pull.draft,
        "url": url,
        "html_url": f"https://github.com/{repo.full_name}/pull/{pull.number}",
        "user": account_json("octocat", 1, "User"),
        "head": side(pull.head, pull.head_sha),
        "base": side(pull.base, pull.base_sha),
        "merged": False,
        "created_at": iso(gh.clock()),
        "updated_at": iso(gh.clock()),
    }


@route("pulls/get")
@with_repo
def get_pull(gh: FakeGitHub, call: Any, repo: FakeRepo) -> Reply:
    pull = gh.pulls.get((repo.full_name.lower(), int(call.params["pull_number"])))
    return Reply(200, pull_json(gh, call, repo, pull)) if pull else error(404, "Not Found")


@route("pulls/list")
@with_repo
def list_pulls(gh: FakeGitHub, call: Any, repo: FakeRepo) -> Reply:
    state = call.arg("state", "open")
    head = call.arg("head")
    base = call.arg("base")
    items = [
        pull_json(gh, call, repo, pull)
        for (name, _), pull in sorted(gh.pulls.items(), key=lambda item: item[0][1])
        if name == repo.full_name.lower()
        and state in ("all", pull.state)
        and head in (None, f"{repo.owner}:{pull.head}")
        and base in (None, pull.base)
    ]
    chunk, headers = paginate(call, items)
    return Reply(200, chunk, headers=headers)


# -- check runs ----------------------------------------------------------------------------


def check_run_json(call: Any, repo: FakeRepo, run: dict[str, Any]) -> dict[str, Any]:
    public = {k: v for k, v in run.items() if not k.startswith("_")}
    output = dict(run["output"])
    output["annotations_count"] = len(run["_annotations"])
    output["annotations_url"] = api(call, repo, "check-runs", str(run["id"]), "annotations")
    public["output"] = output
    return public


def apply_check_fields(gh: FakeGitHub, run: dict[str, Any], body: dict[str, Any]) -> None:
    for key in (
        "name",
        "details_url",
        "external_id",
        "status",
        "conclusion",
        "started_at",
        "completed_at",
    ):
        if key in body:
            run[key] = body[key]
    if body.get("conclusion"):
        run["status"] = "completed"
        if not run.get("completed_at"):
            run["completed_at"] = iso(gh.clock())
    if "output" in body:
        output = body["output"]
        run["output"].update(
            {k: output.get(k) for k in ("title", "summary", "text") if k in output}
        )
        run["_annotations"].extend(output.get("annotations", []))
        run["_updates"] += 1


@route("checks/create")
@with_repo
def create_check_run(gh: FakeGitHub, call: Any, repo: FakeRepo) -> Reply:
    body = call.json()
    if body.get("head_sha") not in repo.git.commits:
        return error(422, f"No commit found for SHA: {body.get('head_sha')}")
    if (body.get("status") == "completed" or body.get("completed_at")) and not body.get(
        "conclusion"
    ):
        return error(422, 'Invalid request.\n\n"conclusion" wasn\'t supplied.')
    run_id = gh.next_id()
    run: dict[str, Any] = {
        "id": run_id,
        "node_id": f"CR_{run_id}",
        "head_sha": body["head_sha"],
        "name": body["name"],
        "external_id": None,
        "url": api(call, repo, "check-runs", str(run_id)),
        "html_url": f"https://github.com/{repo.full_name}/runs/{run_id}",
        "details_url": None,
        "status": "queued",
        "conclusion": None,
        "started_at": iso(gh.clock()),
        "completed_at": None,
        "output": {"title": None, "summary": None, "text": None},
        "check_suite": {"id": run_id + 1},
        "app": {"id": gh.app_id, "slug": gh.app_slug},
        "pull_requests": [],
        "_repo": repo.full_name,
        "_annotations": [],
        "_updates": 0,
    }
    apply_check_fields(gh, run, body)
    gh.check_runs[run_id] = run
    return Reply(201, check_run_json(call, repo, run))


@route("checks/get")
@with_repo
def get_check_run(gh: FakeGitHub, call: Any, repo: FakeRepo) -> Reply:
    run = gh.check_runs.get(int(call.params["check_run_id"]))
    if run is None or run["_repo"] != repo.full_name:
        return error(404, "Not Found")
    return Reply(200, check_run_json(call, repo, run))


@route("checks/update")
@with_repo
def update_check_run(gh: FakeGitHub, call: Any, repo: FakeRepo) -> Reply:
    run = gh.check_runs.get(int(call.params["check_run_id"]))
    if run is None or run["_repo"] != repo.full_name:
        return error(404, "Not Found")
    apply_check_fields(gh, run, call.json())
    return Reply(200, check_run_json(call, repo, run))


# -- issue comments and reactions -------------------------------------------------------------


def comment_json(call: Any, repo: FakeRepo, comment: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in comment.items() if not k.startswith("_")}


@route("issues/list-comments")
@with_repo
def list_comments(gh: FakeGitHub, call: Any, repo: FakeRepo) -> Reply:
    number = int(call.params["issue_number"])
    items = [
        comment_json(call, repo, c)
        for c in sorted(gh.comments.values(), key=lambda c: c["id"])
        if c["_repo"] == repo.full_name and c["_issue"] == number
    ]
    chunk, headers = paginate(call, items)
    return Reply(200, chunk, headers=headers)


@route("issues/create-comment")
@with_repo
def create_comment(gh: FakeGitHub, call: Any, repo: FakeRepo) -> Reply:
    number = int(call.params["issue_number"])
    comment_id = gh.next_id()
    now = iso(gh.clock())
    comment = {
        "id": comment_id,
        "node_id": f"IC_{comment_id}",
        "body": call.json()["body"],
        "user": bot(gh),
        "url": api(call, repo, "issues", "comments", str(comment_id)),
        "html_url": f"https://github.com/{repo.full_name}/issues/{number}#issuecomment-{comment_id}",
        "issue_url": api(call, repo, "issues", str(number)),
        "created_at": now,
        "updated_at": now,
        "author_association": "NONE",
        "_repo": repo.full_name,
        "_issue": number,
        "_edits": 0,
    }
    gh.comments[comment_id] = comment
    return Reply(201, comment_json(call, repo, comment))


def _comment(gh: FakeGitHub, call: Any, repo: FakeRepo) -> dict[str, Any] | None:
    comment = gh.comments.get(int(call.params["comment_id"]))
    return comment if comment is not None and comment["_repo"] == repo.full_name else None


@route("issues/get-comment")
@with_repo
def get_comment(gh: FakeGitHub, call: Any, repo: FakeRepo) -> Reply:
    comment = _comment(gh, call, repo)
    return Reply(200, comment_json(call, repo, comment)) if comment else error(404, "Not Found")


@route("issues/update-comment")
@with_repo
def update_comment(gh: FakeGitHub, call: Any, repo: FakeRepo) -> Reply:
    comment = _comment(gh, call, repo)
    if comment is None:
        return error(404, "Not Found")
    comment["body"] = call.json()["body"]
    comment["updated_at"] = iso(gh.clock())
    comment["_edits"] += 1
    return Reply(200, comment_json(call, repo, comment))


@route("reactions/create-for-issue-comment")
@with_repo
def create_reaction(gh: FakeGitHub, call: Any, repo: FakeRepo) -> Reply:
    comment = _comment(gh, call, repo)
    if comment is None:
        return error(404, "Not Found")
    content = call.json()["content"]
    existing = gh.reactions.setdefault(comment["id"], [])
    for reaction in existing:
        if reaction["content"] == content:
            return Reply(200, reaction)
    reaction_id = gh.next_id()
    reaction = {
        "id": reaction_id,
        "node_id": f"REA_{reaction_id}",
        "user": bot(gh),
        "content": content,
        "created_at": iso(gh.clock()),
    }
    existing.append(reaction)
    return Reply(201, reaction)


@route("reactions/list-for-issue-comment")
@with_repo
def list_reactions(gh: FakeGitHub, call: Any, repo: FakeRepo) -> Reply:
    comment = _comment(gh, call, repo)
    if comment is None:
        return error(404, "Not Found")
    items = [
        r
        for r in gh.reactions.get(comment["id"], [])
        if call.arg("content") in (None, r["content"])
    ]
    chunk, headers = paginate(call, items)
    return Reply(200, chunk, headers=headers)
