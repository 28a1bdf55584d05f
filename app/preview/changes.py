"""Which pushes may change a composition (pure).

A composition reads the *contents* of YAML fragments (services files, their local imports,
fragments other repositories import) and only the *existence* of everything else it names
(manifests, docs). So a push whose commits only modify files that are not YAML or JSON, and
add or remove nothing, composes exactly like the commit before it. GitHub lists at most 20
commits in a push payload (and may omit the file lists): then nothing is known and the push
counts as a change.
"""

from __future__ import annotations

#: GitHub lists at most this many commits in a push payload; beyond it, paths are unknown
PUSH_COMMITS_LISTED = 20
_CONTENT_SUFFIXES = (".yaml", ".yml", ".json")


def may_change_composition(commits: object) -> bool:
    """False only when the commit list is complete and provably touches nothing a
    composition reads the contents of, and adds or removes no file."""
    if not isinstance(commits, list) or not commits or len(commits) >= PUSH_COMMITS_LISTED:
        return True
    for commit in commits:
        if not isinstance(commit, dict):
            return True
        lists = [commit.get(key) for key in ("added", "removed", "modified")]
        if not all(isinstance(paths, list) for paths in lists):
            return True
        added, removed, modified = lists
        assert isinstance(added, list) and isinstance(removed, list)
        assert isinstance(modified, list)
        if added or removed:
            return True
        for path in modified:
            if not isinstance(path, str) or path.lower().endswith(_CONTENT_SUFFIXES):
                return True
    return False
