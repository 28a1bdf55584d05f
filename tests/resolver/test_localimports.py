"""Upstream's in-repo `spec.imports`: relative to the importing file, globs, maps deep-merge,
lists replaced wholesale, the importing file last, cycles are errors."""

from __future__ import annotations

import fnmatch

from resolver.localimports import resolve_local_imports


def repo(files: dict[str, str]):
    data = {path: text.encode() for path, text in files.items()}

    def read(path: str) -> bytes | None:
        return data.get(path)

    def glob(pattern: str) -> list[str]:
        return sorted(p for p in data if fnmatch.fnmatchcase(p, pattern))

    return read, glob


HEAD = "apiVersion: kodex.works/v1alpha1\nkind: ServiceStack\n"


def test_imports_merge_with_upstream_semantics():
    read, glob = repo(
        {
            "services.yaml": HEAD + "spec:\n  imports:\n    - path: stack/*.yaml\n  versions:\n"
            "    api: {value: '2.0'}\n  orchestration:\n    deployOrder: [edge]\n",
            "stack/a.yaml": "spec:\n  versions:\n    api: {value: '1.0', bumpOn: [x]}\n"
            "    db: {value: '15'}\n  orchestration:\n    deployOrder: [data, edge]\n",
            "stack/b.yaml": "spec:\n  services:\n    - name: api\n",
        }
    )
    merged = resolve_local_imports("services.yaml", read, glob)
    assert merged.ok, merged.diagnostics
    spec = merged.document["spec"]
    # maps deep-merge, the importing file wins
    assert spec["versions"] == {"api": {"value": "2.0", "bumpOn": ["x"]}, "db": {"value": "15"}}
    # lists are replaced wholesale
    assert spec["orchestration"]["deployOrder"] == ["edge"]
    assert spec["services"] == [{"name": "api"}]
    assert "imports" not in spec
    # every value remembers its file and line
    assert merged.origin("/spec/versions/db/value") == ("stack/a.yaml", 4, 17)
    assert merged.origin("/spec/versions/api/value")[0] == "services.yaml"
    assert merged.origin("/spec/services/0/name")[0] == "stack/b.yaml"
    assert [f.path for f in merged.files] == ["services.yaml", "stack/a.yaml", "stack/b.yaml"]


def test_paths_are_relative_to_the_importing_file():
    read, glob = repo(
        {
            "deploy/services.yaml": HEAD + "spec:\n  imports: [parts/x.yaml]\n",
            "deploy/parts/x.yaml": "spec:\n  imports: [../y.yaml]\n  project: p\n",
            "deploy/y.yaml": "spec:\n  versions: {a: {value: '1'}}\n",
        }
    )
    merged = resolve_local_imports("deploy/services.yaml", read, glob)
    assert merged.ok, merged.diagnostics
    assert merged.document["spec"] == {"project": "p", "versions": {"a": {"value": "1"}}}


def test_cycles_and_missing_files_are_reported():
    read, glob = repo(
        {
            "services.yaml": HEAD + "spec:\n  imports: [a.yaml, missing.yaml]\n",
            "a.yaml": "spec:\n  imports: [services.yaml]\n",
        }
    )
    merged = resolve_local_imports("services.yaml", read, glob)
    reasons = sorted(d.reason for d in merged.diagnostics)
    assert reasons == ["import_cycle", "import_not_found"]
    cycle = next(d for d in merged.diagnostics if d.reason == "import_cycle")
    assert cycle.path == "a.yaml"
    assert "services.yaml -> a.yaml -> services.yaml" in cycle.message
    assert not merged.ok


def test_escaping_import_is_rejected_by_the_fragment_check():
    read, glob = repo({"services.yaml": HEAD + "spec:\n  imports: [../../etc/passwd]\n"})
    merged = resolve_local_imports("services.yaml", read, glob)
    assert [d.reason for d in merged.files[0].errors] == ["invalid_path"]
    assert not merged.ok


def test_missing_root():
    read, glob = repo({})
    merged = resolve_local_imports("services.yaml", read, glob)
    assert [d.reason for d in merged.diagnostics] == ["file_not_found"]
    assert merged.document is None
