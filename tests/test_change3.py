"""What the gaps860c round (860 changes) left: a POC that moves a line to another unit without a price (RZ in cases
of a line in eaches) restates the line's price per the new unit, or is refused saying why; a CTP's own unit (CTP05)
is the unit its price is per. Built on tests/changes/builders' ACME PO-1 and tests/test_change_units_860's ACME
SKU-1003 (a case of 12 eaches at 39.20 an each, 470.40 a case)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from connectors.state import StateStore
from tests.test_change_orders import docs
from tests.test_change_units_860 import _answered_by_865s, _changed, _ordered
from tests.test_gaps860c import _changed as _applied

DAY2 = datetime(2026, 11, 28, 14, 30)
UPC = "614141100248"


# 1. a POC moving its line to another unit without a price ----------------------------------------------------------


@pytest.mark.parametrize(("poc", "stored", "echo", "ack"), [
    # 12 EA at 2.50 PE moved to 2 CA (a case of 12): 30.00 per CA, no basis (per the line's unit, CA)
    ("POC*1*RZ*2**CA***UP*073000040482*VN*SKU-1", (Decimal(2), "CA", Decimal(30), None), ["CA", "30", ""],
     ["ACK", "IC", "2", "CA"]),
    ("POC*1*RZ*3**DZ***UP*073000040482*VN*SKU-1", (Decimal(3), "DZ", Decimal(30), None), ["DZ", "30", ""],
     ["ACK", "IC", "3", "DZ"]),
    # the line's own unit: nothing to restate, the price and its basis kept
    ("POC*1*RZ*24**EA***UP*073000040482*VN*SKU-1", (Decimal(24), "EA", Decimal("2.5"), "PE"), ["EA", "", ""],
     ["ACK", "IQ", "24", "EA"]),
], ids=["to-cases", "to-dozens", "same-unit"])
def test_a_line_moved_to_another_unit_without_a_price_is_priced_per_that_unit(poc, stored, echo, ack):
    """RZ restating line 1 (12 EA at 2.50 per each) in cases without POC06: 30.00 per CA, the 865 stating that price
    in its POC06 (no POC07: per the new unit) beside ACK IC. It kept 2.50, with its PE, per CA: the buyer billed a
    twelfth of the case, or the price rules holding a valid change as a 92% discount."""
    segs, line = _applied(poc)
    assert line == stored
    assert segs[0][5:8] == echo and segs[1] == ack


@pytest.mark.parametrize(("poc", "why"), [
    ("POC*1*RZ*2**BX***UP*073000040482*VN*SKU-1",
     "POC02 RZ moves line 1 from EA to BX without a price (POC06): its 2.5 PE per each cannot be restated per BX: we "
     "know no count of eaches in a BX of its item; the line stays as it was. Ask the buyer for the price per BX (an "
     "860 with POC06)."),
], ids=["unknown-unit"])
def test_a_line_moved_to_a_unit_we_cannot_count_without_a_price_is_refused_saying_why(poc, why):
    """A box we know no count of eaches for: the POC is refused (865 ACK IR, CHANGE_UNIT_MISMATCH at POC05), the line
    as it was (12 EA at 2.50 PE), never left at 2.50 per BX."""
    from engine.changes import apply_changes
    from tests.changes.builders import live_order, read_change

    order, lines = live_order()
    header, changes = read_change([poc])
    result = apply_changes(order, lines, header, changes, shipped=False,
                           unit_eaches=lambda _n, unit, _row: {"EA": 1, "CA": 12}.get(unit))
    [finding] = [f for f in result.findings if f.code == "CHANGE_UNIT_MISMATCH"]
    assert finding.message == why and finding.location.element == "POC05"
    assert result.line_results[0].status == "IR"
    line = next(r for r in result.new_lines.to_pylist() if r["line_number"] == 1)
    assert (line["quantity"], line["unit"], line["unit_price"], line["price_basis"]) == (
        Decimal(12), "EA", Decimal("2.5"), "PE")


def test_a_price_per_the_old_unit_not_exact_per_the_new_is_refused():
    """2.50 per CA (no basis) moved to EA: 0.208333 per each, not exact to 4 places: refused, the line as it was."""
    from engine.changes import apply_changes
    from tests.changes.builders import live_order, read_change

    order, lines = live_order()
    rows = lines.to_pylist()
    rows[0].update(unit="CA", price_basis=None)
    import pyarrow as pa
    lines = pa.Table.from_pylist(rows, schema=lines.schema)
    header, changes = read_change(["POC*1*RZ*24**EA***UP*073000040482*VN*SKU-1"])
    result = apply_changes(order, lines, header, changes, shipped=False,
                           unit_eaches=lambda _n, unit, _row: {"EA": 1, "CA": 12}.get(unit))
    [finding] = [f for f in result.findings if f.code == "CHANGE_UNIT_MISMATCH"]
    assert "its 2.5 per CA is 0.208333 per EA (1 eaches to a EA), not exact to 4 places" in finding.message
    assert result.line_results[0].status == "IR"


@pytest.mark.parametrize("invoiced", [0, 6], ids=["shipped", "invoiced"])
@pytest.mark.parametrize("poc", ["POC*1*RZ*2**CA***UP*073000040482*VN*SKU-1",
                                 "POC*1*RZ*2**CA*30**UP*073000040482*VN*SKU-1"], ids=["no-price", "priced"])
def test_a_line_that_shipped_is_not_moved_to_another_unit(poc, invoiced):
    """Line 1 shipped 6 of its 12 EA (and billed them, or not): an RZ restating it as 2 CA is refused
    (CHANGE_AFTER_SHIPMENT, 865 ACK IR), the line as it was, for its shipped units count in eaches. It was taken as a
    cut below what shipped: kept at 6 EA, at 30.00 per EA (a price per case on eaches) where none was billed."""
    from engine.changes import LineProgress, Progress, apply_changes
    from tests.changes.builders import live_order, read_change

    order, lines = live_order()
    header, changes = read_change([poc])
    progress = Progress(lines={1: LineProgress(shipped=Decimal(6), invoiced=Decimal(invoiced), promised=Decimal(12))},
                        state="partially_shipped")
    result = apply_changes(order, lines, header, changes, shipped=True, progress=progress,
                           unit_eaches=lambda _n, unit, _row: {"EA": 1, "CA": 12}.get(unit))
    [finding] = [f for f in result.findings if f.code == "CHANGE_AFTER_SHIPMENT"]
    assert finding.message == "POC02 RZ: line 1 shipped 6 EA; its unit is not changed to CA."
    assert [(r.status, r.quantity, r.unit) for r in result.line_results] == [("IR", Decimal(12), "EA")]
    line = next(r for r in result.new_lines.to_pylist() if r["line_number"] == 1)
    assert (line["quantity"], line["unit"], line["unit_price"], line["price_basis"]) == (
        Decimal(12), "EA", Decimal("2.5"), "PE")


def _shipped_and_billed(ws) -> list[list[str]]:
    """ACME PO-1 line 1 shipped whole (2 CA, 24 eaches) from EAST on day 2: the 810's IT1 segments."""
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "east-shipments-20261128.csv").write_text(
        "Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,Quantity,"
        "Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID\n"
        "SHP-3001,2026-11-28,14:00,UPSN,G2,1Z999AA10123450001,BOL-3001,PO-1,1,SKU-1003,24,EA,C-3001,9.5,LB,\n")
    from tests.support import deliver_all, ship_stages

    ship_stages(ws, DAY2, run_id="day2")
    deliver_all(ws, DAY2)
    return [s for doc in docs_810(ws) for s in doc if s[0] == "IT1"]


