"""Each benchmark rewrites its own section of docs/benchmarks.md: from its "## " heading (the
section's first line) to the next one."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def replace_section(section: str, docs: Path = DOCS) -> Path:
    """Replaces the section with ``section``'s heading, or appends it; one blank line between
    sections."""
    heading = section.split("\n", 1)[0]
    if not heading.startswith("## "):
        raise ValueError(f"a section starts with its '## ' heading, not {heading!r}")
    text = docs.read_text() if docs.exists() else "# Benchmarks\n"
    body = section.rstrip("\n") + "\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    match = pattern.search(text)
    if match is None:
        text = text.rstrip("\n") + "\n\n" + body
    else:
        gap = "\n" if match.end() < len(text) else ""
        text = text[: match.start()] + body + gap + text[match.end() :]
    docs.write_text(text)
    return docs
