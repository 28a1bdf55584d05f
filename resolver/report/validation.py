"""The result of validating a set of files, and its JSON shape.

`ValidationRun` is what `manifold validate` and the Action share: one `FileResult` per file,
in input order, each with its sorted diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from resolver.diagnostics import Diagnostic
from resolver.report.text import render_diagnostics


@dataclass(frozen=True, slots=True)
class FileResult:
    path: str
    dialect: str
    diagnostics: tuple[Diagnostic, ...]
    text: str = field(default="", repr=False, compare=False)

    @property
    def valid(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if not d.is_error)


@dataclass(frozen=True, slots=True)
class ValidationRun:
    files: tuple[FileResult, ...]

    @property
    def valid(self) -> bool:
        return all(f.valid for f in self.files)

    @property
    def errors(self) -> int:
        return sum(f.errors for f in self.files)

    @property
    def warnings(self) -> int:
        return sum(f.warnings for f in self.files)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "files": [
                {
                    "path": f.path,
                    "valid": f.valid,
                    "dialect": f.dialect,
                    "diagnostics": [
                        {
                            "severity": d.severity.value,
                            "code": d.code.value,
                            "reason": d.reason,
                            "message": d.message,
                            "line": d.line,
                            "column": d.column,
                            "pointer": d.pointer,
                            "hint": d.hint,
                        }
                        for d in f.diagnostics
                    ],
                }
                for f in self.files
            ]
        }


def render_validation_text(run: ValidationRun) -> str:
    blocks: list[str] = []
    for result in run.files:
        if result.diagnostics:
            blocks.append(render_diagnostics(result.diagnostics, result.text))
        status = "ok" if result.valid else "invalid"
        blocks.append(
            f"{result.path}: {status} ({result.dialect}; "
            f"{result.errors} error(s), {result.warnings} warning(s))"
        )
    verdict = "valid" if run.valid else "invalid"
    blocks.append(
        f"{len(run.files)} file(s) {verdict}: {run.errors} error(s), {run.warnings} warning(s)"
    )
    return "\n\n".join(blocks) + "\n"
