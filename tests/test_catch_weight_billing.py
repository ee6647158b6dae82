"""Catch-weight lines billed by the weight that shipped: a partner that deals in catch weight ([rules]
catch_weight) orders meat, cheese or produce in cases priced per pound (PO1*1*3*CA*3.49*PP); the warehouse
confirms each line's net weight (the CSV's Net Weight column, a 945's W12 weight qualified N) and the 810
bills the line by it: IT1*1*42.35*LB*3.49*PP (IT102 the net weight, IT103 LB, IT104 the price per pound),
QTY*39*3*CA its cases shipped, TDS the weight times the price. What is counted against shipped and invoiced
units stays the cases (the order line's invoiced quantity, the invoice record's line). A line shipped with no
net weight confirmed is not billed (INVOICE_NOT_BUILT naming the line): never cases at a pound price."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from connectors.state import StateStore
from parsers.shipments_csv import read_shipment_csv
from parsers.warehouse_945 import read_945
from parsers.x12_reader import read_interchanges
from schemas.errors import DocumentError
from schemas.fulfilment import ShipmentCsvMapping
from tests.support import GOOD_PO, run_night, shipping_workspace, x12_850
from tests.test_945_shapes import CARTON1, HEAD, w945

NIGHT, NEXT = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2)
HEADER = ("Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,"
          "Quantity,Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID,Net Weight,Net Weight Unit\n")


def _row(line: str, sku: str, qty: str, unit: str, net: str = "", net_unit: str = "") -> str:
    return (f"SHP-9,2026-11-27,14:05,UPSN,G2,1Z999AA10123456784,BOL-9,PO-1,{line},{sku},{qty},{unit},C-9,60.5,LB,,"
            f"{net},{net_unit}\n")


def _night_then_945(tmp_path, w12s: list[str]):
    """_night_then_shipped with the north 3PL's 945 for PO-1 (shipped 2026-11-27 by ODFL, BOL-7) whose W12 loops
    are ``w12s``."""
    return _night_then_shipped(tmp_path, w945(["W06*N*DO-1*20261127*S7**PO-1", "N1*ST*DC 7*92*DC07", "N9*BM*BOL-7",
                                               "G62*11*20261127*8*1130", "W27*M*ODFL", *w12s]), warehouse="north")


def _night_then_shipped(tmp_path, confirmation: str | bytes, warehouse: str = "east", *, per: str = "shipment",
                        price: str = "3.49*PP"):
    """acme (catch_weight = true) orders 3 CA of VP-1003 at 3.49 per pound (``price``: PO104*PO105) and 12 EA of
    VP-1001 at 19.70 each;
    the next night the warehouse's confirmation (east: a CSV; north: a 945) ships both. Returns the workspace
    and acme's outbox."""
    from flows.workspace import open_workspace
    from tests.support import from_template

    def build(folder) -> None:
        ws = shipping_workspace(folder, partners=("acme",))
        path = ws.root / "partners" / "acme.toml"
        path.write_text(path.read_text().replace("[rules]\n", "[rules]\ncatch_weight = true\n", 1).replace(
            'per = "shipment"', f'per = "{per}"', 1))
        inbox = ws.drop_root / "acme" / "inbox"
        for p in inbox.iterdir():
            p.unlink()
        (inbox / "po.x12").write_bytes(x12_850(GOOD_PO[:6] + [f"PO1*1*3*CA*{price}*VN*VP-1003",
                                                              "PO1*2*12*EA*19.70*PE*VN*VP-1001", "CTT*2"]))
        run_night(ws, NIGHT)

    # the order's night, once per session and (per, price), copied (tests.support.from_template); the shipping
    # night runs on the copy
    from_template(f"catch-weight-night1-{per}-{price}".replace("*", "+"), tmp_path / "ws", build)
    ws = open_workspace(tmp_path / "ws")
    confirmations = ws.warehouse_drop_root / warehouse / "inbox"
    confirmations.mkdir(parents=True, exist_ok=True)
    if isinstance(confirmation, bytes):
        (confirmations / "shipments.x12").write_bytes(confirmation)
    else:
        (confirmations / "shipments.csv").write_text(confirmation)
    run_night(ws, NEXT)
    return ws, sorted((ws.drop_root / "acme" / "outbox").iterdir())


def _segments(content: bytes) -> list[list[str]]:
    text = content.decode()
    element, term = text[3], text[105]
    return [s.strip().split(element) for s in text.split(term) if s.strip()]


