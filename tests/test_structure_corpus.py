"""The shared corpus through the structure checker: every set whose version we hold a dictionary for
is judged by it; well-formed partner files of those versions pass; the known-bad ones keep their
findings; older versions are never judged by 004010/005010 rules."""

from __future__ import annotations

import pytest

from parsers.x12_reader import read_interchanges
from rules.envelope import check_envelopes
from rules.structure import check_structure
from tests.support import CORPUS, corpus_dir, corpus_files

CONTENT = ("ELEMENT_", "SEGMENT_", "LOOP_", "CTT_", "PO1_", "POC_")

# File -> the content findings (code, element or segment) it must produce, and nothing else.
PINNED = {
    "860/oopfactory__Example1.txt": {("ELEMENT_TOO_SHORT", "BCH06"), ("ELEMENT_INVALID_DATE", "BCH06"),
                                     ("ELEMENT_INVALID_CHARACTER", "N104"), ("ELEMENT_TOO_LONG", "N105"),
                                     ("ELEMENT_TOO_LONG", "N106")},
    "997/staedi__empty997.edi": {("SEGMENT_MANDATORY_MISSING", "AK1"), ("SEGMENT_MANDATORY_MISSING", "AK9")},
    "997/staedi__invalid997.edi": {("ELEMENT_TOO_LONG", "AK101"), ("ELEMENT_TOO_LONG", "AK402"),
                                   ("ELEMENT_INVALID_CHARACTER", "AK402")},
    "997/staedi__invalid997_min.edi": {("ELEMENT_TOO_LONG", "AK101")},
    # 003010: valid in its own version (6-digit dates, a 4-element FOB); we hold no 003010 dictionary
    "850/stupidedi__003010-PO850-fail-1.edi": set(),
    # the summary in the wrong order (ISS before TDS, the mandatory TDS then out of sequence)
    "810/oopfactory__Example5_Walmart.txt": {("SEGMENT_MANDATORY_MISSING", "TDS"), ("SEGMENT_OUT_OF_ORDER", "TDS"),
                                             ("SEGMENT_OUT_OF_ORDER", "CAD")},
    # IT1 with quantity and price but no unit: 004010 IT1 P020304 (all three or none)
    "810/stupidedi__004010-IN810-pass-1.edi": {("ELEMENT_CONDITIONAL_MISSING", "IT103")},
    # DTM02 "200902164": nine digits, not a date
    "865/oopfactory__FromAdvanceAutoParts.txt": {("ELEMENT_TOO_LONG", "DTM02"), ("ELEMENT_INVALID_DATE", "DTM02")},
}

BROKEN_GS = {"997/staedi__invalid997_min.edi",  # GS04 "BAD_DATE" on purpose
             "945/oopfactory__inter-americanproducts.txt"}  # an extra GS element shifts GS04 to "000"
SETS_WE_HOLD = ("850", "860", "997", "855", "865", "856", "810", "945")
FILES = [p for p in corpus_files() if p.parent.name in SETS_WE_HOLD]


def _content(path) -> tuple[set, set]:
    result = read_interchanges(path.read_bytes(), file=path.name)
    content = {(f.code, f.location.element or f.location.segment_id)
               for f in check_structure(result, list(result.transaction_sets())) if f.code.startswith(CONTENT)}
    return content, {f.code for f in check_envelopes(result)}


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(CORPUS / "x12")) for p in FILES])
def test_corpus_sets_are_judged_by_their_version(path):
    rel = str(path.relative_to(CORPUS / "x12"))
    content, envelope = _content(path)
    assert content == PINNED.get(rel, set()), rel
    if rel not in BROKEN_GS:
        assert "GS_DATE_INVALID" not in envelope  # every other GS04 here is valid for its version


def test_the_pins_name_corpus_files():
    corpus_dir()
    assert {str(p.relative_to(CORPUS / "x12")) for p in FILES} >= set(PINNED)
