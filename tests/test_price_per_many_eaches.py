"""A price per hundred, thousand or dozen (PO105 HP, TP, PD and their catalog, quoted, contract and wholesale twins)
on a line in eaches that is no whole ten-thousandth per each: screws at 12.37 per thousand (0.01237 per EA), labels at
3.17 per hundred, eggs at 4.99 per dozen (0.415833... per EA). A valid order: it was held for a person
(PRICE_BASIS_UNSUPPORTED, "more decimals than the 4 we carry"). Now, as a price per thousand feet is
(schemas.units.priced_per, session 55's xprec), the price is kept as sent with its basis: compared with ours per each,
answered (PO104/PO105 as sent) and billed (IT104/IT105 as sent), the line's amount quantity x price / that many half up
to the cent, the order valued per each, and a stored line's priced_per (n; a PRICED_PER:n mark
before dupstate) for what recounts it from the store.
A price that restates exactly (456 HP, 4.56 per EA) is restated as before (tests/test_price_basis.py); one per hundred
pounds of a line in pounds still waits (a weight: rules.business.by_weight)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from connectors.state import StateStore
from engine.invoice_po_sacs import line_money
from rules.business.money import _price_not_per_unit, kept_per_many
from schemas.errors import DocumentError
from schemas.units import priced_per
from tests.retailer_support import (
    all_sent_accepted,
    maps,  # noqa: F401 (a fixture)
    po_segments,
    segments,
    stored_value,
    variant_night,
)
from tests.support import GOOD_PO, REPO, make_workspace, run_stages, x12_850
from tests.test_change_orders import docs

RG46 = REPO / "tests" / "fixtures" / "rg46"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
CED_NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)
CED_PO = "CED0544-118273"
WIRE_NUTS = b"PO1*3*400*EA*19.7*HP"  # the demo's own line: 0.197 per EA, restated exactly
NIGHT_NOTED = {"NOTES_NOT_KEPT", "SAC_NOT_APPLIED", "ASN_LATE", "PRICE_BASIS_CONVERTED"}


@pytest.mark.parametrize(("unit", "basis", "many"), [
    ("EA", "HP", 100), ("EA", "TP", 1000), ("EA", "PD", 12), ("EA", "QH", 100), ("EA", "TT", 10_000),
    ("CA", "HP", 100), (None, "PD", 12),
    ("LB", "HP", 1), ("KG", "TP", 1),  # per hundred pounds of a line in pounds: a weight, still held
    ("EA", "PE", 1), ("EA", None, 1), ("FT", "TF", 1000)])
def test_priced_per_counts_a_price_per_many_eaches(unit, basis, many):
    assert priced_per(unit, basis) == many


def test_a_price_per_many_eaches_kept_as_sent_is_per_unit():
    lines = pa.table({"price_basis": ["HP", "TP", "PD", "HP", "PP", "PE"],
                      "unit": ["EA", "EA", "EA", "LB", "EA", "EA"]})
    assert _price_not_per_unit(lines).tolist() == [False, False, False, True, True, False]
    assert kept_per_many(lines).tolist() == [100, 1000, 12, 1, 1, 1]


@pytest.mark.parametrize(("quantity", "price", "basis", "amount"), [
    ("5000", "12.37", "TP", "61.85"),   # screws: 0.01237 per EA
    ("250", "3.17", "HP", "7.93"),      # labels: 7.925 half up
    ("30", "4.99", "PD", "12.48"),      # eggs: 12.475 half up
    ("7", "4.99", "PD", "2.91")])       # 2.910833...
def test_the_amount_is_quantity_times_price_over_so_many_to_the_cent(quantity, price, basis, amount):
    assert line_money(Decimal(quantity), Decimal(price), "EA", basis) == Decimal(amount)


def test_the_stored_line_says_how_many():
    """A line's priced_per is a column (dupstate; a PRICED_PER:12 mark among its codes before): 1 is stored null."""
    from schemas.lifecycle import LineRecord, LineState, line_record, line_row

    line = LineRecord("acme", "P", 1, LineState.ACCEPTED, priced_per=Decimal(12))
    assert line_row(line)["priced_per"] == "12" and line_record(line_row(line)).priced_per == 12
    assert line_row(LineRecord("acme", "P", 1, LineState.ACCEPTED))["priced_per"] is None
    assert line_record(line_row(LineRecord("acme", "P", 1, LineState.ACCEPTED))).priced_per == 1