def test_a_catch_weight_line_is_billed_by_the_net_weight_shipped_at_its_price_per_pound(tmp_path, tmp_path_factory):
    from rules.outbound import validate_outbound
    from tests.shipping_support import bots_check, pyx12_map_folders
    from tests.test_pyx12_outbound import pyx12_accepts

    ws, outbox = _night_then_shipped(tmp_path, HEADER + _row("1", "SKU-1003", "3", "CA", "42.35", "LB")
                                     + _row("2", "SKU-1001", "12", "EA"))
    [invoice] = [p for p in outbox if p.name.split("-")[1] == "810"]
    content = invoice.read_bytes()
    segs = _segments(content)
    lines = [s for s in segs if s[0] in ("IT1", "QTY", "TDS", "ISS", "CTT")]
    # 42.35 LB x 3.49 = 147.80 (half up to cents); 12 EA x 19.70 = 236.40
    assert lines[:3] == [["IT1", "1", "42.35", "LB", "3.49", "PP", "VN", "VP-1003"], ["QTY", "39", "3", "CA"],
                         ["IT1", "2", "12", "EA", "19.7", "PE", "VN", "VP-1001"]]
    [tds] = [s for s in segs if s[0] == "TDS"]
    charges = sum((Decimal(s[5]) * (1 if s[1] == "C" else -1) for s in segs if s[0] == "SAC"), Decimal(0))
    assert Decimal(tds[1]) == Decimal(14780) + Decimal(23640) + charges
    # our outbound validator, Bots' grammar and pyx12 with our maps accept it
    assert [f.code for f in validate_outbound(content) if f.severity == "error"] == []
    ok, errors = bots_check(content, tmp_path)
    assert ok, errors
    ok, ack = pyx12_accepts(content.decode(), pyx12_map_folders(tmp_path_factory))
    assert ok, ack
    state = StateStore(ws.state_path)
    try:
        findings = state.findings(po_number="PO-1", partner="acme")
        [record] = state._q("SELECT invoice_number, merchandise FROM invoices WHERE po_number='PO-1'")
        billed = [tuple(r) for r in state._q("SELECT line_number, quantity, unit, unit_price, amount FROM "
                                              "invoice_lines WHERE invoice_number=? ORDER BY line_number",
                                              (record[0],))]
        invoiced = {r[0]: r[1] for r in state._q("SELECT line_number, invoiced FROM order_lines WHERE "
                                                 "po_number='PO-1'")}
        stored = [tuple(r) for r in state._q("SELECT line_number, quantity, net_weight, net_weight_unit FROM "
                                             "shipment_lines ORDER BY position")]
    finally:
        state.close()
    assert "INVOICE_NOT_BUILT" not in [f["code"] for f in findings]
    assert stored == [(1, "3", "42.35", "LB"), (2, "12", None, None)]
    # the cases are what is counted as invoiced (against the 3 shipped), the amount the weight's
    assert [(n, Decimal(q), u, Decimal(p), Decimal(a)) for n, q, u, p, a in billed] == [
        (1, 3, "CA", Decimal("3.49"), Decimal("147.80")), (2, 12, "EA", Decimal("19.7"), Decimal("236.40"))]
    assert Decimal(record[1]) == Decimal("384.20")
    assert {n: Decimal(q) for n, q in invoiced.items()} == {1: 3, 2: 12}
    # finance's reconciliation counts cases shipped against cases invoiced (no over-billing, no quantity
    # mismatch) and ties the TDS to the weight's value (no INVOICE_TOTAL_MISMATCH), weeks later too
    from flows import steps

    state = StateStore(ws.state_path)
    try:
        for now in (datetime(2026, 11, 28, 3), datetime(2026, 12, 20, 3)):
            steps.reconcile_run(ws, ws.partners(), state, now=now, run_id=now.strftime("rc%d"))
            exceptions = state.stored_exceptions().to_pylist()
            kinds = {e["type"] for e in exceptions}
            assert kinds & {"INVOICE_QUANTITY_MISMATCH", "INVOICE_TOTAL_MISMATCH", "INVOICED_NOT_SHIPPED",
                            "DUPLICATE_INVOICE", "INVOICE_PRICE_MISMATCH", "SHIPPED_NOT_INVOICED"} == set(), kinds
        # the 810 is worth what it bills (the weight's value), as its unacknowledged exception says
        [unacked] = [e for e in exceptions if e["type"] == "DOCUMENT_UNACKNOWLEDGED" and "our 810" in e["message"]]
        assert unacked["message"].endswith("document value 384.20")
    finally:
        state.close()


def test_a_3pl_945_s_w12_net_weight_bills_the_catch_weight_line(tmp_path):
    """North 3PL's 945: the W12 of the cases with its net weight first (W1211 N) and the gross second (W1214 G),
    as a meat packer's WMS weighs them; the 810 bills the net weight."""
    w12s = ["LX*1", "W12*CC*3*3**CA**VN*VP-1003**42.35*N*L*45*G*L", "N9*LI*1",
            "LX*2", "W12*CC*12*12**EA**VN*VP-1001**14*G*L", "N9*LI*2"]
    ws, outbox = _night_then_945(tmp_path, w12s)
    [invoice] = [p for p in outbox if p.name.split("-")[1] == "810"]
    segs = _segments(invoice.read_bytes())
    assert [s for s in segs if s[0] in ("IT1", "QTY", "TDS")] == [
        ["IT1", "1", "42.35", "LB", "3.49", "PP", "VN", "VP-1003"], ["QTY", "39", "3", "CA"],
        ["IT1", "2", "12", "EA", "19.7", "PE", "VN", "VP-1001"], ["TDS", "38420"]]
    state = StateStore(ws.state_path)
    try:
        stored = [tuple(r) for r in state._q("SELECT line_number, quantity, net_weight, net_weight_unit FROM "
                                             "shipment_lines ORDER BY position")]
    finally:
        state.close()
    assert stored == [(1, "3", "42.35", "LB"), (2, "12", None, None)]


def test_an_810_per_order_bills_the_net_weights_of_every_shipment_of_the_line(tmp_path):
    """Invoicing per order (fulfilment.invoice.per = "order"): the line's cases left on two shipments, each
    weighed; the order's 810 bills their net weights added (14.1 + 28.25 LB), its cases counted once."""
    second = _row("1", "SKU-1003", "2", "CA", "28.25", "LB") + _row("2", "SKU-1001", "12", "EA")
    ws, outbox = _night_then_shipped(tmp_path, HEADER + _row("1", "SKU-1003", "1", "CA", "14.1", "LB").replace(
        "SHP-9", "SHP-8").replace(",C-9,", ",C-8,") + second, per="order")
    [invoice] = [p for p in outbox if p.name.split("-")[1] == "810"]
    segs = _segments(invoice.read_bytes())
    assert [s for s in segs if s[0] in ("IT1", "QTY", "TDS")] == [
        ["IT1", "1", "42.35", "LB", "3.49", "PP", "VN", "VP-1003"], ["QTY", "39", "3", "CA"],
        ["IT1", "2", "12", "EA", "19.7", "PE", "VN", "VP-1001"], ["TDS", "38420"]]


def test_a_catch_weight_line_shipped_without_its_net_weight_is_not_billed(tmp_path):
    ws, outbox = _night_then_shipped(tmp_path, HEADER + _row("1", "SKU-1003", "3", "CA")
                                     + _row("2", "SKU-1001", "12", "EA"))
    assert "810" not in [p.name.split("-")[1] for p in outbox]  # never 3 CA billed at 3.49
    state = StateStore(ws.state_path)
    try:
        [f] = [f for f in state.findings(po_number="PO-1", partner="acme") if f["code"] == "INVOICE_NOT_BUILT"]
    finally:
        state.close()
    assert "line 1 is a catch-weight line (3 CA shipped, priced 3.49 per unit of weight: PO105 PP)" in f["message"]
    assert "no net weight shipped is recorded for it" in f["message"]


