"""docs/benchmarks.md: one section per benchmark, each replaced on its own run, the others kept."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
FIRST = ("Pages", "Client search at scale")  # the page figures lead; the other sections follow by name
HEADER = (
    "# Benchmarks\n\n"
    "Written by `make bench` (`scripts/bench`). Figures vary by machine and by how busy it is; "
    "ratios to the reference page measured in the same run, and query counts, should not.\n\n"
)


def sections_of(text: str) -> dict[str, str]:
    return dict(re.findall(r"^## (.+?)\n(.*?)(?=^## |\Z)", text, flags=re.MULTILINE | re.DOTALL))


def write_section(title: str, body: str, path: Path = RESULTS) -> None:
    """Replace (or add) the ``## title`` section, keeping the others."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    sections = sections_of(text)
    sections[title] = body.strip() + "\n\n"
    names = [name for name in FIRST if name in sections] + sorted(name for name in sections if name not in FIRST)
    path.write_text(
        HEADER + "".join(f"## {name}\n\n{sections[name].strip()}\n\n" for name in names),
        encoding="utf-8",
    )
