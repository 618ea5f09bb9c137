"""Signing builds on messaging, its tasks don't reach back into its actions, and its portal views write no audit."""

from __future__ import annotations

import ast
from pathlib import Path

HAVEN = Path(__file__).resolve().parents[2]


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_messaging_never_imports_signing() -> None:
    for path in (HAVEN / "messaging").rglob("*.py"):
        if "tests" in path.parts:
            continue
        assert not {name for name in imports_of(path) if name.startswith("haven.signing")}, path


def test_signing_tasks_import_no_signing_action_and_policy_imports_no_action() -> None:
    actions = {"haven.signing.answers", "haven.signing.requests"}
    assert not imports_of(HAVEN / "signing" / "tasks.py") & actions
    assert not imports_of(HAVEN / "signing" / "policy.py") & (actions | {"haven.signing.expiry"})


def test_the_portal_signing_and_inbox_views_leave_audit_events_to_actions_and_policies() -> None:
    for name in ("signing.py", "inbox.py"):
        assert "haven.audit.actions" not in imports_of(HAVEN / "portal" / "views" / name), name
