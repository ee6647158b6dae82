"""Every catalogued finding code is either emitted by some check of the product packages or marked
reserved (with the reason) in the catalogue and in docs/error-codes.md; a reserved code is emitted
nowhere. "Emitted" is found by a static scan: the code as a string literal that a check passes on
(a call argument, a returned or assigned value, a (code, message) tuple, a GX expectation's meta.code),
not as a key of a lookup table, a member of a set of codes or an operand of a comparison."""

from __future__ import annotations

import ast
import functools
import json
from pathlib import Path

from schemas.codes import CATALOGUE

REPO = Path(__file__).resolve().parents[1]
PRODUCT = ("flows", "parsers", "rules", "connectors", "schemas", "engine")
CATALOGUE_MODULES = {"codes.py", "codes_business.py", "codes_changes.py"}
DOC = REPO / "docs" / "error-codes.md"


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _passed_on(node: ast.Constant, parents: dict[ast.AST, ast.AST]) -> bool:
    """Is this literal handed on as a finding's code (not merely compared with or looked up by)?"""
    parent = parents.get(node)
    if isinstance(parent, ast.Dict):
        return node not in parent.keys  # a value of a mapping may be emitted; a key is a lookup
    if isinstance(parent, (ast.Set, ast.Compare)):
        return False
    if isinstance(parent, (ast.List, ast.Tuple)):
        grand = parents.get(parent)
        if isinstance(grand, ast.Compare) or (isinstance(grand, ast.Call) and getattr(grand.func, "id", "") in
                                              ("frozenset", "set")):
            return False  # `code in ("A", "B")`, frozenset(["A", "B"])
    return True


@functools.cache
def emitted_codes() -> dict[str, list[str]]:
    """code -> the places (file:line) that emit it (scanned once per test session: the three tests asking
    read the same files, and only read what it returns)."""
    found: dict[str, list[str]] = {}
    for package in PRODUCT:
        for path in sorted((REPO / package).rglob("*.py")):
            if path.name in CATALOGUE_MODULES and path.parent.name == "schemas":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            parents = _parents(tree)
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and node.value in CATALOGUE and _passed_on(node, parents):
                    found.setdefault(node.value, []).append(f"{path.relative_to(REPO)}:{node.lineno}")
        for path in sorted((REPO / package).rglob("*.json")):
            for exp in json.loads(path.read_text(encoding="utf-8")).get("expectations", []):
                code = (exp.get("meta") or {}).get("code")
                if code in CATALOGUE:
                    found.setdefault(code, []).append(str(path.relative_to(REPO)))
    return found


def test_every_code_is_emitted_or_reserved():
    emitted = emitted_codes()
    silent = sorted(c for c, spec in CATALOGUE.items() if c not in emitted and not spec.reserved)
    assert not silent, f"catalogued codes no check emits and the catalogue does not mark reserved: {silent}"


def test_a_reserved_code_is_emitted_nowhere():
    emitted = emitted_codes()
    both = {c: emitted[c] for c, spec in CATALOGUE.items() if spec.reserved and c in emitted}
    assert not both, f"codes marked reserved that a check emits (drop the reserved flag): {both}"


def test_reserved_codes_say_why_in_the_doc():
    rows = {line.split("|")[1].strip().strip("`"): line for line in DOC.read_text(encoding="utf-8").splitlines()
            if line.startswith("| `")}
    for code, spec in CATALOGUE.items():
        if spec.reserved:
            assert "Reserved" in rows[code] and spec.reserved in rows[code], code
        else:
            assert "Reserved" not in rows[code], code


def test_the_scan_sees_the_usual_ways_of_emitting():
    emitted = emitted_codes()
    assert "rules/envelope.py" in " ".join(emitted["ISA_DATE_INVALID"])  # finding("...") via a helper
    assert "parsers/x12_reader.py" in " ".join(emitted["X12_NOT_EDI"])  # _finding("...")
    assert "rules/structure.py" in " ".join(emitted["SEGMENT_NOT_IN_SET"])  # code, msg = "...", ...
    assert "rules/registry.py" in " ".join(emitted["ITEM_ID_MISSING"])  # Expectation(key, "CODE", ...)
    assert "rules/gx_suites/shipment_lines.json" in emitted["SHIPMENT_ID_MISSING"]  # GX meta.code
    # lookups are not emissions: report_failures' hints and the outcome table name every business code
    assert not any("report_failures" in w or "outcomes.py" in w for ws in emitted.values() for w in ws)
