"""Edits of versioned records (charts, contacts): the next save is based on the version now stored."""

from __future__ import annotations

from typing import Any


def rebase(request: Any, version: int) -> Any:
    """The submitted data with the stored version, so the person's next save can succeed."""
    data = request.POST.copy()
    data["version"] = str(version)
    return data
