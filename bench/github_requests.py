"""Benchmark: what a composition preview costs in GitHub API requests.

Serves a generated N-repository project (a virtual root over N service repositories, each
with a services.yaml, manifests and docs) from the fake GitHub (`tests/fakes/github.py`,
which checks every request against GitHub's OpenAPI description), and runs
`compose_async` over `GitHubSource` with one shared `ObjectCache`, as the App does:

- cold: empty caches (a fresh process);
- warm: nothing changed since the last preview;
- one fragment changed: a push to one repository edits its services.yaml;
- unrelated pushes: every repository gets a commit that touches no file the preview reads.

For each it prints the HTTP requests sent, how many were 304s, the rate-limit quota they
used, and the wall time (with `--latency` seconds added to every response, to see the
effect of fetching an import-graph level concurrently).

Needs the pinned fixtures (`scripts/fetch-fixtures.sh`).
Usage: `.venv/bin/python bench/github_requests.py [--repos 50] [--units 5] [--latency 0.02]`
Not part of the test run.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.github.client import GitHubApp
from app.github.settings import GitHubSettings
from app.github.source import GitHubSource, ObjectCache
from resolver.composition import compose_async
from resolver.composition.workspace import RepositoryBinding, Workspace
from tests.fakes.fixtures import OPENAPI_FILE, OPENAPI_PACKAGE, fixture_path
from tests.fakes.github import FakeGitHub
from tests.fakes.openapi import OpenAPISpec

OWNER = "bench-org"


def service_repo(index: int, units: int) -> dict[str, str]:
    alias = f"svc-{index:03d}"
    services = [
        {"name": f"{alias}-s{i}", "manifests": [{"path": f"deploy/s{i}.yaml.tpl"}]}
        for i in range(units)
    ]
    spec: dict[str, Any] = {
        "project": "bench",
        "services": services,
        "projectDocs": [{"path": f"docs/{alias}.md", "roles": ["dev"]}],
    }
    if index == 0:
        spec["environments"] = {"ai": {"namespaceTemplate": "{{ .Project }}-dev-{{ .Slot }}"}}
    document = {
        "apiVersion": "kodex.works/v1alpha1",
        "kind": "ServiceStack",
        "metadata": {"name": alias},
        "spec": spec,
    }
    files = {
        "services.yaml": yaml.safe_dump(document, sort_keys=False),
        f"docs/{alias}.md": f"# {alias}\n",
        "README.md": f"{alias}\n",
    }
    files.update({f"deploy/s{i}.yaml.tpl": "kind: Deployment\n" for i in range(units)})
    for i in range(20):  # code the preview never reads
        files[f"src/pkg{i % 4}/file{i}.go"] = f"package pkg{i % 4}\n"
    return files


def build(gh: FakeGitHub, repos: int, units: int) -> tuple[Workspace, int]:
    inst = gh.add_installation(OWNER)
    bindings = []
    for index in range(repos):
        alias = f"svc-{index:03d}"
        gh.add_repo(f"{OWNER}/{alias}", installation=inst, files=service_repo(index, units))
        bindings.append(
            RepositoryBinding(
                alias=alias, role="service", default_ref="main", owner=OWNER, name=alias
            )
        )
    return Workspace(project="bench", repositories=tuple(bindings)), inst.id


async def run(
    args: argparse.Namespace, gh: FakeGitHub, workspace: Workspace, installation: int
) -> None:
    async with aiohttp.ClientSession() as session:
        settings = GitHubSettings(
            app_id=str(gh.app_id), private_key=gh.private_key_pem, api_url=gh.url
        )
        app = GitHubApp(session, settings)
        cache = ObjectCache()
        print(f"{'preview':<26}{'requests':>9}{'304s':>7}{'quota':>7}{'per repo':>10}{'time':>10}")

        async def preview(label: str) -> None:
            before = Counter(gh.requests)
            not_modified = sum(gh.not_modified.values())
            quota = sum(gh.quota_used.values())
            start = time.perf_counter()
            source = GitHubSource.for_workspace(app, workspace, installation, cache=cache)
            report = await compose_async(workspace, source)
            elapsed = time.perf_counter() - start
            assert not report.validation_errors, report.validation_errors[:3]
            sent = sum((Counter(gh.requests) - before).values())
            print(
                f"{label:<26}{sent:>9}{sum(gh.not_modified.values()) - not_modified:>7}"
                f"{sum(gh.quota_used.values()) - quota:>7}{sent / args.repos:>10.2f}"
                f"{elapsed * 1000:>8.0f}ms"
            )
            if args.verbose:
                for route, count in sorted((Counter(gh.requests) - before).items()):
                    print(f"    {count:>5}  {route}")

        await preview("cold")
        await preview("warm (nothing changed)")
        first = gh.repo(f"{OWNER}/svc-001")
        text = first.git.files(first.head())["services.yaml"]
        first.commit({"services.yaml": text + b"# edited\n"})
        await preview("one fragment changed")
        for repo in gh.repos.values():
            repo.commit({"src/pkg0/file0.go": f"package pkg0 // {time.time()}\n"})
        await preview("unrelated push everywhere")
        await preview("warm again")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=50)
    parser.add_argument("--units", type=int, default=5, help="services per repository")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each response")
    parser.add_argument("--verbose", action="store_true", help="requests per route")
    args = parser.parse_args()
    spec = OpenAPISpec.load(fixture_path(OPENAPI_PACKAGE, OPENAPI_FILE))
    gh = FakeGitHub(spec)
    gh.latency = args.latency
    workspace, installation = build(gh, args.repos, args.units)
    print(
        f"{args.repos} repositories x {args.units} services, latency {args.latency * 1000:.0f} ms\n"
    )
    with gh.running():
        asyncio.run(run(args, gh, workspace, installation))
    if gh.violations:
        raise SystemExit("the fake GitHub saw invalid requests:\n  " + "\n  ".join(gh.violations))


if __name__ == "__main__":
    main()