def docs_810(ws) -> list[list[list[str]]]:
    from parsers.x12_reader import read_interchanges

    return [read_interchanges(p.read_bytes()).segments.elements.to_pylist()
            for p in sorted((ws.drop_root / "acme" / "outbox").glob("*-810-*.x12"))]


def test_a_line_moved_to_cases_without_a_price_is_answered_and_billed_per_case(tmp_path):
    """ACME orders 24 EA of SKU-1003 at 39.20 (no PO105: per each, the line's unit); its 860 restates the line as
    2 CA without a price. The 865 says 470.40 per CA (POC06, no POC07) and ACK IC 2 CA; the line is stored at 470.40
    per CA, no finding on its price; once shipped, the 810 bills IT1 2 CA at 470.40. It stayed 39.20 per CA: the
    price rules held it as a 91.67% discount, a person approving it would bill 78.40 for 24 pens."""
    ws = _ordered(tmp_path, [f"PO1*1*24*EA*39.20**UP*{UPC}"])
    _answered_by_865s(ws)
    _changed(ws, [f"POC*1*RZ*2**CA***UP*{UPC}"])
    (ack,) = [p.read_text() for p in sorted((ws.drop_root / "acme" / "outbox").glob("*-865-*.x12"))]
    assert f"POC*1*RZ*2**CA*470.4**UP*{UPC}~" in ack.replace("470.40", "470.4"), ack
    assert docs(ws, "865")["PO-1"] == [("00", "AD", [["IC", "2", "CA"]])]
    state = StateStore(ws.state_path)
    try:
        (line,) = state.order_lines("acme", "PO-1")
        codes = [f["code"] for f in state.findings(partner="acme", po_number="PO-1")]
    finally:
        state.close()
    assert (line.unit, line.ordered, line.unit_price) == ("CA", 2, Decimal("470.4"))
    assert not {"DISCOUNT_OVER_THRESHOLD", "PRICE_MISMATCH", "PRICE_BASIS_PER_EACH"} & set(codes), codes
    it1 = _shipped_and_billed(ws)
    assert [s[1:5] for s in it1] == [["1", "2", "CA", "470.4"]], it1


