"""The services.yaml format as typed models: the `ServiceStack` contract plus Manifold's
federation extension (`spec.repositories`, `spec.composition`, `repository` on docs).

These models decide structure and types (and give editors a JSON Schema). They never drop
data: every model allows unknown keys, which the validator reports as warnings, so newer
upstream keys survive a round trip. Values whose allowed set is an enum are plain strings
here, because real files put templates there (`type: '{{ ternary ... }}'`); the validator
checks them after rendering, per environment. No I/O.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

API_VERSIONS = ("codex-k8s.io/v1alpha1", "codex-k8s.dev/v1alpha1", "kodex.works/v1alpha1")
#: the newest first: a virtual root takes the newest apiVersion any fragment uses
API_VERSION_ORDER = {v: i for i, v in enumerate(API_VERSIONS)}
KIND = "ServiceStack"

CODE_UPDATE_STRATEGIES = ("hot-reload", "rebuild", "restart")
SERVICE_SCOPES = ("environment", "infrastructure-singleton")
IMAGE_TYPES = ("external", "build", "skip")
RUNTIME_MODES = ("full-env", "code-only")
PROVIDERS = ("github",)


class _Model(BaseModel):
    # `coerce_numbers_to_str`: yaml.v3 reads `value: 1.2` into a Go string field as "1.2".
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        coerce_numbers_to_str=True,
        json_schema_extra={"additionalProperties": True},
    )


def _enum(values: tuple[str, ...], description: str, alias: str | None = None) -> Any:
    return Field(
        default=None,
        alias=alias,
        description=description,
        json_schema_extra={
            "anyOf": [
                {"enum": list(values)},
                {"type": "string", "pattern": r"\{\{", "description": "a Go template"},
            ]
        },
    )


class ManifestRef(_Model):
    path: str = Field(min_length=1, description="repo-relative path of a *.yaml(.tpl) file")
    repository: str | None = Field(default=None, description="alias of the repo the path is in")


class ImportRef(_Model):
    path: str = Field(min_length=1)


class ServiceDefaults(_Model):
    code_update_strategy: str | None = _enum(
        CODE_UPDATE_STRATEGIES, "hot-reload|rebuild|restart", alias="codeUpdateStrategy"
    )
    deploy_group: str | None = Field(default=None, alias="deployGroup")
    depends_on: list[str] | None = Field(default=None, alias="dependsOn")


class Component(_Model):
    name: str = Field(min_length=1)
    service_defaults: ServiceDefaults | None = Field(default=None, alias="serviceDefaults")
    repository: str | None = None


class Environment(_Model):
    from_: str | None = Field(default=None, alias="from", description="environment to inherit")
    namespace_template: str | None = Field(default=None, alias="namespaceTemplate")
    domain_template: str | None = Field(default=None, alias="domainTemplate")
    image_pull_policy: str | None = Field(default=None, alias="imagePullPolicy")


class WebhookRuntime(_Model):
    default_mode: str | None = Field(default=None, alias="defaultMode")
    trigger_modes: dict[str, str] | None = Field(default=None, alias="triggerModes")
    default_namespace_ttl: str | None = Field(default=None, alias="defaultNamespaceTTL")
    namespace_ttl_by_role: dict[str, str] | None = Field(default=None, alias="namespaceTTLByRole")


class SecretKeyOverride(_Model):
    source_key: str = Field(min_length=1, alias="sourceKey")
    override_keys: dict[str, str] = Field(alias="overrideKeys", min_length=1)


class SecretPattern(_Model):
    source_prefix: str | None = Field(default=None, alias="sourcePrefix")
    exclude_prefixes: list[str] | None = Field(default=None, alias="excludePrefixes")
    exclude_suffixes: list[str] | None = Field(default=None, alias="excludeSuffixes")
    environments: list[str] | None = None
    override_template: str = Field(min_length=1, alias="overrideTemplate")


class SecretResolution(_Model):
    environment_aliases: dict[str, list[str]] | None = Field(
        default=None, alias="environmentAliases"
    )
    key_overrides: list[SecretKeyOverride] | None = Field(default=None, alias="keyOverrides")
    patterns: list[SecretPattern] | None = None


class ProjectDocRef(_Model):
    repository: str | None = Field(default=None, description="alias of the repo holding the doc")
    path: str = Field(min_length=1)
    description: str | None = None
    roles: list[str] | None = None
    optional: bool | None = None


class RoleDocTemplateRef(_Model):
    repository: str | None = None
    path: str = Field(min_length=1)
    description: str | None = None


class VersionEntry(_Model):
    value: str = Field(min_length=1)
    bump_on: list[str] | None = Field(default=None, alias="bumpOn")


class Image(_Model):
    type: str | None = _enum(IMAGE_TYPES, "external|build|skip")
    from_: str | None = Field(default=None, alias="from")
    local: str | None = None
    repository: str | None = None
    tag_template: str | None = Field(default=None, alias="tagTemplate")
    dockerfile: str | None = None
    context: str | None = None
    build_args: dict[str, str] | None = Field(default=None, alias="buildArgs")


class InfrastructureItem(_Model):
    name: str = Field(min_length=1)
    depends_on: list[str] | None = Field(default=None, alias="dependsOn")
    manifests: list[ManifestRef] | None = None
    when: str | None = Field(default=None, description="Go template rendering to a bool")
    repository: str | None = None


class ServiceImage(_Model):
    repository: str | None = None
    tag_template: str | None = Field(default=None, alias="tagTemplate")


class Service(_Model):
    name: str = Field(min_length=1)
    use: list[str] | None = None
    code_update_strategy: str | None = _enum(
        CODE_UPDATE_STRATEGIES, "hot-reload|rebuild|restart", alias="codeUpdateStrategy"
    )
    scope: str | None = _enum(SERVICE_SCOPES, "environment|infrastructure-singleton")
    deploy_group: str | None = Field(default=None, alias="deployGroup")
    depends_on: list[str] | None = Field(default=None, alias="dependsOn")
    manifests: list[ManifestRef] | None = None
    when: str | None = None
    image: ServiceImage | None = None
    repository: str | None = None


class CleanupPolicy(_Model):
    full_env_idle_ttl: str | None = Field(default=None, alias="fullEnvIdleTTL")


class Orchestration(_Model):
    deploy_order: list[str] | None = Field(default=None, alias="deployOrder")
    cleanup_policy: CleanupPolicy | None = Field(default=None, alias="cleanupPolicy")


class RepositoryBinding(_Model):
    alias: str = Field(min_length=1, description="^[a-z0-9][a-z0-9._-]*$ (lower-cased)")
    provider: str | None = None
    owner: str | None = None
    name: str | None = None
    role: str | None = _enum(("orchestrator", "service", "docs", "mixed"), "repository role")
    default_ref: str | None = Field(default=None, alias="defaultRef")
    services_path: str | None = Field(default=None, alias="servicesPath")
    docs_root_path: str | None = Field(default=None, alias="docsRootPath")


class CompositionImport(_Model):
    repository: str = Field(min_length=1)
    path: str | None = Field(default=None, description="defaults to the repo's servicesPath")
    ref: str | None = Field(default=None, description="defaults to the repo's defaultRef")
    required: bool | None = None


class Composition(_Model):
    root_repository: str | None = Field(default=None, alias="rootRepository")
    imports: list[CompositionImport] | None = None


class Spec(_Model):
    project: str | None = None
    project_docs: list[ProjectDocRef] | None = Field(default=None, alias="projectDocs")
    role_doc_templates: dict[str, list[RoleDocTemplateRef]] | None = Field(
        default=None, alias="roleDocTemplates"
    )
    versions: dict[str, VersionEntry] | None = None
    imports: list[ImportRef | str] | None = None
    components: list[Component] | None = None
    environments: dict[str, Environment] | None = None
    webhook_runtime: WebhookRuntime | None = Field(default=None, alias="webhookRuntime")
    secret_resolution: SecretResolution | None = Field(default=None, alias="secretResolution")
    images: dict[str, Image] | None = None
    infrastructure: list[InfrastructureItem] | None = None
    services: list[Service] | None = None
    orchestration: Orchestration | None = None
    repositories: list[RepositoryBinding] | None = None
    composition: Composition | None = None


class Metadata(_Model):
    name: str | None = None


class ServiceStack(_Model):
    """A services.yaml file (a fragment or a whole manifest)."""

    api_version: str | None = Field(default=None, alias="apiVersion")
    kind: str | None = None
    metadata: Metadata | None = None
    spec: Spec | None = None
