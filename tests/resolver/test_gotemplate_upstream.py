"""The evaluator against upstream's real files (../shared/upstream; skipped when absent).

Renders every `deploy/**/*.yaml.tpl` manifest the way upstream's `manifesttpl` does
(`.Vars` = the variables, `envOr` reads the same map), every templated value of the real
services.yaml files for every environment they define, and the flat-dialect file whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from resolver.gotemplate import parse, render, render_when

UPSTREAM = Path(__file__).resolve().parents[2].parent / "shared" / "upstream"
CODEX_K8S = UPSTREAM / "codex-k8s-c9db8ac5"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not present on this machine")
    return path


def _manifests() -> list[Path]:
    return sorted((CODEX_K8S / "deploy").rglob("*.yaml.tpl")) if CODEX_K8S.is_dir() else []


def _manifest_vars(env: str, hot_reload: str) -> dict[str, str]:
    """A realistic variable map, shaped like upstream's runtimedeploy `buildTemplateVars`."""
    namespace = "kodex-dev-2" if env == "ai" else "kodex-prod"
    domain = f"{namespace}.ai.example.com" if env == "ai" else "kodex.example.com"
    images = {
        f"KODEX_{name}_IMAGE": f"registry.local:5000/kodex/{name.lower()}:abc123"
        for name in (
            "API_GATEWAY",
            "CONTROL_PLANE",
            "WORKER",
            "WEB_CONSOLE",
            "TELEGRAM_INTERACTION_ADAPTER",
            "AGENT_RUNNER",
            "POSTGRES",
            "BUSYBOX",
            "OAUTH2_PROXY",
            "REGISTRY",
        )
    }
    return {
        **images,
        "KODEX_ENV": env,
        "KODEX_SERVICES_CONFIG_ENV": env,
        "KODEX_HOT_RELOAD": hot_reload,
        "KODEX_PRODUCTION_NAMESPACE": namespace,
        "KODEX_WORKER_K8S_NAMESPACE": namespace,
        "KODEX_PLATFORM_NAMESPACE": "kodex-prod",
        "KODEX_PUBLIC_DOMAIN": domain,
        "KODEX_PRODUCTION_DOMAIN": "kodex.example.com",
        "KODEX_PUBLIC_BASE_URL": f"https://{domain}",
        "KODEX_TLS_SECRET_NAME": "kodex-ai-tls" if env == "ai" else "kodex-production-tls",
        "KODEX_CERT_MANAGER_ANNOTATE": "true",
        "KODEX_PLATFORM_DEPLOYMENT_REPLICAS": "1" if env == "ai" else "2",
        "KODEX_WORKER_REPLICAS": "1",
        "KODEX_BUILD_REF": "main",
        "KODEX_BUILD_TAG": "main",
        "KODEX_GITHUB_REPO": "codex-k8s/kodex",
        "KODEX_INTERNAL_REGISTRY_HOST": "127.0.0.1:5000",
        "KODEX_CONTROL_PLANE_GRPC_TARGET": f"kodex-control-plane.{namespace}.svc:9090",
        "KODEX_SHARED_OAUTH2_PROXY_AUTH_URL": "https://auth.example.com/oauth2/auth",
        "KODEX_SHARED_OAUTH2_PROXY_SIGNIN_URL": "https://auth.example.com/oauth2/start",
    }


MANIFEST_CASES = [("production", "false"), ("ai", "true"), ("ai", "false")]


@pytest.mark.parametrize("env_name,hot_reload", MANIFEST_CASES)
@pytest.mark.parametrize("manifest", _manifests(), ids=lambda p: p.name)
def test_every_upstream_manifest_renders_to_yaml(
    manifest: Path, env_name: str, hot_reload: str
) -> None:
    variables = _manifest_vars(env_name, hot_reload)
    text = manifest.read_text(encoding="utf-8")
    rendered = parse(text, str(manifest.relative_to(UPSTREAM))).execute(
        {"Vars": variables}, variables
    )
    assert "<no value>" not in rendered
    documents = [doc for doc in yaml.safe_load_all(rendered) if doc is not None]
    assert documents, f"{manifest} rendered to no YAML documents"
    for doc in documents:
        assert isinstance(doc, dict)
        assert "kind" in doc and "apiVersion" in doc
        namespace = doc.get("metadata", {}).get("namespace")
        if namespace is not None:
            assert namespace == variables["KODEX_PRODUCTION_NAMESPACE"]


def test_manifests_are_present_when_upstream_is() -> None:
    _need(CODEX_K8S)
    assert len(_manifests()) >= 8


def test_ingress_branches_follow_the_environment() -> None:
    manifest = _need(CODEX_K8S / "deploy/base/kodex/ingress.yaml.tpl")
    template = parse(manifest.read_text(encoding="utf-8"))
    ai = _manifest_vars("ai", "true")
    prod = _manifest_vars("production", "false")
    ai_docs = list(yaml.safe_load_all(template.execute({"Vars": ai}, ai)))
    prod_docs = [d for d in yaml.safe_load_all(template.execute({"Vars": prod}, prod)) if d]
    # In ai slots the shared oauth2-proxy is used and the telegram webhook ingress is skipped.
    assert ai_docs[0]["metadata"]["annotations"]["nginx.ingress.kubernetes.io/auth-url"]
    assert [d for d in ai_docs if d] == ai_docs[:1]
    assert [d["metadata"]["name"] for d in prod_docs] == ["kodex", "kodex-telegram-webhook"]
    backend = prod_docs[0]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "oauth2-proxy", "port": {"number": 4180}}