def _night(tmp_path, lines):
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850(GOOD_PO[:6] + lines))
    run_stages(ws, datetime(2026, 11, 27, 2))
    state = StateStore(ws.state_path)
    return ws, state.order("acme", "PO-1"), [f["code"] for f in state.findings(po_number="PO-1", partner="acme")]


@pytest.mark.parametrize("line", [
    "PO1*1*120*EA*456.001*HP*VN*VP-1011",  # 4.56001 per EA, sent per hundred
    "PO1*1*120*EA*4560.05*TP*VN*VP-1011",  # per thousand: 4.56005
    "PO1*1*120*EA*54.73*PD*VN*VP-1011",    # per dozen: 4.560833...
    "PO1*1*120*EA*456.005*QH*VN*VP-1011",  # a quoted price per hundred
])
def test_a_price_per_many_eaches_not_exact_per_each_is_answered_as_sent(tmp_path, line):
    ws, order, codes = _night(tmp_path, [line, "CTT*1"])
    assert order.state == "acknowledged", order.hold_codes
    assert not {"PRICE_BASIS_UNSUPPORTED", "PRICE_OUT_OF_TOLERANCE"} & set(codes), codes
    [(_, bak02, acks)] = docs(ws, "855")["PO-1"]
    assert bak02 == "AD" and [a[0] for a in acks] == ["IA"]
    [path] = sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12"))
    assert line in path.read_text().replace("\n", "").split("~")
    quantity, price, basis = line.split("*")[2], line.split("*")[4], line.split("*")[5]
    state = StateStore(ws.state_path)
    try:
        [(value,)] = state._q("SELECT value FROM orders WHERE partner = 'acme'")
        [(codes_kept, many_kept)] = state._q("SELECT codes, priced_per FROM order_lines WHERE partner = 'acme'")
    finally:
        state.close()
    many = priced_per("EA", basis)
    assert abs(Decimal(str(value)) - Decimal(quantity) * Decimal(price) / many) < Decimal("0.01")
    assert many_kept == str(many) and "PRICED_PER" not in (codes_kept or "")


def _ced(tmp_path, line: bytes, shipped_swaps=(), swaps=()):
    return variant_night(RG46, "ced", CED_PO, tmp_path, ((WIRE_NUTS, line), *swaps), warehouses=WAREHOUSES,
                         night=CED_NIGHT, ship_day=SHIP_DAY, shipped_swaps=shipped_swaps)


def _ack_of(ack: list[list[str]], line: list[str]) -> list[str]:
    """ACK01..03 of the 855's ``line`` (its PO1, then its REF, then its ACK)."""
    return next(s for s in ack[ack.index(line):] if s[0] == "ACK")[:3]


def test_wire_nuts_per_thousand_to_the_cent_are_answered_and_billed(tmp_path, maps):  # noqa: F811
    """CED's wire nuts at 197.35 per thousand (0.19735 per EA): answered PO1*3*400*EA*197.35*TP with ACK IA, billed
    IT1*3*400*EA*197.35*TP, 400 x 197.35 / 1,000 = 78.94 (TDS 713.75 + 1,030 + 78.94), the order valued 1,822.69; our
    validator, Bots and pyx12 accept every document."""
    ws, found, states = _ced(tmp_path, b"PO1*3*400*EA*197.35*TP")
    assert states == {("ced", CED_PO): "invoiced"}
    assert not [f for f in found if f[1] == "error"] and {f[0] for f in found} <= NIGHT_NOTED, found
    ack = po_segments(segments(ws, "ced", "855"), CED_PO, "BAK")
    line = ["PO1", "3", "400", "EA", "197.35", "TP", "CB", "WIRENUT-YEL", "VP", "RG46-03"]
    assert line in ack and _ack_of(ack, line) == ["ACK", "IA", "400"]
    inv = po_segments(segments(ws, "ced", "810"), CED_PO, "BIG")
    assert ["IT1", "3", "400", "EA", "197.35", "TP", "CB", "WIRENUT-YEL", "VP", "RG46-03"] in inv
    assert ["TDS", "182269"] in inv
    value = stored_value(ws, "ced")
    assert Decimal(str(value)) == Decimal("1822.69")
    all_sent_accepted(ws, ["ced"], tmp_path, maps, shipments=1, answers=1)