def _billed_lines(outbox) -> list[list[str]]:
    [invoice] = [p for p in outbox if p.name.split("-")[1] == "810"]
    return [s for s in _segments(invoice.read_bytes()) if s[0] in ("IT1", "QTY", "TDS")]


def test_a_catch_weight_line_weighed_in_kilograms_at_a_price_per_pound_is_billed_in_pounds(tmp_path):
    """A warehouse in a metric country weighs the cases in KG (19.2 KG); the line is priced per pound: billed by
    19.2 / 0.45359237 = 42.32880... LB, rounded to 4 places as a weight is read (42.3288), IT103 LB (the price's
    unit): 42.3288 x 3.49 = 147.73."""
    ws, outbox = _night_then_shipped(tmp_path, HEADER + _row("1", "SKU-1003", "3", "CA", "19.2", "KG")
                                     + _row("2", "SKU-1001", "12", "EA"))
    assert _billed_lines(outbox) == [["IT1", "1", "42.3288", "LB", "3.49", "PP", "VN", "VP-1003"],
                                     ["QTY", "39", "3", "CA"], ["IT1", "2", "12", "EA", "19.7", "PE", "VN", "VP-1001"],
                                     ["TDS", "38413"]]
    state = StateStore(ws.state_path)
    try:
        assert "INVOICE_NOT_BUILT" not in [f["code"] for f in state.findings(po_number="PO-1", partner="acme")]
        [(amount,)] = state._q("SELECT amount FROM invoice_lines WHERE line_number=1")
    finally:
        state.close()
    assert Decimal(amount) == Decimal("147.73")


def test_a_945_s_net_weight_in_kilograms_bills_a_line_priced_per_pound(tmp_path):
    w12s = ["LX*1", "W12*CC*3*3**CA**VN*VP-1003**19.2*N*K", "N9*LI*1",
            "LX*2", "W12*CC*12*12**EA**VN*VP-1001**14*G*L", "N9*LI*2"]
    ws, outbox = _night_then_945(tmp_path, w12s)
    assert _billed_lines(outbox)[:2] == [["IT1", "1", "42.3288", "LB", "3.49", "PP", "VN", "VP-1003"],
                                         ["QTY", "39", "3", "CA"]]


def test_a_line_priced_per_kilogram_weighed_in_pounds_is_billed_in_kilograms(tmp_path):
    """PO1*1*3*CA*7.69*PK: a price per kilogram; the US warehouse weighs 42.35 LB = 19.20963... KG (19.2096):
    IT1*1*19.2096*KG*7.69*PK, 19.2096 x 7.69 = 147.72."""
    _, outbox = _night_then_shipped(tmp_path, HEADER + _row("1", "SKU-1003", "3", "CA", "42.35", "LB")
                                    + _row("2", "SKU-1001", "12", "EA"), price="7.69*PK")
    [invoice] = [p for p in outbox if p.name.split("-")[1] == "810"]
    segs = _segments(invoice.read_bytes())
    assert [s for s in segs if s[0] in ("IT1", "QTY")][:2] == [
        ["IT1", "1", "19.2096", "KG", "7.69", "PK", "VN", "VP-1003"], ["QTY", "39", "3", "CA"]]
    charges = sum((Decimal(s[5]) * (1 if s[1] == "C" else -1) for s in segs if s[0] == "SAC"), Decimal(0))
    [tds] = [s for s in segs if s[0] == "TDS"]
    assert Decimal(tds[1]) == Decimal(14772) + Decimal(23640) + charges


def test_a_line_weighed_in_pounds_and_kilograms_on_one_shipment_is_billed_by_both(tmp_path):
    """Two cartons of line 1 on one shipment, one weighed 14 LB and the other 12.8 KG (a second scale): 14 +
    28.2192 = 42.2192 LB billed at 3.49 (147.35), not left unbilled as if no weight were recorded."""
    second = _row("1", "SKU-1003", "2", "CA", "12.8", "KG").replace(",C-9,", ",C-10,")  # its own carton
    ws, outbox = _night_then_shipped(tmp_path, HEADER + _row("1", "SKU-1003", "1", "CA", "14", "LB") + second
                                     + _row("2", "SKU-1001", "12", "EA"))
    assert _billed_lines(outbox)[:2] == [["IT1", "1", "42.2192", "LB", "3.49", "PP", "VN", "VP-1003"],
                                         ["QTY", "39", "3", "CA"]]
    from flows import steps

    state = StateStore(ws.state_path)  # finance values the 855 and 856 as the 810 bills them
    try:
        now = datetime(2026, 12, 20, 3)
        steps.reconcile_run(ws, ws.partners(), state, now=now, run_id="rc20")
        exceptions = state.stored_exceptions().to_pylist()
    finally:
        state.close()
    values = {e["message"].split(" ")[4]: e["message"].rsplit(" ", 1)[1] for e in exceptions
              if e["type"] == "DOCUMENT_UNACKNOWLEDGED"}
    assert values == {"855": "383.75", "856": "383.75", "810": "383.75"}, exceptions  # 147.35 + 236.40