# -- services.yaml ------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """Shaped like upstream's `ResolvedContext` struct (field access on it is checked)."""

    Env: str
    Namespace: str
    Project: str
    Slot: int
    Vars: dict[str, str] = field(default_factory=dict)
    Versions: dict[str, str] = field(default_factory=dict)
    BaseDomain: dict[str, str] = field(default_factory=dict)


def _strings(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, f"{path}/{index}")
    elif isinstance(node, str):
        yield path, node


def _typed_stack(name: str) -> tuple[dict[str, Any], list[tuple[str, Context]]]:
    path = _need(UPSTREAM / name / "services.yaml")
    stack = yaml.safe_load(path.read_text(encoding="utf-8"))
    spec = stack["spec"]
    project = spec.get("project") or stack["metadata"]["name"]
    versions = {
        key: str(value["value"] if isinstance(value, dict) else value)
        for key, value in (spec.get("versions") or {}).items()
    }
    contexts = [
        (
            env,
            Context(
                Env=env,
                Namespace=f"{project}-dev-2" if env == "ai" else f"{project}-{env}",
                Project=project,
                Slot=2,
                Versions=versions,
            ),
        )
        for env in spec["environments"]
    ]
    return stack, contexts


TYPED = ["codex-k8s-5c0315bd", "codex-k8s-c9db8ac5", "kodex-9cca0f4c"]


@pytest.mark.parametrize("name", TYPED)
def test_every_templated_value_of_a_typed_services_yaml_renders(name: str) -> None:
    stack, contexts = _typed_stack(name)
    templated = [(p, v) for p, v in _strings(stack) if "{{" in v]
    assert templated
    env = {"KODEX_INTERNAL_REGISTRY_HOST": "registry.local:5000"}
    for env_name, context in contexts:
        for pointer, value in templated:
            if pointer.endswith("/when"):
                assert isinstance(render_when(value, context, env), bool), pointer
                continue
            out = render(value, context, env, name=f"{name}{pointer}")
            assert "{{" not in out and "<no value>" not in out, (env_name, pointer, out)


def test_real_values_render_as_upstream_does() -> None:
    stack, contexts = _typed_stack("codex-k8s-c9db8ac5")
    by_env = dict(contexts)
    images = stack["spec"]["images"]
    kubectl = next(image for image in images.values() if "alpine/k8s" in image.get("from", ""))
    assert render(kubectl["from"], by_env["ai"]) == "alpine/k8s:1.32.2"
    web_console = next(i for i in images.values() if str(i.get("type", "")).startswith("{{"))
    assert render(web_console["type"], by_env["ai"]) == "build"
    assert render(web_console["type"], by_env["production"]) == "skip"
    namespaces = {env: stack["spec"]["environments"][env]["namespaceTemplate"] for env in by_env}
    assert render(namespaces["ai"], by_env["ai"]) == "kodex-dev-2"
    assert render(namespaces["production"], by_env["production"]) == "kodex-prod"


@pytest.mark.parametrize("name", TYPED)
def test_a_typed_services_yaml_renders_whole_like_upstream_loader(name: str) -> None:
    # Upstream's loader renders the whole (merged) file text, then parses the YAML.
    path = _need(UPSTREAM / name / "services.yaml")
    _, contexts = _typed_stack(name)
    template = parse(path.read_text(encoding="utf-8"), name)
    for _, context in contexts:
        rendered = yaml.safe_load(template.execute(context, {}))
        assert rendered["kind"] == "ServiceStack"


def test_flat_dialect_file_renders_whole_with_comment_preamble() -> None:
    path = _need(UPSTREAM / "project-example-ef00de8" / "services.yaml")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    context = {
        "Env": "dev",
        "Namespace": "project-example-dev",
        "Project": raw["project"],
        "Slot": 0,
        "Versions": {k: str(v) for k, v in (raw.get("versions") or {}).items()},
        "BaseDomain": raw.get("baseDomain") or {},
    }
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(render(text, context, {}, dialect="codexctl"))
    # The preamble's variables reach the body ("#" runs swallow the first line, as in Go).
    assert data["registry"] == "registry.project-example-dev.svc.cluster.local:5000"
    chat_web = next(s for s in data["services"] if s["name"] == "chat-web")
    dev_mount = chat_web["overlays"]["dev"]["pvcMounts"][0]
    assert dev_mount["claimName"] == "project-example-workspace"
    assert dev_mount["subPath"] == "codex/envs/dev/src/services/external/chat-web"
    # trimPrefix VALUE PREFIX in this dialect: the mount is cut off the code root.
    env = {"CODEXCTL_WORKSPACE_MOUNT": "/mnt", "CODEXCTL_CODE_ROOT_BASE": "/mnt/x/y"}
    data = yaml.safe_load(
        render(text, {**context, "Env": "ai", "Slot": 1}, env, dialect="codexctl")
    )
    chat_web = next(s for s in data["services"] if s["name"] == "chat-web")
    ai_mount = chat_web["overlays"]["ai"]["pvcMounts"][0]
    assert ai_mount["subPath"] == "x/y/1/src/services/external/chat-web"
    assert render_when(chat_web["when"], {**context, "Env": "ai"}) is True
