"""The execution plan's data: steps in upstream's apply order, parallel waves, teardown.

Pure data with the JSON shape of `execution_plan` (exactly `environment`, `namespace`,
`waves`, `steps`, `teardown`; skipped units are kept for the renderers only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ManifestRef:
    repository: str
    path: str
    #: where the entry is in the effective manifest (for diagnostics; not serialized)
    pointer: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class PlanStep:
    unit: str
    kind: str  # "infrastructure" | "service"
    group: str
    wave: int
    repository: str
    depends_on: tuple[str, ...]
    manifests: tuple[ManifestRef, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "kind": self.kind,
            "group": self.group,
            "wave": self.wave,
            "repository": self.repository,
            "dependsOn": list(self.depends_on),
            "manifests": [{"repository": m.repository, "path": m.path} for m in self.manifests],
        }


@dataclass(frozen=True, slots=True)
class SkippedUnit:
    unit: str
    kind: str
    reason: str


@dataclass(frozen=True, slots=True)
class ExecutionPlan:
    environment: str
    namespace: str
    steps: tuple[PlanStep, ...] = ()
    waves: tuple[tuple[str, ...], ...] = ()
    teardown: tuple[str, ...] = ()
    skipped: tuple[SkippedUnit, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "environment": self.environment,
            "namespace": self.namespace,
            "waves": [list(w) for w in self.waves],
            "steps": [s.to_dict() for s in self.steps],
            "teardown": list(self.teardown),
        }
