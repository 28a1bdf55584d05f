"""SARIF 2.1.0 rendering (resolver.report.sarif): shape, determinism, and the official schema."""

from __future__ import annotations

import json
from typing import Any

from resolver.diagnostics import Code, Diagnostic, Severity
from resolver.report.sarif import SARIF_SCHEMA_URI, artifact_location, render_sarif
from resolver.report.validation import FileResult, ValidationRun

WARNING = Diagnostic(
    code=Code.INVALID_ARGUMENT,
    reason="unknown_key",
    message="unknown key `dependson`",
    severity=Severity.WARNING,
    path="services.yaml",
    line=12,
    column=5,
    pointer="/spec/services/0/dependson",
    hint="did you mean `dependsOn`?",
)
ERROR = Diagnostic(
    code=Code.INVALID_ARGUMENT,
    reason="duplicate_key",
    message="duplicate key `name`",
    path="my dir/services.yaml",
    line=7,
    column=0,
    pointer="/spec/services/1/name",
)
WHOLE_FILE = Diagnostic(
    code=Code.INVALID_ARGUMENT,
    reason="binary_file",
    message="the file is not UTF-8 text",
    path="services.yaml",
)
SIBLING = Diagnostic(
    code=Code.CONFLICT,
    reason="sibling_conflict",
    message="differs",
    repository="orders",
    path="services.yaml",
    line=3,
    column=2,
    chain=("root", "orders"),
)


def _run() -> ValidationRun:
    return ValidationRun(
        (
            FileResult("services.yaml", "typed", (WARNING, WHOLE_FILE)),
            FileResult("my dir/services.yaml", "typed", (ERROR,)),
        )
    )


def test_log_shape() -> None:
    log = render_sarif(_run(), tool_version="1.2.3", information_uri="https://github.com/o/r")
    assert log["$schema"] == SARIF_SCHEMA_URI and log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["tool"]["driver"] == {
        "name": "manifold",
        "version": "1.2.3",
        "informationUri": "https://github.com/o/r",
        "rules": [
            {
                "id": "binary_file",
                "name": "BinaryFile",
                "shortDescription": {"text": "Binary file"},
            },
            {
                "id": "duplicate_key",
                "name": "DuplicateKey",
                "shortDescription": {"text": "Duplicate key"},
            },
            {
                "id": "unknown_key",
                "name": "UnknownKey",
                "shortDescription": {"text": "Unknown key"},
            },
        ],
    }
    assert run["results"] == [
        {
            "ruleId": "unknown_key",
            "ruleIndex": 2,
            "level": "warning",
            "message": {"text": "unknown key `dependson`\nhint: did you mean `dependsOn`?"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "services.yaml", "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": 12, "startColumn": 5},
                    }
                }
            ],
            "properties": {
                "code": "invalid_argument",
                "pointer": "/spec/services/0/dependson",
                "hint": "did you mean `dependsOn`?",
            },
        },
        {
            "ruleId": "binary_file",
            "ruleIndex": 0,
            "level": "error",
            "message": {"text": "the file is not UTF-8 text"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "services.yaml", "uriBaseId": "%SRCROOT%"}
                    }
                }
            ],
            "properties": {"code": "invalid_argument"},
        },
        {
            "ruleId": "duplicate_key",
            "ruleIndex": 1,
            "level": "error",
            "message": {"text": "duplicate key `name`"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": "my%20dir/services.yaml",
                            "uriBaseId": "%SRCROOT%",
                        },
                        "region": {"startLine": 7},
                    }
                }
            ],
            "properties": {"code": "invalid_argument", "pointer": "/spec/services/1/name"},
        },
    ]


def test_no_information_uri_when_unknown_and_an_empty_run() -> None:
    log = render_sarif(ValidationRun(()), tool_version="0.1.0")
    assert log["runs"][0]["tool"]["driver"] == {"name": "manifold", "version": "0.1.0", "rules": []}
    assert log["runs"][0]["results"] == []


def test_other_repositories_keep_their_place_in_properties() -> None:
    log = render_sarif(_run(), tool_version="0.1.0", extra=[SIBLING])
    result = log["runs"][0]["results"][-1]
    assert result == {
        "ruleId": "sibling_conflict",
        "ruleIndex": 2,
        "level": "error",
        # another repository's file: no physical location under %SRCROOT%
        "message": {"text": "orders:services.yaml:3:2: differs"},
        "properties": {
            "code": "conflict",
            "repository": "orders",
            "path": "services.yaml",
            "line": 3,
            "column": 2,
            "chain": ["root", "orders"],
        },
    }


def test_artifact_locations() -> None:
    assert artifact_location("a/b.yaml") == {"uri": "a/b.yaml", "uriBaseId": "%SRCROOT%"}
    assert artifact_location("a b/%c#.yaml") == {
        "uri": "a%20b/%25c%23.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    assert artifact_location("/abs/x y.yaml") == {"uri": "file:///abs/x%20y.yaml"}


def test_deterministic() -> None:
    first = json.dumps(render_sarif(_run(), tool_version="1"), sort_keys=False)
    second = json.dumps(render_sarif(_run(), tool_version="1"), sort_keys=False)
    assert first == second


def test_validates_against_the_sarif_schema(sarif_validator: Any) -> None:
    for log in (
        render_sarif(_run(), tool_version="1.2.3", information_uri="https://github.com/o/r"),
        render_sarif(_run(), tool_version="0.1.0", extra=[SIBLING]),
        render_sarif(ValidationRun(()), tool_version="0.1.0"),
    ):
        errors = sorted(sarif_validator.iter_errors(log), key=str)
        assert not errors, errors[0]


def test_the_schema_is_strict_enough_to_catch_mistakes(sarif_validator: Any) -> None:
    log = render_sarif(_run(), tool_version="1")
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert not sarif_validator.is_valid(log)
    log = render_sarif(_run(), tool_version="1")
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert not sarif_validator.is_valid(log)
