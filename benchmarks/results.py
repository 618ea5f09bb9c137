"""docs/benchmarks.md: one section per benchmark file, each replaced on its own run."""

from __future__ import annotations

import platform
import re
from pathlib import Path

from django.db import connection

RESULTS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_section(title: str, body: str) -> None:
    """Replace (or add) the ``## title`` section, keeping the others; refresh the header line."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    sections = dict(re.findall(r"^## (.+?)\n(.*?)(?=^## |\Z)", text, flags=re.MULTILINE | re.DOTALL))
    sections[title] = body.strip() + "\n\n"
    header = (
        "# Benchmarks\n\n"
        f"Written by `make bench` on {platform.machine()} with Python {platform.python_version()} "
        f"and {connection.vendor}. Figures vary by machine; query counts should not.\n\n"
    )
    RESULTS.write_text(
        header + "".join(f"## {name}\n\n{content.strip()}\n\n" for name, content in sorted(sections.items())),
        encoding="utf-8",
    )