def test_billing_and_reconciliation_convert_a_line_s_rows_alike_to_the_cent(tmp_path):
    """Two cartons of line 1 on one shipment, the first weighed 10 KG and the second 10.09 LB, priced 3.49 per
    pound. Billing used to add them in the first row's unit (10 + 4.5768 KG) and convert the sum (32.1361 LB:
    112.15) while reconciliation converted each row (22.0462 + 10.09 = 32.1362 LB: 112.16): the 810 and the 856
    of the same line a cent apart. Both now convert each row on its own (schemas.units.billed_weight /
    weights_in): 32.1362 LB, 112.16 on the 810, in reconciliation and in `status`."""
    second = _row("1", "SKU-1003", "2", "CA", "10.09", "LB").replace(",C-9,", ",C-10,")  # its own carton
    ws, outbox = _night_then_shipped(tmp_path, HEADER + _row("1", "SKU-1003", "1", "CA", "10", "KG") + second
                                     + _row("2", "SKU-1001", "12", "EA"))
    assert _billed_lines(outbox)[:2] == [["IT1", "1", "32.1362", "LB", "3.49", "PP", "VN", "VP-1003"],
                                         ["QTY", "39", "3", "CA"]]
    from flows import steps

    state = StateStore(ws.state_path)
    try:
        [(amount,)] = state._q("SELECT amount FROM invoice_lines WHERE line_number=1")
        steps.reconcile_run(ws, ws.partners(), state, now=datetime(2026, 12, 20, 3), run_id="rc20")
        exceptions = state.stored_exceptions().to_pylist()
    finally:
        state.close()
    assert Decimal(amount) == Decimal("112.16")
    values = {e["message"].split(" ")[4]: e["message"].rsplit(" ", 1)[1] for e in exceptions
              if e["type"] == "DOCUMENT_UNACKNOWLEDGED"}
    assert values == {"855": "348.56", "856": "348.56", "810": "348.56"}, exceptions  # 112.16 + 236.40
    from tests.test_status_kept import status

    for asked in ((), ("--asked",)):  # the unit billing used: from the line's price basis when read
        [invoice] = status(ws, "PO-1", *asked)["invoices"]
        billed = {ln["line_number"]: ln for ln in invoice["lines"]}
        assert (billed[1]["net_weight"], billed[1]["net_weight_unit"]) == ("32.1362", "LB"), asked


@pytest.mark.parametrize(("rows", "measure", "each", "billed"), [
    ([("10", "KG"), ("10.09", "LB")], "LB", ["22.0462", "10.09"], "32.1362"),  # each row on its own
    ([("10.09", "LB"), ("10", "KG")], "LB", ["10.09", "22.0462"], "32.1362"),  # in any order
    ([("42.35", "LB")], "KG", ["19.2096"], "19.2096"),
    ([("14", "LB"), (None, "LB")], "LB", ["14", None], None),  # a row unweighed: the line is not billed
    ([("19.2", "LT")], "LB", [None], None),  # no weight unit
    ([], "LB", [], None),
])
def test_one_conversion_for_billing_and_reconciliation(rows, measure, each, billed):
    from schemas.units import billed_weight, weights_in

    got = [(None if w is None else Decimal(w), u) for w, u in rows]
    assert weights_in(got, measure) == [None if w is None else Decimal(w) for w in each]
    assert billed_weight(got, measure) == (None if billed is None else Decimal(billed))


def test_a_catch_weight_line_whose_net_weight_is_in_no_weight_unit_is_not_billed(tmp_path):
    """A net weight in litres (LT) is no weight: never converted, never billed at a price per pound."""
    ws, outbox = _night_then_shipped(tmp_path, HEADER + _row("1", "SKU-1003", "3", "CA", "19.2", "LT")
                                     + _row("2", "SKU-1001", "12", "EA"))
    assert "810" not in [p.name.split("-")[1] for p in outbox]
    state = StateStore(ws.state_path)
    try:
        [f] = [f for f in state.findings(po_number="PO-1", partner="acme") if f["code"] == "INVOICE_NOT_BUILT"]
    finally:
        state.close()
    assert "its net weight shipped is in LT, its price per LB: not a weight to convert" in f["message"]


@pytest.mark.parametrize(("weight", "unit", "measure", "out"), [
    ("42.35", "LB", "LB", "42.35"),  # the price's unit: as it is, never rounded again
    ("19.2", "KG", "LB", "42.3288"),  # 42.328801... LB
    ("42.35", "LB", "KG", "19.2096"),  # 19.209636... KG
    ("1", "KG", "LB", "2.2046"),  # 2.2046226... (not 2.20462 x: the definition, divided)
    ("0.45359237", "KG", "LB", "1.0000"),  # exact
    ("453.59237", "GR", "LB", "1.0000"),
    ("16", "OZ", "LB", "1.0000"),
    ("1", "TN", "LB", "2000.0000"),
    ("19.2", "LT", "LB", None),  # a volume: no weight
    ("3", "CA", "KG", None),
])
def test_a_weight_in_another_unit_is_converted_by_definition(weight, unit, measure, out):
    from schemas.units import weight_in

    assert weight_in(Decimal(weight), unit, measure) == (None if out is None else Decimal(out))


@pytest.mark.parametrize(("cell", "unit", "read"), [
    ("42.35", "", (Decimal("42.35"), "LB")),  # the mapping's default weight unit
    ("42.35 lb", "", (Decimal("42.35"), "LB")),  # the unit written in the cell
    ("19.2", "kg", (Decimal("19.2"), "KG")),
    ("", "LB", (None, None)),  # no weight: no unit either
])
def test_the_csv_net_weight_column_is_read_with_its_unit(cell, unit, read):
    data = (HEADER + _row("1", "SKU-1003", "3", "CA", cell, unit)).encode()
    table, found = read_shipment_csv(data, ShipmentCsvMapping())
    assert found == []
    assert (table["net_weight"][0].as_py(), table["net_weight_unit"][0].as_py()) == read


def test_a_csv_net_weight_that_is_no_number_is_an_error_at_its_cell():
    table, found = read_shipment_csv((HEADER + _row("1", "SKU-1003", "3", "CA", "about 40")).encode(),
                                     ShipmentCsvMapping())
    assert table.num_rows == 0 and [(f.code, f.location.column) for f in found] == [
        ("CSV_NUMBER_INVALID", "Net Weight")]


@pytest.mark.parametrize("cell", ["-42.35", "-42.35 LB", "-0.5"])
def test_a_csv_negative_net_weight_ships_its_row_without_the_weight_with_a_warning_at_its_cell(cell):
    """The row's quantity is a valid shipment; the weight cell is the error (a tare taken twice, a sign typed in):
    the row ships, its net weight is left out with a warning at its row and the Net Weight column, as a negative
    carton weight is (it used to refuse the row, holding the whole shipment for one bad weight)."""
    table, found = read_shipment_csv((HEADER + _row("1", "SKU-1003", "3", "CA", cell, "LB")
                                      + _row("2", "SKU-1001", "12", "EA")).encode(), ShipmentCsvMapping(), file="c.csv")
    assert table.num_rows == 2 and table["quantity"].to_pylist() == [Decimal(3), Decimal(12)]
    assert table["net_weight"].to_pylist() == [None, None] and table["net_weight_unit"].to_pylist() == [None, None]
    assert [(f.code, f.severity, f.location.row, f.location.column, f.location.value) for f in found] == [
        ("SHIPMENT_WEIGHT_INVALID", "warning", 2, "Net Weight", cell)]
    assert "is negative: left out" in found[0].message


