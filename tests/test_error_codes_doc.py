"""docs/error-codes.md lists every finding code: the whole CATALOGUE and, when the module exists,
schemas.codes_business.BUSINESS_CODES; its rows agree with the catalogue; it lists no code that
does not exist."""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path

from schemas.codes import CATALOGUE, CodeSpec

DOC = Path(__file__).resolve().parents[1] / "docs" / "error-codes.md"
ROW = re.compile(r"^\|\s*`([A-Z0-9_]+)`\s*\|\s*([a-z]+)\s*\|\s*([a-z]+)\s*\|\s*([^|]*?)\s*\|")


def _business_codes() -> list[CodeSpec]:
    if importlib.util.find_spec("schemas.codes_business") is None:
        return []
    return list(importlib.import_module("schemas.codes_business").BUSINESS_CODES)


def _all_codes() -> dict[str, CodeSpec]:
    codes = dict(CATALOGUE)
    for c in _business_codes():
        codes.setdefault(c.code, c)
    return codes


def _rows() -> dict[str, tuple[str, str, str]]:
    """code -> (level, severity, TA1/997 cell) for every table row of the doc."""
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m:
            rows[m.group(1)] = (m.group(2), m.group(3), m.group(4))
    return rows


def _ack_cell(ack: str, since: str = "") -> str:
    if not ack:
        return "-"
    level, _, value = ack.partition(":")
    cell = f"{level} {value}" if value else f"{level} (no code)"
    return f"{cell} (from {since})" if since else cell


def test_every_catalogued_code_is_documented() -> None:
    missing = sorted(set(CATALOGUE) - set(_rows()))
    assert not missing, f"codes in schemas.codes.CATALOGUE missing from {DOC.name}: {missing}"


def test_every_business_code_is_documented() -> None:
    missing = sorted({c.code for c in _business_codes()} - set(_rows()))
    assert not missing, f"codes in schemas.codes_business.BUSINESS_CODES missing from {DOC.name}: {missing}"


def test_documented_rows_match_the_catalogue() -> None:
    codes = _all_codes()
    rows = _rows()
    unknown = sorted(set(rows) - set(codes))
    assert not unknown, f"{DOC.name} documents codes that no catalogue defines: {unknown}"
    expected = {code: (codes[code].level, codes[code].severity, _ack_cell(codes[code].ack, codes[code].ack_since))
                for code in rows}
    wrong = {code: (row, expected[code]) for code, row in rows.items() if row != expected[code]}
    assert not wrong, f"rows whose level/severity/ack differ from the catalogue (doc, catalogue): {wrong}"


def test_business_section_is_last() -> None:
    headers = [line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("## ")]
    assert headers and headers[-1] == "## Business rule codes"