def test_wire_nuts_per_thousand_off_our_price_are_answered_at_ours_per_thousand(tmp_path):
    """297.35 TP is 0.29735 per EA against our 0.197: the finding names both; CED's rules answer at ours, stated per
    thousand as the buyer states it (197 TP, never 0.197 TP), billed 400 x 197 / 1,000 = 78.80."""
    ws, found, states = _ced(tmp_path, b"PO1*3*400*EA*297.35*TP")
    assert states == {("ced", CED_PO): "invoiced"}
    assert [f[3] for f in found if f[0] == "PRICE_OUT_OF_TOLERANCE"] == [
        "PO104 297.35 with PO105 TP (0.29735 per EA) differs from our price 0.197 by 50.94% (tolerance 1%)."]
    ack = po_segments(segments(ws, "ced", "855"), CED_PO, "BAK")
    line = ["PO1", "3", "400", "EA", "197", "TP", "CB", "WIRENUT-YEL", "VP", "RG46-03"]
    assert line in ack and _ack_of(ack, line) == ["ACK", "IP", "400"]
    inv = po_segments(segments(ws, "ced", "810"), CED_PO, "BIG")
    assert ["IT1", "3", "400", "EA", "197", "TP", "CB", "WIRENUT-YEL", "VP", "RG46-03"] in inv
    assert ["TDS", "182255"] in inv


def test_wire_nuts_per_thousand_shipped_short_no_backorder_are_valued_per_each(tmp_path):
    """CSH*N, 300 of the 400 shipped: the balance cancelled and the value counted again from the stored lines (which
    keep PRICED_PER:1000): 713.75 + 1,030 + 300 x 0.19735 = 1,802.955, not 300 x 197.35 + the rest; the 810 bills
    IT1*3*300*EA*197.35*TP, 59.205 half up 59.21 (TDS 1,802.96)."""
    ws, _found, states = _ced(tmp_path, b"PO1*3*400*EA*197.35*TP", swaps=((b"EXAMPLE~\n", b"EXAMPLE~\nCSH*N~\n"),),
                              shipped_swaps=((",3,RG46-03,400,EA,", ",3,RG46-03,300,EA,"),))
    assert states == {("ced", CED_PO): "invoiced"}
    inv = po_segments(segments(ws, "ced", "810"), CED_PO, "BIG")
    assert ["IT1", "3", "300", "EA", "197.35", "TP", "CB", "WIRENUT-YEL", "VP", "RG46-03"] in inv
    assert ["TDS", "180296"] in inv
    value = stored_value(ws, "ced")
    assert Decimal(str(value)) == Decimal("1802.955")



def test_a_grocers_880_states_a_price_kept_per_thousand_per_each_or_refuses_it():
    """The 880's G17 has no basis of price (G1703, item list cost, per G1702 unit): an 810 line at 12.37 per thousand
    EA is stated 0.01237 per EA (5,000 x 0.01237 = 61.85, as the 810's amount); one at 4.99 per dozen, 0.41583... per
    EA, is refused loudly (the invoice not built) rather than billed twelve times over."""
    from engine.invoice_880 import body_880

    def body(price, basis, total):
        return [["BIG", "20261201", "N", "", "PO-1"], ["N1", "ST", "DC", "92", "1"],
                ["IT1", "1", "5000", "EA", price, basis, "UP", "012345678905"], ["TDS", total], ["CTT", "1"]]

    assert ["G17", "5000", "EA", "0.01237", "", "UP", "012345678905"] in body_880(body("12.37", "TP", "6185"))
    with pytest.raises(DocumentError, match="IT104 4.99 per 12 EA .IT105 PD. is no price per EA"):
        body_880(body("4.99", "PD", "207917"))


def _880_of(*it1s: list[str], total: str) -> list[list[str]]:
    from engine.invoice_880 import body_880

    return body_880([["BIG", "20261201", "N", "20261124", "PO-1"], ["N1", "ST", "DC", "92", "1"], *it1s,
                     ["TDS", total], ["CTT", str(len(it1s))]])