def test_a_945_negative_net_weight_is_left_out_with_a_warning_at_its_element():
    """W1210 -42.35 N: the W12's units shipped; its net weight is left out, said at W1210 (it used to be dropped
    without a word)."""
    body = [*HEAD, "LX*1", f"MAN*GM*{CARTON1}", "W12*CC*3*3**CA*614141100521*VN*VP-1007**-42.35*N*L*45*G*L", "N9*LI*1"]
    result = read_interchanges(w945(body), file="n.x12")
    lines, found = read_945(result, list(result.transaction_sets()))
    assert lines["quantity"].to_pylist() == [Decimal(3)] and lines["net_weight"].to_pylist() == [None]
    assert lines["carton_weight"].to_pylist() == [Decimal(45)]
    assert [(f.code, f.severity, f.location.element, f.location.value) for f in found] == [
        ("SHIPMENT_WEIGHT_INVALID", "warning", "W1210", "-42.35")]


def test_a_csv_negative_net_weight_ships_and_waits_for_its_weight_to_bill(tmp_path):
    ws, outbox = _night_then_shipped(tmp_path, HEADER + _row("1", "SKU-1003", "3", "CA", "-42.35", "LB")
                                     + _row("2", "SKU-1001", "12", "EA"))
    kinds = [p.name.split("-")[1] for p in outbox]
    assert "856" in kinds and "810" not in kinds  # the goods left; never billed by a negative weight
    state = StateStore(ws.state_path)
    try:
        codes = [f["code"] for f in state.findings()]
        stored = [tuple(r) for r in state._q("SELECT line_number, quantity, net_weight FROM shipment_lines "
                                             "ORDER BY position")]
    finally:
        state.close()
    assert "SHIPMENT_WEIGHT_INVALID" in codes and "INVOICE_NOT_BUILT" in codes and "CSV_NUMBER_INVALID" not in codes
    assert stored == [(1, "3", None), (2, "12", None)]


@pytest.mark.parametrize("cell", ["0", "0.00", "0 LB", "0.00001"])
def test_a_csv_zero_net_weight_ships_its_row_without_the_weight_with_a_warning_at_its_cell(cell):
    """A net weight of 0 (a WMS that did not weigh the case, a scale not read) is no weight a catch-weight line can
    be billed by: left out with a warning at its row and the Net Weight column, as a negative one is (it used to be
    kept, and the 810 builder refused it with a technical message inside INVOICE_NOT_BUILT)."""
    table, found = read_shipment_csv((HEADER + _row("1", "SKU-1003", "3", "CA", cell, "LB")
                                      + _row("2", "SKU-1001", "12", "EA")).encode(), ShipmentCsvMapping(), file="c.csv")
    assert table.num_rows == 2 and table["quantity"].to_pylist() == [Decimal(3), Decimal(12)]
    assert table["net_weight"].to_pylist() == [None, None]
    assert [(f.code, f.severity, f.location.row, f.location.column, f.location.value) for f in found
            if f.code == "SHIPMENT_WEIGHT_INVALID"] == [("SHIPMENT_WEIGHT_INVALID", "warning", 2, "Net Weight", cell)]
    assert "is zero" in [f for f in found if f.code == "SHIPMENT_WEIGHT_INVALID"][0].message


def test_a_945_zero_net_weight_is_left_out_with_a_warning_at_its_element():
    body = [*HEAD, "LX*1", f"MAN*GM*{CARTON1}", "W12*CC*3*3**CA*614141100521*VN*VP-1007**0*N*L*45*G*L", "N9*LI*1"]
    result = read_interchanges(w945(body), file="n.x12")
    lines, found = read_945(result, list(result.transaction_sets()))
    assert lines["quantity"].to_pylist() == [Decimal(3)] and lines["net_weight"].to_pylist() == [None]
    assert lines["carton_weight"].to_pylist() == [Decimal(45)]
    assert [(f.code, f.severity, f.location.element, f.location.value) for f in found] == [
        ("SHIPMENT_WEIGHT_INVALID", "warning", "W1210", "0")]


def _zero_weight_run_findings(ws) -> tuple[list[dict], list[tuple]]:
    state = StateStore(ws.state_path)
    try:
        found = [dict(f) for f in state.findings()]
        stored = [tuple(r) for r in state._q("SELECT line_number, quantity, net_weight FROM shipment_lines "
                                             "ORDER BY position")]
    finally:
        state.close()
    return found, stored


def test_a_csv_zero_net_weight_is_a_warning_at_its_cell_in_the_run_not_a_technical_refusal(tmp_path):
    """Through the real run: the CSV row's Net Weight 0 is said at its row and column; the goods ship (856), the
    catch-weight line waits for its weight (INVOICE_NOT_BUILT, as for a weight never sent), and no message tells
    ops about the 810 builder's internals."""
    ws, outbox = _night_then_shipped(tmp_path, HEADER + _row("1", "SKU-1003", "3", "CA", "0", "LB")
                                     + _row("2", "SKU-1001", "12", "EA"))
    kinds = [p.name.split("-")[1] for p in outbox]
    assert "856" in kinds and "810" not in kinds
    found, stored = _zero_weight_run_findings(ws)
    [weight] = [f for f in found if f["code"] == "SHIPMENT_WEIGHT_INVALID"]
    assert "Net Weight" in str(weight.values()) and "is zero" in weight["message"]
    assert all("must be positive" not in f["message"] for f in found)
    assert "INVOICE_NOT_BUILT" in [f["code"] for f in found]
    assert stored == [(1, "3", None), (2, "12", None)]


