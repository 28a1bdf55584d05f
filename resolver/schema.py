"""A JSON Schema of the services.yaml format for editors (yaml-language-server).

Generated from `resolver.model`, so it cannot drift from what the validator checks. Enum
fields accept either a listed value or a string holding a Go template; unknown keys are
allowed (upstream is forward compatible). Use it with a modeline:
`# yaml-language-server: $schema=./services.schema.json`.
"""

from __future__ import annotations

import json
from typing import Any

from resolver.model import API_VERSIONS, KIND, ServiceStack

SCHEMA_ID = "https://manifold.invalid/schemas/services.schema.json"


def _strip_nulls(node: Any) -> Any:
    """pydantic writes `anyOf: [T, null]` for optional fields; YAML editors want plain `T`."""
    if isinstance(node, dict):
        options = node.get("anyOf")
        if isinstance(options, list):
            kept = [o for o in options if o != {"type": "null"}]
            if len(kept) == 1 and len(kept) != len(options):
                rest = {k: v for k, v in node.items() if k not in ("anyOf", "default")}
                return _strip_nulls({**kept[0], **rest})
        return {k: _strip_nulls(v) for k, v in node.items() if not (k == "default" and v is None)}
    if isinstance(node, list):
        return [_strip_nulls(n) for n in node]
    return node


def services_schema() -> dict[str, Any]:
    schema: dict[str, Any] = _strip_nulls(
        ServiceStack.model_json_schema(by_alias=True, mode="validation")
    )
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "services.yaml (ServiceStack, with Manifold's federation extension)"
    properties = schema.setdefault("properties", {})
    properties["apiVersion"] = {"type": "string", "enum": list(API_VERSIONS)}
    properties["kind"] = {"type": "string", "const": KIND}
    return schema


def render_schema() -> str:
    return json.dumps(services_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
