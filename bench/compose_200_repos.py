"""Benchmark: compose a generated 200-repository / 5,000-unit project.

Generates a workspace in a temporary directory — an orchestrator root importing 199 service
repositories, each with 25 units (20 services, 5 infrastructure items), manifests, docs and
versions, and all of them importing one shared fragment (a 199-way diamond) — then reports
wall time and peak memory of:

- the floor: reading the 200 services files and parsing them with
  `yaml.load(..., Loader=yaml.CSafeLoader)` (what merely loading the YAML costs);
- `compose` over an in-memory source (the pure core: parse with positions, validate, merge,
  plan, docs, checkout, report);
- `compose` over `LocalSource` on the plain directories (adds reading and content hashing);
- rendering the report as JSON.

Usage: `.venv/bin/python bench/compose_200_repos.py [--repos 200] [--units 25] [--rounds 3]`
Not part of the test run.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from resolver.composition import MemorySource, compose, load_workspace, render_json

ENVIRONMENTS = {
    "dev": {"namespaceTemplate": "{{ .Project }}-dev"},
    "production": {"namespaceTemplate": "{{ .Project }}-prod"},
    "ai": {"from": "production", "namespaceTemplate": "{{ .Project }}-dev-{{ .Slot }}"},
}


def _service_repo(index: int, units: int) -> tuple[dict[str, Any], dict[str, str]]:
    alias = f"svc-{index:03d}"
    infra_count = max(1, units // 5)
    infra = [
        {
            "name": f"{alias}-db{i}",
            "dependsOn": ["namespace"],
            "manifests": [{"path": f"deploy/db{i}.yaml.tpl"}],
        }
        for i in range(infra_count)
    ]
    services = []
    groups = ["migrations", "internal", "edge"]
    for i in range(units - infra_count):
        deps = [f"{alias}-db{i % infra_count}"]
        if i >= 3:
            deps.append(f"{alias}-s{i - 3:02d}")
        services.append(
            {
                "name": f"{alias}-s{i:02d}",
                "use": ["go-service"],
                "deployGroup": groups[min(i // 7, 2)],
                "dependsOn": deps,
                "when": '{{ ne .Env "never" }}',
                "image": {
                    "repository": f"registry.local/{alias}/s{i}",
                    "tagTemplate": f'{{{{ index .Versions "{alias}" }}}}',
                },
                "manifests": [{"path": f"deploy/s{i:02d}.yaml.tpl"}],
            }
        )
    spec = {
        "project": "bench",
        "composition": {"imports": [{"repository": "common", "path": "fragments/go.yaml"}]},
        "projectDocs": [
            {"path": "docs/api.md", "roles": ["dev", "qa"], "description": f"API of {alias}"}
        ],
        "versions": {alias: {"value": f"1.{index}.0", "bumpOn": ["cmd", "deploy"]}},
        "images": {
            alias: {
                "type": "build",
                "repository": f"registry.local/{alias}",
                "tagTemplate": f'{{{{ index .Versions "{alias}" }}}}',
                "dockerfile": "Dockerfile",
                "context": ".",
            }
        },
        "infrastructure": infra,
        "services": services,
    }
    files = {f"deploy/db{i}.yaml.tpl": "kind: ConfigMap\n" for i in range(infra_count)}
    files.update(
        {f"deploy/s{i:02d}.yaml.tpl": "kind: Deployment\n" for i in range(units - infra_count)}
    )
    files["docs/api.md"] = f"# {alias}\n"
    return spec, files


def _document(name: str, spec: dict[str, Any]) -> str:
    return yaml.safe_dump(
        {
            "apiVersion": "kodex.works/v1alpha1",
            "kind": "ServiceStack",
            "metadata": {"name": name},
            "spec": spec,
        },
        sort_keys=False,
    )


def generate(root: Path, repos: int, units: int) -> list[Path]:
    """Write the workspace; return the services files (the floor parses exactly these)."""
    services_files = []
    bindings = [
        {"alias": "platform", "path": "platform", "role": "orchestrator", "defaultRef": "main"},
        {
            "alias": "common",
            "path": "common",
            "role": "service",
            "defaultRef": "main",
            "servicesPath": "fragments/go.yaml",
        },
    ]
    service_aliases = [f"svc-{i:03d}" for i in range(repos - 1)]
    platform_spec = {
        "project": "bench",
        "composition": {
            "rootRepository": "platform",
            "imports": [{"repository": a} for a in service_aliases],
        },
        "environments": ENVIRONMENTS,
        "orchestration": {"deployOrder": ["migrations", "internal", "edge"]},
        "infrastructure": [
            {"name": "namespace", "manifests": [{"path": "deploy/namespace.yaml.tpl"}]}
        ],
        "projectDocs": [{"path": "README.md"}],
    }
    files: dict[str, dict[str, str]] = {
        "platform": {
            "services.yaml": _document("platform", platform_spec),
            "deploy/namespace.yaml.tpl": "kind: Namespace\n",
            "README.md": "# bench\n",
        },
        "common": {
            "fragments/go.yaml": _document(
                "common",
                {
                    "components": [
                        {
                            "name": "go-service",
                            "serviceDefaults": {
                                "codeUpdateStrategy": "rebuild",
                                "deployGroup": "internal",
                            },
                        }
                    ],
                    "versions": {"golang": {"value": "1.23.4-alpine"}},
                },
            )
        },
    }
    for index, alias in enumerate(service_aliases):
        spec, repo_files = _service_repo(index, units)
        repo_files["services.yaml"] = _document(alias, spec)
        files[alias] = repo_files
        bindings.append({"alias": alias, "path": alias, "role": "service", "defaultRef": "main"})
    for alias, repo_files in files.items():
        for name, text in repo_files.items():
            target = root / alias / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
            if name.endswith(("services.yaml", "go.yaml")):
                services_files.append(target)
    (root / "workspace.yaml").write_text(
        yaml.safe_dump({"project": "bench", "repositories": bindings}, sort_keys=False)
    )
    return sorted(services_files)


def measure(label: str, action: Callable[[], object], rounds: int) -> tuple[float, int, object]:
    times = []
    result: object = None
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    gc.collect()
    tracemalloc.start()
    action()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    best = min(times)
    print(f"{label:<44} {best:8.3f} s   peak {peak / 2**20:8.1f} MiB")
    return best, peak, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=200)
    parser.add_argument("--units", type=int, default=25, help="units per service repository")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="manifold-bench-") as tmp:
        root = Path(tmp)
        services_files = generate(root, args.repos, args.units)
        workspace, _local = load_workspace(root)
        memory = MemorySource()
        for binding in workspace.repositories:
            base = root / binding.path
            memory.commit(
                binding.alias,
                {
                    p.relative_to(base).as_posix(): p.read_bytes()
                    for p in base.rglob("*")
                    if p.is_file()
                },
            )
        unit_count = (args.repos - 1) * args.units + 1
        print(
            f"{args.repos} repositories, {unit_count} units, "
            f"{sum(p.stat().st_size for p in services_files) / 2**20:.1f} MiB of YAML\n"
        )

        def floor() -> object:
            return [yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader) for p in services_files]

        floor_time, floor_peak, _ = measure(
            "floor: read + yaml.load(CSafeLoader)", floor, args.rounds
        )
        core_time, core_peak, report = measure(
            "compose (in-memory source)", lambda: compose(workspace, memory), args.rounds
        )
        local_time, local_peak, _ = measure(
            "compose (LocalSource, plain directories)",
            lambda: compose(*load_workspace(root)),
            args.rounds,
        )
        json_time, _, _ = measure("render_json", lambda: render_json(report), 1)  # type: ignore[arg-type]
        assert getattr(report, "ok", False), "the generated project must compose cleanly"
        print()
        print(
            f"ratio, in-memory compose / floor: {core_time / floor_time:5.2f}x time, "
            f"{core_peak / floor_peak:5.2f}x peak memory"
        )
        print(
            f"ratio, LocalSource compose / floor: {local_time / floor_time:5.2f}x time, "
            f"{local_peak / floor_peak:5.2f}x peak memory"
        )
        print(f"(render_json adds {json_time:.3f} s)")


if __name__ == "__main__":
    main()