def test_a_945_zero_net_weight_is_a_warning_at_its_element_in_the_run(tmp_path):
    w12s = ["LX*1", "W12*CC*3*3**CA**VN*VP-1003**0*N*L*45*G*L", "N9*LI*1",
            "LX*2", "W12*CC*12*12**EA**VN*VP-1001**14*G*L", "N9*LI*2"]
    ws, outbox = _night_then_945(tmp_path, w12s)
    kinds = [p.name.split("-")[1] for p in outbox]
    assert "856" in kinds and "810" not in kinds
    found, stored = _zero_weight_run_findings(ws)
    [weight] = [f for f in found if f["code"] == "SHIPMENT_WEIGHT_INVALID"]
    assert "W1210" in str(weight.values()) and "is zero" in weight["message"]
    assert all("must be positive" not in f["message"] for f in found)
    assert stored == [(1, "3", None), (2, "12", None)]


def test_a_csv_without_a_net_weight_column_reads_none():
    data = (b"Shipment ID,Ship Date,PO Number,PO Line,SKU,Quantity,Unit\n"
            b"SHP-9,2026-11-27,PO-1,1,SKU-1003,3,CA\n")
    table, found = read_shipment_csv(data, ShipmentCsvMapping())
    assert found == [] and table["net_weight"].to_pylist() == [None] and table["net_weight_unit"].null_count == 1


def _w12(w12: str) -> pa.Table:
    body = [*HEAD, "LX*1", f"MAN*GM*{CARTON1}", w12, "N9*LI*1"]
    result = read_interchanges(w945(body), file="n.x12")
    lines, found = read_945(result, list(result.transaction_sets()))
    assert found == []
    return lines


@pytest.mark.parametrize(("w12", "net", "carton"), [
    # the net weight first (W1211 N), the gross second (W1214 G): the line's net, the carton's gross
    ("W12*CC*3*3**CA*614141100521*VN*VP-1007**42.35*N*L*45*G*L", (Decimal("42.35"), "LB"), Decimal(45)),
    # the net weight alone
    ("W12*CC*3*3**CA*614141100521*VN*VP-1007**19.2*N*K", (Decimal("19.2"), "KG"), Decimal("19.2")),
    # the gross first, the net second (W1213 with W1214 N)
    ("W12*CC*3*3**CA*614141100521*VN*VP-1007**45*G*L*42.35*N*L", (Decimal("42.35"), "LB"), Decimal(45)),
    # a gross weight only: no net weight of the line
    ("W12*CC*3*3**CA*614141100521*VN*VP-1007**45*G*L", (None, None), Decimal(45)),
])
def test_the_945_w12_weight_qualified_n_is_the_line_s_net_weight(w12, net, carton):
    lines = _w12(w12)
    assert (lines["net_weight"][0].as_py(), lines["net_weight_unit"][0].as_py()) == net
    assert lines["carton_weight"][0].as_py() == carton


@pytest.mark.parametrize(("w12", "net", "carton"), [
    # a reweighed net weight (RN) corrects the actual net (N): the reweigh is billed, whichever comes first
    ("W12*CC*3*3**CA*614141100521*VN*VP-1007**42.35*N*L*42.1*RN*L", (Decimal("42.1"), "LB"), Decimal("42.35")),
    ("W12*CC*3*3**CA*614141100521*VN*VP-1007**46*RG*L*42.1*RN*L", (Decimal("42.1"), "LB"), Decimal(46)),
    # an estimated net weight (E, the cases' nominal weight) is no scaled net: never billed; the goods' weight
    ("W12*CC*3*3**CA*614141100521*VN*VP-1007**42*E*L", (None, None), Decimal(42)),
    ("W12*CC*3*3**CA*614141100521*VN*VP-1007**42*E*L*45*G*L", (None, None), Decimal(45)),
    # the tare (the packing alone) is neither the net nor the carton's weight; the net is
    ("W12*CC*3*3**CA*614141100521*VN*VP-1007**2.65*T*L*42.35*N*L", (Decimal("42.35"), "LB"), Decimal("42.35")),
    ("W12*CC*3*3**CA*614141100521*VN*VP-1007**2.65*T*L", (None, None), None),
    # the shipper's weight (A3, as a 3PL's 945 in the corpus writes its cases' weight) is a gross weight
    ("W12*CC*3*3**CA*614141100521*VN*VP-1007**45*A3*L", (None, None), Decimal(45)),
    # a weight per unit (U) or the pallet's (PA) is no carton's weight; the gross second is
    ("W12*CC*3*3**CA*614141100521*VN*VP-1007**14.1*U*L*45*G*L", (None, None), Decimal(45)),
    ("W12*CC*3*3**CA*614141100521*VN*VP-1007**38*PA*K", (None, None), None),
    # a net weight in ounces (188 O) or short tons (S): the units billing converts (OZ, TN), kept as sent; the
    # carton's weight (the same weight, no gross given) in pounds, what TD108 carries (680 oz = 42.5 lb, 0.0212
    # short ton = 42.4 lb: it used to keep 680 / 0.0212 with its unit O / S, and the 856 failed on TD108)
    ("W12*CC*3*3**CA*614141100521*VN*VP-1007**680*N*O", (Decimal(680), "OZ"), Decimal("42.5")),
    ("W12*CC*3*3**CA*614141100521*VN*VP-1007**0.0212*N*S", (Decimal("0.0212"), "TN"), Decimal("42.4")),
    # a gross weight in kilograms second, the net in pounds first: each in its own unit
    ("W12*CC*3*3**CA*614141100521*VN*VP-1007**42.35*N*L*20.4*G*K", (Decimal("42.35"), "LB"), Decimal("20.4")),
])
def test_each_945_weight_qualifier_is_billed_only_when_it_is_the_scaled_net(w12, net, carton):
    """Code list 187 as a 3PL's W12 writes it: only an actual (N) or reweighed (RN) net weight is the line's net
    weight a catch-weight line is billed by; a gross (G, RG, A3 ...) is the carton's weight, a tare (T), pallet
    (PA) or per-unit (U) weight neither."""
    lines = _w12(w12)
    assert (lines["net_weight"][0].as_py(), lines["net_weight_unit"][0].as_py()) == net
    assert lines["carton_weight"][0].as_py() == carton


