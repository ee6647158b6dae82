"""docs/bad-inputs.md names tests that exist: every test file and `file.py::test_name` it cites (and
every `::test_name` that follows one in the same cell) is found under tests/, so the table cannot
drift from what is actually shown."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "bad-inputs.md"


def _defines(path: Path, test: str, texts: dict[Path, str]) -> bool:
    text = texts.get(path)
    if text is None:
        text = texts[path] = path.read_text(encoding="utf-8")
    return bool(re.search(rf"^def {test}\(", text, re.M))


def test_every_cited_test_exists():
    missing, seen = [], 0
    files: dict[str, list[Path]] = {}  # the test files by name, found once (not a walk of tests/ per reference)
    for p in (ROOT / "tests").rglob("test_*.py"):
        files.setdefault(p.name, []).append(p)
    texts: dict[Path, str] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        current = None
        for file, test in _refs(line):
            if file:
                hits = [p for p in files.get(Path(file).name, ()) if str(p).endswith(file)]
                if not hits:
                    missing.append(file)
                    continue
                current = hits[0]
            if test:
                seen += 1
                if current is None or not _defines(current, test, texts):
                    missing.append(f"{file or '::'}{test}")
    assert seen >= 20 and missing == []


def _refs(line: str) -> list[tuple[str, str]]:
    """(file or "", test or "") for each `tests/x.py`, `x.py::name` or `::name` in ``line``, in order."""
    return [(m.group(1) or "", m.group(2) or "") for m in
            re.finditer(r"`(?:tests/)?((?:\w+/)*test_\w+\.py)?(?:::(\w+))?`", line) if m.group(1) or m.group(2)]