def test_a_grocers_880_states_eggs_per_dozen_in_dozens():
    """4.99 per dozen on 30 EA has no exact price per EA (0.41583...): the 880 states the line in the price's own unit,
    as grocers' 880s state eggs by the dozen (G1701 2.5, G1702 DZ, G1703 4.99: element 358 is R, 355 DZ Dozen), its
    amount 12.475 -> 12.48 as the 810's 30 x 4.99 / 12 (line_money) and G33 so; beside a line in eaches G31 counts
    mixed units (UN). Was refused: INVOICE_NOT_BUILT each run, the grocer's invoice never sent."""
    assert line_money(Decimal(30), Decimal("4.99"), "EA", "PD") == Decimal("12.48")
    body = _880_of(["IT1", "1", "30", "EA", "4.99", "PD", "UP", "012345678905"],
                   ["IT1", "2", "4", "EA", "2.50", "", "UP", "012345678912"], total="2248")
    assert ["G17", "2.5", "DZ", "4.99", "", "UP", "012345678905"] in body
    assert ["G17", "4", "EA", "2.50", "", "UP", "012345678912"] in body
    assert body[-2:] == [["G31", "6.5", "UN"], ["G33", "2248"]]
    alone = _880_of(["IT1", "1", "36", "EA", "4.99", "LD", "UP", "012345678905"], total="1497")  # catalog twin
    assert alone[-3:] == [["G17", "3", "DZ", "4.99", "", "UP", "012345678905"], ["G31", "3", "DZ"], ["G33", "1497"]]


def test_a_price_per_hundred_or_thousand_eaches_stays_per_each_where_exact():
    """Per hundred or thousand the price per EA is exact (a power of ten): kept per EA as the ordered unit while it
    fits G1703's 9 digits (3.17 HP: 0.0317; 456.001 HP: 4.56001); only one that does not is stated in hundreds or
    thousands (355 HU Hundred, TH Thousand) where the quantity is exact."""
    body = _880_of(["IT1", "1", "250", "EA", "3.17", "HP", "UP", "012345678905"],
                   ["IT1", "2", "120", "EA", "456.001", "HP", "UP", "012345678912"], total="55513")
    assert ["G17", "250", "EA", "0.0317", "", "UP", "012345678905"] in body  # 7.925 -> 7.93
    assert ["G17", "120", "EA", "4.56001", "", "UP", "012345678912"] in body  # 547.2012 -> 547.20
    assert ["G17", "2000", "EA", "0.001234567", "", "UP", "012345678905"] in _880_of(
        ["IT1", "1", "2000", "EA", "1.234567", "TP", "UP", "012345678905"], total="247")  # 9 digits written
    wide = _880_of(["IT1", "1", "2000", "EA", "1.2345678", "TP", "UP", "012345678905"], total="247")
    assert ["G17", "2", "TH", "1.2345678", "", "UP", "012345678905"] in wide  # 0.0012345678 per EA: 10 digits
    many = _880_of(["IT1", "1", "200", "EA", "0.12345678", "HP", "UP", "012345678905"], total="25")
    assert ["G17", "2", "HU", "0.12345678", "", "UP", "012345678905"] in many  # 0.0012345678 per EA


@pytest.mark.parametrize(("it1", "why"), [
    (["IT1", "1", "7", "EA", "4.99", "PD", "UP", "012345678905"],
     r"IT104 4.99 per 12 EA \(IT105 PD\) is no price per EA of at most 9 digits; nor 7 EA a quantity in DZ"),
    (["IT1", "1", "30", "CA", "4.99", "PD", "UP", "012345678905"],  # a dozen cases: no unit of so many cases
     r"IT104 4.99 per 12 CA \(IT105 PD\) is no price per CA of at most 9 digits \(line_id"),
])
def test_a_grocers_880_refuses_a_line_neither_per_each_nor_in_dozens(it1, why):
    with pytest.raises(DocumentError, match=why):
        _880_of(it1, total="291")


@pytest.mark.parametrize("partner", ["acme", "globex"])  # an 880 of 004010 and one of 005010
def test_an_880_in_dozens_is_accepted_by_our_validator_bots_and_pyx12(partner, tmp_path, maps):  # noqa: F811
    from tests.shipping_support import PROFILES, wrap_for
    from tests.test_mark_for import accepted

    version = "005010" if partner == "globex" else "004010"
    from engine.invoice_880 import body_880

    body = body_880([["BIG", "20261201", "INV0000004", "20261124", "PO-1"], ["N1", "ST", "DC", "92", "0001"],
                     ["IT1", "1", "30", "EA", "4.99", "PD", "UP", "012345678905"],
                     ["IT1", "2", "5000", "EA", "12.37", "TP", "UP", "012345678912"], ["TDS", "7433"],
                     ["CTT", "2"]], version=version)
    assert ["G17", "2.5", "DZ", "4.99", "", "UP", "012345678905"] in body
    content = wrap_for(PROFILES[partner], "GP", "880", [body])
    assert b"G17*2.5*DZ*4.99**UP*012345678905".replace(b"*", content[3:4]) in content
    accepted(content, tmp_path, maps)