def test_every_weight_qualifier_of_code_list_187_has_its_place():
    """Each code of element 187 (X12 3030 to 8010) is billed as net, a gross (the carton's weight), another
    weight of the goods (the carton's weight when no gross is given, never billed) or not the goods' weight."""
    from parsers.warehouse_945 import GROSS_QUALIFIERS, NET_QUALIFIERS, NOT_THE_GOODS, w12_weights

    assert not set(NET_QUALIFIERS) & set(GROSS_QUALIFIERS) and not set(NET_QUALIFIERS) & set(NOT_THE_GOODS)
    assert not set(GROSS_QUALIFIERS) & set(NOT_THE_GOODS)
    for code in ("E", "C", "L", "S", "Y", "DR", "Z"):  # the goods' weight, but not a scaled net
        assert w12_weights({10: code}) == (10, 0), code
    for code in NOT_THE_GOODS:
        assert w12_weights({10: code, 13: "N"}) == (13, 13), code
    assert w12_weights({10: "N", 13: "RN"}) == (10, 13)


def test_a_945_estimated_net_weight_does_not_bill_the_catch_weight_line(tmp_path):
    """A 3PL that does not scale the cases states their estimated net weight (W1211 E): the catch-weight line is
    not invoiced by an estimate (nor its cases at a pound price); the 810 is held saying what net weight bills."""
    w12s = ["LX*1", "W12*CC*3*3**CA**VN*VP-1003**42*E*L*45*G*L", "N9*LI*1",
            "LX*2", "W12*CC*12*12**EA**VN*VP-1001**14*G*L", "N9*LI*2"]
    ws, outbox = _night_then_945(tmp_path, w12s)
    assert "810" not in [p.name.split("-")[1] for p in outbox]
    assert "856" in [p.name.split("-")[1] for p in outbox]  # the shipment itself is confirmed
    state = StateStore(ws.state_path)
    try:
        [f] = [f for f in state.findings(po_number="PO-1", partner="acme") if f["code"] == "INVOICE_NOT_BUILT"]
    finally:
        state.close()
    assert "no net weight shipped is recorded for it" in f["message"]
    assert "qualified N (actual net) or RN (reweigh net)" in f["message"], f["message"]


def test_a_945_net_weight_in_ounces_bills_the_catch_weight_line_in_pounds(tmp_path):
    """W1212 O (code list 188: ounces), as a specialty 3PL weighs small cases: 680 oz = 42.5 LB billed at 3.49."""
    w12s = ["LX*1", "W12*CC*3*3**CA**VN*VP-1003**680*N*O", "N9*LI*1",
            "LX*2", "W12*CC*12*12**EA**VN*VP-1001**14*G*L", "N9*LI*2"]
    _, outbox = _night_then_945(tmp_path, w12s)
    assert _billed_lines(outbox)[:2] == [["IT1", "1", "42.5", "LB", "3.49", "PP", "VN", "VP-1003"],
                                         ["QTY", "39", "3", "CA"]]


def test_a_945_reweighed_net_weight_bills_the_catch_weight_line(tmp_path):
    w12s = ["LX*1", "W12*CC*3*3**CA**VN*VP-1003**42.35*N*L*42.1*RN*L", "N9*LI*1",
            "LX*2", "W12*CC*12*12**EA**VN*VP-1001**14*G*L", "N9*LI*2"]
    _, outbox = _night_then_945(tmp_path, w12s)
    assert _billed_lines(outbox)[:2] == [["IT1", "1", "42.1", "LB", "3.49", "PP", "VN", "VP-1003"],
                                         ["QTY", "39", "3", "CA"]]


def _weighed_810(cases: str, **settings):
    from engine.invoice import order_810
    from schemas.fulfilment import InvoiceSettings

    rows = {"1": {"unit": "CA", "price_basis": "PP", "product_ids": [{"qualifier": "VN", "id": "VP-1003"}]},
            "2": {"unit": "EA", "price_basis": "PE"}}
    return order_810("PO-1", {"1": Decimal(cases), "2": Decimal(12)}, {"1": "CA", "2": "EA"}, {"partner": "acme"},
                     rows, {"1": Decimal("3.49"), "2": Decimal("19.70")}, number="INV1",
                     invoice_date=datetime(2026, 11, 28).date(), settings=InvoiceSettings(**settings),
                     shipped={"1": Decimal(3), "2": Decimal(12)}, already_invoiced={},
                     weights={"1": (Decimal("42.35"), "LB")})


def test_an_810_bills_a_weighed_line_by_its_weight_and_counts_its_cases():
    """order_810 with a line's net weight: IT1 the weight in LB at the price per pound, QTY*39 its cases; the ISS
    counts units shipped (cases, not pounds), CTT02 hashes IT102 (the weights included); what is held against the
    units shipped (more than shipped refused) and recorded as invoiced is the cases."""
    built = _weighed_810("3", iss=True, ctt_hash=True)
    body = [[str(e) for e in s] for s in built.built.body]
    assert [s for s in body if s[0] in ("IT1", "QTY", "TDS", "ISS", "CTT")] == [
        ["IT1", "1", "42.35", "LB", "3.49", "PP", "VN", "VP-1003"], ["QTY", "39", "3", "CA"],
        ["IT1", "2", "12", "EA", "19.7", "PE"], ["TDS", "38420"], ["ISS", "3", "CA"], ["ISS", "12", "EA"],
        ["CTT", "2", "54.35"]]
    assert built.quantities == [3, 12] and built.units == ["CA", "EA"]
    assert built.built.extensions == [Decimal("147.80"), Decimal("236.40")]
    with pytest.raises(DocumentError, match="more than shipped"):  # 4 cases of the 3 shipped, whatever they weigh
        _weighed_810("4")


def test_a_csv_net_weight_past_4_decimals_is_billed_rounded_with_a_warning_at_its_cell(tmp_path):
    """The WMS converted 19.21 KG to pounds itself (42.350097... LB): read as 42.3501 with a warning naming the row,
    the Net Weight column and the value sent; the line is billed by 42.3501 LB."""
    ws, outbox = _night_then_shipped(tmp_path, HEADER + _row("1", "SKU-1003", "3", "CA", "42.350097", "LB")
                                     + _row("2", "SKU-1001", "12", "EA"))
    assert _billed_lines(outbox)[0] == ["IT1", "1", "42.3501", "LB", "3.49", "PP", "VN", "VP-1003"]
    state = StateStore(ws.state_path)
    try:
        [f] = [f for f in state.findings() if f["code"] == "SHIPMENT_WEIGHT_ROUNDED"]
    finally:
        state.close()
    assert (f["severity"], f["row_number"], f["column_name"], f["value"]) == ("warning", 2, "Net Weight", "42.350097")
    assert "read as 42.3501" in f["message"]


