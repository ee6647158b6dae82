"""docs/lifecycle.md's transition table is engine.lifecycle.TRANSITIONS, row for row; the lifecycle's
unit tests (tests/lifecycle) run with sqlite3 and prefect impossible to import."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from engine.lifecycle import TRANSITIONS
from schemas.lifecycle import EventKind, OrderState
from tests.support import REPO

ROW = re.compile(r"^\|\s*([^|]+?)\s*\|\s*`([a-z_]+)`\s*\|\s*([^|]+?)\s*\|\s*$")


def documented() -> dict:
    text = (REPO / "docs" / "lifecycle.md").read_text(encoding="utf-8")
    section = text.split("## Transitions", 1)[1].split("\n## ", 1)[0]
    table: dict = {}
    for line in section.splitlines():
        m = ROW.match(line)
        if not m or m.group(1) == "From":
            continue
        sources, event, target = m.groups()
        froms = list(OrderState) if sources == "*" else [
            None if s == "(none)" else OrderState(s) for s in (x.strip() for x in sources.split(","))]
        for s in froms:
            key = (s, EventKind(event))
            assert key not in table, f"{key} is documented twice"
            table[key] = s if target == "(same)" else OrderState(target)
    return table


def test_the_documented_table_is_the_code():
    doc = documented()
    assert len(doc) > 50
    missing = sorted(f"{s}/{e}" for s, e in set(TRANSITIONS) - set(doc))
    extra = sorted(f"{s}/{e}" for s, e in set(doc) - set(TRANSITIONS))
    wrong = sorted(f"{k}: doc {doc[k]}, code {TRANSITIONS[k]}" for k in set(doc) & set(TRANSITIONS)
                   if doc[k] != TRANSITIONS[k])
    assert not missing and not extra and not wrong, (missing, extra, wrong)


def test_the_lifecycle_unit_tests_need_neither_sqlite_nor_prefect():
    env = {**os.environ, "ORDERBRIDGE_PURE": "1"}
    res = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/lifecycle"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert " passed" in res.stdout
