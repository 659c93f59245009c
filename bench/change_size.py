"""Issue 16's size in lines, from git history: what it removed and what it added.

    .venv/bin/python bench/change_size.py [--write-docs]

Two views:
- the files the issue named for removal (the hand-written HTTP client and send pool, the Today
  view's second read path) and their own tests: their lines when they were deleted;
- every commit of the issue's work (ISSUE_16 below, all on main, plus this branch's commits
  not yet on main), added and removed lines by kind: source (backend/, the PWA's code, the
  build files), tests, bench/, generated (the OpenAPI types, lock files) and docs. Renames
  count only their changed lines (git's rename detection).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for bench.*

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"

# Issue 16's commits on main (the drift and frontend items, push over aiohttp, the Today view
# through its routes, the declared layers and their follow-ups), oldest first.
ISSUE_16 = (
    *("52b3ed1", "e4ebf6b", "ceb30b8", "c6a8a66", "996ea66", "374c7eb", "16e99f3"),  # drift,
    "3c7af70",  # frontend
    *("45bbaae", "a119e7f", "ce9f88d", "e4f4252", "d57ff04", "3bd3594", "f467920"),  # push
    *("c2de39c", "779b459", "a63cc10"),
    *("fc0cade", "ed6526a", "17a905b", "509deb9", "b3ebc0b", "d3eda74", "3780d6c"),  # Today
    *("32d9a9d", "35f10c8", "3b74ba1", "69952e0", "25666e3", "affdb4c", "3648d08"),  # layers
    "8274f69",
)

# The files the issue named, and their own tests (deleted with them).
NAMED = {
    "hand-written push HTTP client and send pool": (
        "backend/interlude/push/http1.py",
        "backend/interlude/push/transport.py",
        "backend/interlude/push/endpoints.py",
        "backend/interlude/push/send_pool.py",
    ),
    "its tests": (
        "tests/push/test_transport.py",
        "tests/push/test_endpoints.py",
        "tests/push/test_send_pool.py",
    ),
    "the Today view's second read path": (
        "backend/interlude/accounts/hot_reads.py",
        "backend/interlude/core/async_reads.py",
        "backend/interlude/core/admission.py",
    ),
    "its tests ": ("tests/accounts/test_hot_reads.py", "tests/core/test_async_reads.py"),
}
KINDS = ("source", "tests", "bench", "generated", "docs")


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def kind(path: str) -> str:
    if path.startswith("tests/") or re.search(r"\.test\.tsx?$|/tests?/", path):
        return "tests"
    if path.startswith("bench/"):
        return "bench"
    if path.endswith(("src/api/types.ts", "package-lock.json")):
        return "generated"
    if path.startswith("docs/") or path.endswith(".md"):
        return "docs"
    return "source"


def _new_path(path: str) -> str:
    """numstat names a rename ``a/{old => new}/b`` or ``old => new``: the new path."""
    if "{" in path:
        return re.sub(r"\{[^{}]* => ([^{}]*)\}", r"\1", path).replace("//", "/")
    return path.split(" => ")[-1]


def commits() -> list[str]:
    branch = _git("rev-list", "--reverse", "main..HEAD").split()
    return [*ISSUE_16, *branch]


def by_kind(revs: list[str]) -> dict[str, list[int]]:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for rev in revs:
        for line in _git("show", "--numstat", "-M", "--format=", rev).splitlines():
            added, removed, path = line.split("\t", 2)
            if added == "-":  # binary (screenshots)
                continue
            row = totals[kind(_new_path(path))]
            row[0] += int(removed)
            row[1] += int(added)
    return totals


def deleted_lines(path: str) -> int:
    """The file's length in the commit before the one that deleted it."""
    rev = _git("log", "-1", "--diff-filter=D", "--format=%H", "--", path).strip()
    if not rev:
        raise SystemExit(f"{path} was never deleted")
    return len(_git("show", f"{rev}^:{path}").splitlines())


def render() -> str:
    revs = commits()
    lines = [
        "## Change size (issue 16)",
        "",
        f"`.venv/bin/python bench/change_size.py` — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{len(revs)} commits (the issue's on main, listed in the script, and this branch's).",
        "",
        "The files the issue named for removal, at the commit that deleted them:",
        "",
        "| removed | files | lines |",
        "| --- | ---: | ---: |",
    ]
    named_total = 0
    for what, paths in NAMED.items():
        count = sum(deleted_lines(p) for p in paths)
        named_total += count
        lines.append(f"| {what.strip()} | {len(paths)} | {count:,} |")
    lines += [f"| all | {sum(len(p) for p in NAMED.values())} | {named_total:,} |", ""]
    totals = by_kind(revs)
    lines += [
        "Every line the issue's commits removed and added, by kind:",
        "",
        "| kind | removed | added | net |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name in KINDS:
        removed, added = totals.get(name, [0, 0])
        lines.append(f"| {name} | {removed:,} | {added:,} | {added - removed:+,} |")
    code = [totals.get(k, [0, 0]) for k in ("source", "tests")]
    lines += [
        f"| source + tests | {sum(r for r, _ in code):,} | {sum(a for _, a in code):,} | "
        f"{sum(a - r for r, a in code):+,} |",
        "",
        "Source is backend/, the PWA's code and build files (frontend/src, frontend/scripts, "
        "Makefile, pyproject.toml); generated is frontend/src/api/types.ts and lock files.",
        "",
        "",
    ]
    return "\n".join(lines)


def write_docs(section: str) -> None:
    from bench.docs_section import replace_section  # ROOT is on sys.path

    replace_section(section)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    section = render()
    print(section)
    if args.write_docs:
        write_docs(section)


if __name__ == "__main__":
    main()