def test_a_csv_net_weight_whose_cell_unit_contradicts_its_unit_column_is_left_out_with_a_warning(tmp_path):
    """"42.35 KG" in the Net Weight cell, LB in the Net Weight Unit column: which the scale meant is unknown (a
    weight billed in the wrong unit is off 2.2 times). The shipment goes (its 856 sent), the net weight is left
    out with a warning at its cell, and the line's 810 waits for a confirmed weight (INVOICE_NOT_BUILT)."""
    ws, outbox = _night_then_shipped(tmp_path, HEADER + _row("1", "SKU-1003", "3", "CA", "42.35 KG", "LB")
                                     + _row("2", "SKU-1001", "12", "EA"))
    kinds = [p.name.split("-")[1] for p in outbox]
    assert "856" in kinds and "810" not in kinds
    state = StateStore(ws.state_path)
    try:
        [f] = [f for f in state.findings() if f["code"] == "SHIPMENT_WEIGHT_INVALID"]
        [unbilled] = [f for f in state.findings(po_number="PO-1", partner="acme") if f["code"] == "INVOICE_NOT_BUILT"]
        stored = [tuple(r) for r in state._q("SELECT line_number, quantity, net_weight, net_weight_unit FROM "
                                             "shipment_lines ORDER BY position")]
    finally:
        state.close()
    assert (f["severity"], f["row_number"], f["column_name"], f["value"]) == ("warning", 2, "Net Weight", "42.35 KG")
    assert "is in KG; the 'Net Weight Unit' column says LB: the net weight is left out" in f["message"]
    assert "no net weight shipped is recorded for it" in unbilled["message"]
    assert stored == [(1, "3", None, None), (2, "12", None, None)]


@pytest.mark.parametrize(("cell", "unit", "read", "found"), [
    ("42.35 lbs", "LB", (Decimal("42.35"), "LB"), []),  # the same unit, spelled two ways
    ("19.2 kg", "LB", (None, None), [("SHIPMENT_WEIGHT_INVALID", "Net Weight")]),
    ("42.35 LB", "K", (None, None), [("SHIPMENT_WEIGHT_INVALID", "Net Weight")]),
    ("42.35004", "LB", (Decimal("42.35"), "LB"), [("SHIPMENT_WEIGHT_ROUNDED", "Net Weight")]),
    ("42.35006 lb", "", (Decimal("42.3501"), "LB"), [("SHIPMENT_WEIGHT_ROUNDED", "Net Weight")]),
    ("42.350000", "LB", (Decimal("42.35"), "LB"), []),  # trailing zeros are exact
])
def test_a_csv_net_weight_rounded_or_in_a_contradicted_unit_is_a_warning_at_its_cell(cell, unit, read, found):
    data = (HEADER + _row("1", "SKU-1003", "3", "CA", cell, unit)).encode()
    table, findings = read_shipment_csv(data, ShipmentCsvMapping(), file="c.csv")
    assert table.num_rows == 1  # the row ships either way
    assert (table["net_weight"][0].as_py(), table["net_weight_unit"][0].as_py()) == read
    assert [(f.code, f.location.column) for f in findings] == found
    assert all(f.severity == "warning" and f.location.row == 2 for f in findings)


def test_a_po_s_own_terms_survive_an_unweighed_810_before_it_in_the_run(tmp_path):
    """acme bills a PO's own terms (``terms = "po"``); PO-1's catch-weight line ships with no net weight (its 810
    is not built), PO-2 (its own ITD: net 60) ships on the next shipment of the same run. PO-2's 810 states its PO's
    terms, not the agreement's (ITD*08 2% 10 net 30): the PO terms were looked up by their position in the run's
    due invoices before PO-1's was taken out, so PO-2's fell to the agreement."""
    ws = shipping_workspace(tmp_path / "ws", partners=("acme",))
    path = ws.root / "partners" / "acme.toml"
    text = path.read_text().replace("[rules]\n", "[rules]\ncatch_weight = true\n", 1)
    path.write_text(text.replace("[fulfilment.invoice]\n", '[fulfilment.invoice]\nterms = "po"\n', 1))
    inbox = ws.drop_root / "acme" / "inbox"
    for p in inbox.iterdir():
        p.unlink()
    po2 = [GOOD_PO[0].replace("PO-1", "PO-2"), GOOD_PO[1], "ITD*01*3*****60", *GOOD_PO[2:6],
           "PO1*1*12*EA*19.70*PE*VN*VP-1001", "CTT*1"]
    (inbox / "po1.x12").write_bytes(x12_850(GOOD_PO[:6] + ["PO1*1*3*CA*3.49*PP*VN*VP-1003", "CTT*1"]))
    (inbox / "po2.x12").write_bytes(x12_850(po2, isa13=2, gs06="2"))
    run_night(ws, NIGHT)
    confirmations = ws.warehouse_drop_root / "east" / "inbox"
    confirmations.mkdir(parents=True, exist_ok=True)
    (confirmations / "shipments.csv").write_text(
        HEADER + _row("1", "SKU-1003", "3", "CA").replace("SHP-9", "SHP-1")
        + _row("1", "SKU-1001", "12", "EA").replace("SHP-9", "SHP-2").replace("PO-1", "PO-2").replace("C-9", "C-8"))
    run_night(ws, NEXT)
    outbox = sorted((ws.drop_root / "acme" / "outbox").iterdir())
    invoices = [_segments(p.read_bytes()) for p in outbox if p.name.split("-")[1] == "810"]
    [po2_810] = [segs for segs in invoices if any(s[:1] == ["BIG"] and "PO-2" in s for s in segs)]
    assert not [segs for segs in invoices if any(s[:1] == ["BIG"] and "PO-1" in s for s in segs)]  # not weighed
    assert [s for s in po2_810 if s[0] == "ITD"] == [["ITD", "01", "3", "", "", "", "", "60"]]