# 3. a CTP's own unit (CTP05) is the unit its price is per -----------------------------------------------------------


@pytest.mark.parametrize(("pocs", "echo"), [
    (("POC*1*PC***EA", "CTP**UCP*3600*1*CA****HP"), ["EA", "3", ""]),  # 3600 per hundred cases: 36 per CA
    (("POC*1*PC***EA", "CTP**UCP*36*1*CA"), ["EA", "3", ""]),
    (("POC*1*PC", "CTP**UCP*36*1*CA"), ["CA", "36", ""]),  # no POC05: per the CTP05 it was priced in (test_change4)
    (("POC*1*PC***CA", "CTP**UCP*3*1*EA"), ["CA", "36", ""]),  # per each, echoed per POC05's case
], ids=["hp-per-case", "per-case", "no-poc05", "per-each-under-a-case"])
def test_a_ctp_price_is_per_its_own_ctp05_unit(pocs, echo):
    """X12 pairs CTP04 and CTP05 (P0405) and gives CTP03 no unit of its own: CTP03 is the price per one CTP05 unit
    (per CTP09's count of it). On line 1 (12 EA, a case of 12) 36 per CA is 3.00 per EA whatever POC05 says; the 865
    echoes that price per POC05's unit (per the line's when none), no basis. It was read per POC05 (36 per EA:
    twelve times the price), and 3 per EA under a POC05 CA as 3 per case (0.25 per EA)."""
    segs, line = _applied(*pocs)
    assert line[2] == Decimal(3)
    assert segs[0][5:8] == echo and segs[1][:2] == ["ACK", "IP"]


def test_a_ctp_price_per_a_unit_we_cannot_count_is_refused():
    """36 per BX (CTP05) of an item we know no count of eaches in a box for: refused (CHANGE_PRICE_INVALID), the line
    at its 2.50, never taken as 36 per EA."""
    segs, line = _applied("POC*1*PC***EA", "CTP**UCP*36*1*BX")
    assert segs[1] == ["ACK", "IR", "12", "EA"]
    assert line[2] == Decimal("2.5")


def test_the_860_reader_keeps_the_ctp05_unit_only_where_it_is_not_poc05():
    """ORDER_CHANGES price_unit: CTP05 of the CTP read for POC06 where POC05 names another unit or none; null where
    they agree, or where POC06 is sent (the CTP then prices nothing)."""
    from tests.changes.builders import read_change

    _h, changes = read_change(["POC*1*PC***EA", "CTP**UCP*36*1*CA", "POC*2*PC***CA", "CTP**UCP*36*1*CA",
                               "POC*1*PC***EA*2.75", "CTP**UCP*36*1*CA", "POC*2*PC", "CTP**UCP*36*1*CA"])
    assert changes["price_unit"].to_pylist() == ["CA", None, None, "CA"]


