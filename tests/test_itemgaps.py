"""Gaps in how item identifiers are matched that rg84 (tests/test_rg84_item_identifiers.py) left: an 860 POC without
POC01 naming its line's item in another form than the 850 did (engine.changes._find_poc through
rules.business.item_readings.item_identities), GS1 numbers in their printed form (schemas.reference.printed_gs1), an
8-digit UP that is both a valid EAN-8 and a valid UPC-E (rules.business.item_readings.gs1_readings)."""

from __future__ import annotations

import pytest

from engine.changes import ChangeResult, apply_changes
from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from tests.changes.builders import read_change
from tests.support import x12_850

# --- 1. an 860 POC without POC01 finds its line through the item's identity ---------------------------------

# a grocer's PO: PO1s without PO101 (so its 860's POCs have no POC01), each item named one way
GROCER_PO = ["BEG*00*SA*PO-1**20261126", "CUR*BY*USD", "DTM*010*20261210", "N1*ST*DC 7*92*DC07",
             "PO1**12*EA*2.50*PE*UP*04102029",  # line 1: a UPC-E (the UPC-A 041200000209)
             "PO1**6*EA*10*PE*UP*614141000036",  # line 2: a UPC-A
             "PO1**4*EA*3*PE*BP*000000000000123458",  # line 3: the buyer's number as its ERP pads it
             "PO1**2*EA*7*PE*BP*AB-1234",  # line 4: the buyer's number in capitals
             "CTT*4*24"]


def _order(body: list[str] = GROCER_PO):
    result = read_interchanges(x12_850(body), file="grocer-po.x12")
    sets = [s for s in result.transaction_sets() if s[2].set_id == "850"]
    orders, lines = read_orders(result, sets, partner="acme", source_sha256="po-sha")
    return orders.to_pylist()[0], lines


def _apply(pocs: list[str], body: list[str] = GROCER_PO) -> ChangeResult:
    order, lines = _order(body)
    header, changes = read_change(pocs)
    return apply_changes(order, lines, header, changes, shipped=False)


def _quantities(result: ChangeResult) -> dict[int, int]:
    return {r["line_number"]: int(r["quantity"]) for r in result.new_lines.to_pylist()}


@pytest.mark.parametrize(("poc", "line"), [
    ("POC**QC*1**EA***UP*041200000209", 1),  # the UPC-A of the UPC-E the 850 sent
    ("POC**QC*1**EA***UK*00041200000209", 1),  # its GTIN-14 (indicator 0)
    ("POC**QC*1**EA***EN*0614141000036", 2),  # the EAN-13 of the UPC (a leading 0)
    ("POC**QC*1**EA***UK*00614141000036", 2),  # the GTIN-14 of the UPC (indicator 0)
    ("POC**QC*1**EA***UP*61414100003", 2),  # the UPC without its check digit (UI's 11 digits sent under UP)
    ("POC**QC*1**EA***BP*123458", 3),  # the buyer's number without its ERP's leading zeros
    ("POC**QC*1**EA***BP*ab-1234", 4),  # the buyer's number in small letters
    ("POC**QC*1**EA***BP*AB 1234", 4),  # with a blank for its hyphen
], ids=lambda v: str(v))
def test_a_poc_without_poc01_finds_its_line_by_the_item_in_another_form(poc, line):
    """The change was lost: the POC named the 850's item in another form than the 850 did, and no line carried that
    exact (qualifier, id) pair: CHANGE_LINE_UNKNOWN, IR. The item's identity is the line's."""
    result = _apply([poc])
    assert [r.status for r in result.line_results] == ["IQ"], result.findings
    assert not result.findings
    assert result.line_results[0].line_number == line
    assert _quantities(result)[line] == 1


def test_a_poc_whose_ids_could_name_two_lines_names_neither_and_says_which():
    """Two lines naming one item in two forms (its UPC-A, its UPC-E): a POC naming it in a third form could be either,
    and is never applied to one on a guess; the finding names both. A POC naming one line's exact pair is that line."""
    body = [*GROCER_PO[:4], "PO1**12*EA*2.50*PE*UP*041200000209", "PO1**6*EA*2.50*PE*UP*04102029", "CTT*2*18"]
    result = _apply(["POC**QC*1**EA***UK*00041200000209"], body)
    assert [r.status for r in result.line_results] == ["IR"]
    [finding] = result.findings
    assert finding.code == "CHANGE_LINE_UNKNOWN"
    assert "lines 1 and 2" in finding.message and "UK 00041200000209" in finding.message, finding.message
    assert _quantities(result) == {1: 12, 2: 6}
    exact = _apply(["POC**QC*1**EA***UP*04102029"], body)
    assert [(r.status, r.line_number) for r in exact.line_results] == [("IQ", 2)]


def test_a_poc_with_ids_naming_two_lines_names_neither():
    """A POC whose UP names line 2 and whose BP names line 3: either is a guess."""
    result = _apply(["POC**QC*1**EA***UP*614141000036*BP*123458"])
    assert [r.status for r in result.line_results] == ["IR"]
    assert "lines 2 and 3" in result.findings[0].message, result.findings[0].message


def test_a_poc_naming_no_line_in_any_form_is_still_unknown():
    result = _apply(["POC**QC*1**EA***UP*036000291452", "POC**DI******BP*123459"])
    assert [r.status for r in result.line_results] == ["IR", "IR"]
    assert all("no one line carries its product ids" in f.message for f in result.findings)
    assert _quantities(result) == {1: 12, 2: 6, 3: 4, 4: 2}


def test_a_delete_finds_the_line_in_another_form():
    deleted = _apply(["POC**DI******UK*00614141000036"])
    assert [(r.status, r.line_number) for r in deleted.line_results] == [("ID", 2)]
    assert sorted(_quantities(deleted)) == [1, 3, 4]
