"""The rules of services.yaml beyond types: names, aliases, paths, enums, templates, and
(in `complete` mode) references that a whole manifest must resolve.

A fragment is checked for what one file can decide; names it references may live in other
repos. `complete=True` adds what a whole manifest needs: `spec.environments`, a project name,
and every `use` / `dependsOn` / `from` resolvable. Enum fields that hold a template are
rendered for every environment the document defines (or `FALLBACK_ENVIRONMENTS`) and the
result is checked, as upstream validates after rendering. Pure.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from resolver import gotemplate
from resolver.diagnostics import Code, Diagnostic, Locate, Reporter, did_you_mean, join_pointer
from resolver.model import (
    CODE_UPDATE_STRATEGIES,
    IMAGE_TYPES,
    PROVIDERS,
    RUNTIME_MODES,
    SERVICE_SCOPES,
)
from resolver.naming import (
    REPOSITORY_ROLES,
    InvalidName,
    clean_repo_path,
    normalize_alias,
)
from resolver.normalize import (
    FALLBACK_ENVIRONMENTS,
    ManifestError,
    as_list,
    fallback_namespace,
    project_name,
    resolve_environment,
    spec_of,
    template_context,
)


class _Checker:
    def __init__(
        self,
        doc: dict[str, Any],
        path: str,
        repo_path: str,
        locate: Locate,
        *,
        complete: bool,
        check_templates: bool,
    ) -> None:
        self.doc = doc
        self.spec = spec_of(doc)
        self.path = path
        self.repo_dir = posixpath.dirname(repo_path)
        self.locate = locate
        self.complete = complete
        self.check_templates = check_templates
        self.reporter = Reporter(path, locate)
        self.report = self.reporter.report
        envs = self.spec.get("environments")
        self.environments = sorted(envs) if isinstance(envs, dict) and envs else []
        self.project = project_name(doc) or "project"
        self._contexts: dict[str, dict[str, Any]] = {}

    # -- helpers -----------------------------------------------------------------------
    def items(self, key: str) -> Iterator[tuple[str, dict[str, Any]]]:
        value = self.spec.get(key)
        if isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    yield join_pointer("/spec", key, index), item

    def entries(self, key: str) -> Iterator[tuple[str, str, Any]]:
        value = self.spec.get(key)
        if isinstance(value, dict):
            for name, item in value.items():
                yield join_pointer("/spec", key, name), name, item

    def alias(self, value: Any, pointer: str) -> None:
        if not isinstance(value, str):
            return
        try:
            normalize_alias(value)
        except InvalidName as exc:
            fixed = value.strip().lower()
            self.report(
                "invalid_alias",
                str(exc),
                pointer,
                f"use a name like `{fixed}`" if fixed != value else "",
            )

    def repo_path(
        self, value: Any, pointer: str, what: str, *, relative_to_file: bool = False
    ) -> None:
        if not isinstance(value, str) or not value.strip():
            return
        candidate = posixpath.join(self.repo_dir, value) if relative_to_file else value
        if relative_to_file and value.startswith("/"):
            candidate = value
        try:
            clean_repo_path(candidate)
        except InvalidName as exc:
            self.report(
                "invalid_path",
                f"{what}: {exc}",
                pointer,
                "paths are relative to the repository root and stay inside it",
            )

    def enum(self, value: Any, pointer: str, allowed: tuple[str, ...], what: str) -> None:
        if not isinstance(value, str) or not value.strip():
            return
        if gotemplate.contains_template(value):
            for env, rendered in self.render_per_env(value, pointer):
                result = rendered.strip().lower()
                if result and result not in allowed:
                    self.report(
                        "invalid_enum",
                        f"{what} renders to `{rendered.strip()}` for environment `{env}`; "
                        f"allowed: {', '.join(allowed)}",
                        pointer,
                        did_you_mean(result, allowed) or f"allowed: {', '.join(allowed)}",
                    )
            return
        if value.strip().lower() not in allowed:
            self.report(
                "invalid_enum",
                f"{what} `{value}` is not one of {', '.join(allowed)}",
                pointer,
                did_you_mean(value.strip().lower(), allowed) or f"use one of {', '.join(allowed)}",
            )

    def render_per_env(self, text: str, pointer: str) -> Iterator[tuple[str, str]]:
        for env in self.environments or FALLBACK_ENVIRONMENTS:
            context = self.context(env)
            try:
                yield env, gotemplate.render(text, context, {})
            except gotemplate.TemplateError as exc:
                self.report(
                    "template_error",
                    f"template fails for environment `{env}`: {exc.message}",
                    pointer,
                    "check the functions and fields it uses",
                )
                return

    def context(self, env: str) -> dict[str, Any]:
        """The render context for `env`, built once per environment (not once per value)."""
        if env not in self._contexts:
            namespace = fallback_namespace(self.project, env, 1)
            self._contexts[env] = template_context(
                self.doc, env, namespace=namespace, project=self.project
            )
        return self._contexts[env]

    # -- rules -------------------------------------------------------------------------
    def run(self) -> list[Diagnostic]:
        self.check_units()
        self.check_repositories()
        self.check_docs()
        self.check_enums()
        self.check_environments()
        self.check_local_imports()
        if self.check_templates:
            self.check_template_strings(self.doc, "")
        if self.complete:
            self.check_complete()
        return self.reporter.out

    def check_units(self) -> None:
        units: dict[str, str] = {}
        for key in ("infrastructure", "services", "components"):
            seen: dict[str, str] = {}
            for pointer, item in self.items(key):
                name = item.get("name")
                if not isinstance(name, str) or not name.strip():
                    continue
                if name in seen:
                    first = self.locate(seen[name] + "/name", False)[0]
                    self.report(
                        "duplicate_name",
                        f"{key} `{name}` is defined twice",
                        pointer + "/name",
                        f"rename or remove one (the first is at line {first})",
                    )
                seen[name] = pointer
                if key != "components":
                    if name in units and units[name] != key:
                        self.report(
                            "duplicate_unit",
                            f"`{name}` is both an infrastructure item and a service; "
                            "`dependsOn` could not tell them apart",
                            pointer + "/name",
                            "give one of them another name",
                        )
                    units.setdefault(name, key)
                self.alias(item.get("repository"), pointer + "/repository")
                for index, manifest in enumerate(as_list(item.get("manifests"))):
                    if isinstance(manifest, dict):
                        mp = join_pointer(pointer, "manifests", index)
                        self.repo_path(manifest.get("path"), mp + "/path", "manifest path")
                        self.alias(manifest.get("repository"), mp + "/repository")
                when = item.get("when")
                if isinstance(when, str) and key != "components":
                    self.check_when(when, pointer + "/when")

    def check_when(self, when: str, pointer: str) -> None:
        if not gotemplate.contains_template(when):
            if when.strip():
                try:
                    gotemplate.parse_bool(when.strip())
                except ValueError:
                    self.report(
                        "invalid_when",
                        f"`when` must be a boolean, got `{when}`",
                        pointer,
                        "write `true`/`false` or a template such as '{{ eq .Env \"ai\" }}'",
                    )
            return
        for env, rendered in self.render_per_env(when, pointer):
            value = rendered.strip()
            if not value:
                continue
            try:
                gotemplate.parse_bool(value)
            except ValueError:
                self.report(
                    "invalid_when",
                    f"`when` renders to `{value}` for environment `{env}`, not a boolean",
                    pointer,
                    "make the template print true or false",
                )
                return

    def check_repositories(self) -> None:
        seen: dict[str, str] = {}
        for pointer, repo in self.items("repositories"):
            alias = repo.get("alias")
            self.alias(alias, pointer + "/alias")
            if isinstance(alias, str):
                norm = alias.strip().lower()
                if norm in seen:
                    self.report(
                        "duplicate_alias",
                        f"repository alias `{norm}` is bound twice",
                        pointer + "/alias",
                        "each alias names one repository",
                    )
                seen[norm] = pointer
            self.enum(repo.get("role"), pointer + "/role", REPOSITORY_ROLES, "role")
            provider = repo.get("provider")
            if isinstance(provider, str) and provider.strip().lower() not in PROVIDERS:
                self.report(
                    "unsupported_provider",
                    f"provider `{provider}` is not supported",
                    pointer + "/provider",
                    "Manifold binds `github` repositories",
                )
            for key in ("servicesPath", "docsRootPath"):
                self.repo_path(repo.get(key), pointer + "/" + key, key)
        composition = self.spec.get("composition")
        if isinstance(composition, dict):
            self.alias(composition.get("rootRepository"), "/spec/composition/rootRepository")
            imports = composition.get("imports")
            for index, item in enumerate(imports if isinstance(imports, list) else []):
                if isinstance(item, dict):
                    ip = join_pointer("/spec/composition/imports", index)
                    self.alias(item.get("repository"), ip + "/repository")
                    self.repo_path(item.get("path"), ip + "/path", "import path")

    def check_docs(self) -> None:
        for pointer, ref in self.items("projectDocs"):
            self.alias(ref.get("repository"), pointer + "/repository")
            self.repo_path(ref.get("path"), pointer + "/path", "doc path")
        for pointer, _role, refs in self.entries("roleDocTemplates"):
            for index, ref in enumerate(refs if isinstance(refs, list) else []):
                if isinstance(ref, dict):
                    rp = join_pointer(pointer, index)
                    self.alias(ref.get("repository"), rp + "/repository")
                    self.repo_path(ref.get("path"), rp + "/path", "template path")

    def check_enums(self) -> None:
        for pointer, service in self.items("services"):
            self.enum(
                service.get("codeUpdateStrategy"),
                pointer + "/codeUpdateStrategy",
                CODE_UPDATE_STRATEGIES,
                "codeUpdateStrategy",
            )
            self.enum(service.get("scope"), pointer + "/scope", SERVICE_SCOPES, "scope")
        for pointer, component in self.items("components"):
            defaults = component.get("serviceDefaults")
            if isinstance(defaults, dict):
                self.enum(
                    defaults.get("codeUpdateStrategy"),
                    pointer + "/serviceDefaults/codeUpdateStrategy",
                    CODE_UPDATE_STRATEGIES,
                    "codeUpdateStrategy",
                )
        for pointer, _name, image in self.entries("images"):
            if isinstance(image, dict):
                self.enum(image.get("type"), pointer + "/type", IMAGE_TYPES, "image type")
        runtime = self.spec.get("webhookRuntime")
        if isinstance(runtime, dict):
            self.enum(
                runtime.get("defaultMode"),
                "/spec/webhookRuntime/defaultMode",
                RUNTIME_MODES,
                "runtime mode",
            )
            modes = runtime.get("triggerModes")
            for trigger, mode in modes.items() if isinstance(modes, dict) else []:
                self.enum(
                    mode,
                    join_pointer("/spec/webhookRuntime/triggerModes", trigger),
                    RUNTIME_MODES,
                    "runtime mode",
                )

    def check_environments(self) -> None:
        envs = self.spec.get("environments")
        if not isinstance(envs, dict):
            return
        for name, env in envs.items():
            parent = env.get("from") if isinstance(env, dict) else None
            if not isinstance(parent, str) or not parent.strip():
                continue
            pointer = join_pointer("/spec/environments", name, "from")
            if parent.strip() not in envs:
                if self.complete:
                    self.report(
                        "unknown_environment",
                        f"environment `{name}` inherits from `{parent}`, which is not defined",
                        pointer,
                        did_you_mean(parent, envs) or "define it under `spec.environments`",
                        code=Code.NOT_FOUND,
                    )
                continue
            try:
                resolve_environment(self.doc, name)
            except ManifestError as exc:
                if exc.reason == "environment_cycle":
                    self.report(
                        "environment_cycle",
                        exc.message,
                        pointer,
                        "remove `from` from one environment of the cycle",
                    )

    def check_local_imports(self) -> None:
        imports = self.spec.get("imports")
        for index, item in enumerate(imports if isinstance(imports, list) else []):
            value = item.get("path") if isinstance(item, dict) else item
            pointer = join_pointer("/spec/imports", index)
            if isinstance(item, dict):
                pointer += "/path"
            self.repo_path(value, pointer, "import path", relative_to_file=True)

    def check_template_strings(self, value: Any, pointer: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                self.check_template_strings(item, join_pointer(pointer, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.check_template_strings(item, join_pointer(pointer, index))
        elif isinstance(value, str) and gotemplate.contains_template(value):
            try:
                gotemplate.parse(value)
            except gotemplate.TemplateError as exc:
                self.report(
                    "template_syntax",
                    f"template error: {exc.message}",
                    pointer,
                    "fix the Go template; see `manifold schema` for the functions",
                )

    def check_complete(self) -> None:
        envs = self.spec.get("environments")
        if not isinstance(envs, dict) or not envs:
            self.report(
                "missing_environments",
                "`spec.environments` is required and has none",
                "/spec",
                "add `environments:` with at least one environment",
                code=Code.FAILED_PRECONDITION,
            )
        if not project_name(self.doc):
            self.report(
                "missing_project",
                "the project has no name",
                "/metadata",
                "set `metadata.name` or `spec.project`",
                code=Code.FAILED_PRECONDITION,
            )
        components = {
            c["name"] for _, c in self.items("components") if isinstance(c.get("name"), str)
        }
        units = {
            i["name"]
            for key in ("infrastructure", "services")
            for _, i in self.items(key)
            if isinstance(i.get("name"), str)
        }
        for key in ("services", "infrastructure"):
            for pointer, item in self.items(key):
                for index, ref in enumerate(as_list(item.get("use")) if key == "services" else []):
                    if isinstance(ref, str) and ref.strip() not in components:
                        self.report(
                            "unknown_component",
                            f"`{item.get('name')}` uses component `{ref}`, which is not defined",
                            join_pointer(pointer, "use", index),
                            did_you_mean(str(ref), (c for c in components if c))
                            or "define it under `spec.components`",
                            code=Code.NOT_FOUND,
                        )
                for index, dep in enumerate(as_list(item.get("dependsOn"))):
                    if isinstance(dep, str) and dep not in units:
                        self.report(
                            "unknown_dependency",
                            f"`{item.get('name')}` depends on `{dep}`, which is not defined",
                            join_pointer(pointer, "dependsOn", index),
                            did_you_mean(str(dep), (u for u in units if u))
                            or "define that service or infrastructure item, or remove the name",
                            code=Code.NOT_FOUND,
                        )


def check_semantics(
    doc: dict[str, Any],
    path: str,
    locate: Locate,
    *,
    repo_path: str = "",
    complete: bool = False,
    check_templates: bool = True,
) -> list[Diagnostic]:
    return _Checker(
        doc,
        path,
        repo_path or posixpath.basename(path),
        locate,
        complete=complete,
        check_templates=check_templates,
    ).run()