# 2. an 860 making a line shipped short take no back order cancels its balance ------------------------------------


def _pa_shipped_short_then(tmp_path, body: list[str]):
    """Princess Auto's PA0099412 shipped short on 12-01 from EAST (40 of 60 of line 1, 20 of 36 of line 2; the
    rest reserved there), then its 860 with ``body`` on 12-02 (tests/test_gaps860c): (lines, reserved units per
    line, the order's state, the 12-02 history notes)."""
    from tests.retailer_support import variant_night
    from tests.support import run_stages
    from tests.test_gaps860b import PA_NIGHT, PA_SHIP_DAY, PA_SHORT
    from tests.test_gaps860c import RG38, WAREHOUSES, _pa_860

    ws, _found, _states = variant_night(RG38, "princessauto", "PA0099412", tmp_path, [], warehouses=WAREHOUSES,
                                        night=PA_NIGHT, ship_day=PA_SHIP_DAY, shipped_swaps=PA_SHORT)
    (ws.drop_root / "princessauto" / "inbox" / "pa-860-PA0099412.x12").write_text(_pa_860(body), encoding="utf-8")
    run_stages(ws, datetime(2026, 12, 2, 2))
    state = StateStore(ws.state_path)
    try:
        lines = {ln.line_number: ln for ln in state.order_lines("princessauto", "PA0099412")}
        held: dict[int, int] = {}
        for r in state.order_reservations("princessauto", "PA0099412"):
            held[r.line_number] = held.get(r.line_number, 0) + r.quantity
        (order,) = state.find_orders("PA0099412")
        notes = [e["note"] for e in state.order_history("princessauto", "PA0099412") if e["run_id"] == "20261202"]
    finally:
        state.close()
    return lines, held, order.state.value, notes


def test_a_line_an_860_makes_take_no_back_order_ends_at_what_shipped_and_says_so(tmp_path):
    """Line 1 (40 of 60 shipped from EAST, 20 reserved there) restated with CSH*N: it ends at what shipped (shipped,
    20 rejected, BALANCE_CANCELLED:20, reason no_backorder), its 20 released; line 2 (back orders taken) keeps its
    16 reserved, so the order stays partially shipped; the history names the cut."""
    lines, held, state, notes = _pa_shipped_short_then(
        tmp_path, ["POC*1*NC*60**EA*7.35**VP*ODR-3811*BP*8374421", "CSH*N"])
    one = lines[1]
    assert (one.state.value, one.allocated, one.backordered, one.rejected, one.codes, one.balance_cancelled) == (
        "shipped", 40, 0, 20, (), 20)
    assert one.reason.endswith("; no_backorder")
    assert held == {2: 16} and state == "partially_shipped"
    assert any("its own sales requirement now takes no back order and the warehouse(s) holding its stock (EAST) "
               "shipped it short: balance cancelled, line 1 (20 EA of 60, 40 shipped), 20 reserved unit(s) released"
               in (n or "") for n in notes), notes


@pytest.mark.parametrize("body", [
    ["POC*1*NC*60**EA*7.35**VP*ODR-3811*BP*8374421", "CSH*Y"],  # a rule that takes back orders
    ["POC*1*NC*60**EA*7.35**VP*ODR-3811*BP*8374421"],  # no rule: the PO's (none: back orders taken)
], ids=["csh-y", "no-csh"])
def test_a_line_an_860_leaves_taking_back_orders_keeps_its_balance(tmp_path, body):
    """The same 860 without CSH*N: nothing is cut, line 1's 20 stay reserved at EAST to ship."""
    lines, held, state, _notes = _pa_shipped_short_then(tmp_path, body)
    assert (lines[1].allocated, lines[1].rejected) == (60, 0)
    assert held == {1: 20, 2: 16} and state == "partially_shipped"
