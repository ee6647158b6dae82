"""Quantities (and an 860's prices) with more than 4 decimals. X12's R type allows any number of decimals;
our canonical numbers are decimal128(18, 4). A PO102 of 8.333333 DZ (a buyer's system that converts its
100 eaches to dozens) or 12.34567 LB (a bulk or catch-weight line) was read rounded half to even without a
word, and acknowledged, allocated, shipped and invoiced at the rounded quantity; an 860's POC03 (new
quantity) and POC06 (new price) were rounded and applied the same way, and its POC04 echoed rounded in
the 865. Now: the 850's line waits for a person (QUANTITY_DECIMALS_UNSUPPORTED, hold_line, as
PRICE_DECIMALS_UNSUPPORTED does for PO104), the 860's POC is rejected (865 IR, CHANGE_QUANTITY_INVALID /
CHANGE_PRICE_INVALID) with the line left as it was, and the 865 echoes what was sent. Trailing zeros
(10.000000) are exact: they raise nothing."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from connectors.state import StateStore
from engine.changes import apply_changes
from parsers.orders_850 import read_orders
from parsers.shipments_csv import read_shipment_csv
from parsers.x12_reader import read_interchanges
from schemas.fulfilment import ShipmentCsvMapping
from schemas.orders import LINES_ADDED_LATER, ORDER_LINES
from tests.changes.builders import live_order, read_change
from tests.support import GOOD_PO, REPO, demo_night_with_warehouses, make_workspace, run_night, run_stages, x12_850
from tests.test_945_shapes import CARTON1, CARTON2, body_of, carton, codes, segments, w945
from tests.test_945_shapes import HEAD as HEAD_945
from tests.test_shipment_findings_flow import ship

NIGHT1, NIGHT2 = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2)
HEAD = GOOD_PO[:6]


def _lines(body: list[str]):
    result = read_interchanges(x12_850(HEAD + body))
    return read_orders(result, list(result.transaction_sets()), partner="acme")


# --- the 850 -------------------------------------------------------------------------------------------

def test_the_quantity_as_sent_is_kept_where_our_tables_round_it() -> None:
    _, lines = _lines([
        "PO1*1*8.333333*DZ*19.70*PE*VN*A",    # 6 decimals: rounded
        "PO1*2*10.000000*EA*19.70*PE*VN*A",   # trailing zeros: exact
        "PO1*3*1.5E1*EA*19.70*PE*VN*A",       # an exponent, exact (15)
        "PO1*4*1.2345678E1*LB*19.70*PE*VN*A",  # an exponent, 7 decimals
        "PO1*5*0000012.50001*LB*19.70*PE*VN*A",  # leading zeros, 5 decimals
        "PO1*6*12.3456*LB*19.70*PE*VN*A",     # 4 decimals: exact
        "PO1*7**EA*19.70*PE*VN*A",            # no quantity
        "CTT*7",
    ])
    assert lines.schema == ORDER_LINES and "quantity_sent" in LINES_ADDED_LATER
    assert lines["quantity"].to_pylist() == [
        Decimal("8.3333"), Decimal("10.0000"), Decimal("15.0000"), Decimal("12.3457"), Decimal("12.5000"),
        Decimal("12.3456"), None]
    assert lines["quantity_sent"].to_pylist() == [
        "8.333333", None, None, "1.2345678E1", "0000012.50001", None, None]


def _night(tmp_path, lines: list[str]):
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850(HEAD + lines))
    return ws, run_night(ws, NIGHT1)


def test_a_quantity_past_4_decimals_holds_its_line_in_the_failures_report(tmp_path) -> None:
    """End to end (the nightly run): PO102 100.00005 EA holds the line; the failures report shows the
    finding at PO1 PO102 with the quantity sent; no 855 goes at 100.0000 (half to even)."""
    ws, run_id = _night(tmp_path, ["PO1*1*100.00005*EA*19.70*PE*VN*VP-1001", "PO1*2*10*EA*19.70*PE*VN*VP-1001",
                                   "CTT*2"])
    state = StateStore(ws.state_path)
    order = state.order("acme", "PO-1")
    assert order.state == "held" and "QUANTITY_DECIMALS_UNSUPPORTED" in order.hold_codes
    [f] = [f for f in state.findings(po_number="PO-1", partner="acme") if f["code"] == "QUANTITY_DECIMALS_UNSUPPORTED"]
    assert "The quantity 100.00005 EA has more than 4 decimal places" in f["message"]
    assert "it would be 100 EA (off by 0.00005)" in f["message"]
    state.close()
    assert not sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12"))  # nothing rounded went out
    folder = ws.root / "reports" / run_id
    rows = list(csv.DictReader(io.StringIO((folder / "failures.csv").read_text(encoding="utf-8-sig"))))
    [row] = [r for r in rows if r["code"] == "QUANTITY_DECIMALS_UNSUPPORTED"]
    assert (row["po_number"], row["segment"], row["element"]) == ("PO-1", "PO1@8", "PO102")  # ST is 1
    assert "100.00005" in row["message"]
    assert "QUANTITY_DECIMALS_UNSUPPORTED" in (folder / "failures.html").read_text(encoding="utf-8")
    # approved, the line is answered at the 4-decimal quantity the finding named
    from flows.cli import app

    res = CliRunner().invoke(app, ["approve", "PO-1", "--partner", "acme", "--by", "Kim", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    run_stages(ws, NIGHT2)
    [path] = sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12"))
    assert "PO1*1*100*EA*19.7*PE*VN*VP-1001~" in path.read_text().replace("\n", "")


@pytest.mark.parametrize("quantity", ["100.000000", "100.0000", "100"])
def test_trailing_zeros_are_the_same_quantity(tmp_path, quantity) -> None:
    ws, _ = _night(tmp_path, [f"PO1*1*{quantity}*EA*19.70*PE*VN*VP-1001", "CTT*1"])
    state = StateStore(ws.state_path)
    assert state.order("acme", "PO-1").state == "acknowledged"
    assert "QUANTITY_DECIMALS_UNSUPPORTED" not in {f["code"] for f in state.findings(po_number="PO-1",
                                                                                    partner="acme")}
    state.close()
    [path] = sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12"))
    assert "PO1*1*100*EA*19.7*PE*VN*VP-1001~" in path.read_text().replace("\n", "")


# --- the 860 -------------------------------------------------------------------------------------------

def test_the_860s_numbers_as_sent_are_kept_where_our_tables_round_them() -> None:
    _, changes = read_change([
        "POC*1*QD*24.123456*24.123456*EA*4.58*PE*VN*A",  # POC03, POC04 past 4 decimals
        "POC*2*PC*36*36*EA*38.000001*PE*VN*B",           # POC06 past 4 decimals
        "POC*3*PC*36*36*EA***VN*C", "CTP**UCP*0.012345",  # the price in CTP03
        "POC*4*QD*24.000000*24.0000*EA*38.000000*PE*VN*D",  # trailing zeros: exact
    ])
    rows = changes.to_pylist()
    assert [(r["quantity_sent"], r["quantity_left_sent"], r["price_sent"]) for r in rows] == [
        ("24.123456", "24.123456", None), (None, None, "38.000001"), (None, None, "0.012345"), (None, None, None)]
    assert [r["quantity_ordered"] for r in rows] == [Decimal("24.1235"), Decimal(36), Decimal(36), Decimal(24)]
    assert [r["unit_price"] for r in rows] == [Decimal("4.58"), Decimal(38), Decimal("0.0123"), Decimal(38)]


def _apply(pocs: list[str], **stored):
    """apply_changes on ACME PO-1 (line 1: 12 EA @ 2.50, PO101 1; line 2: 6 EA @ 10), line 1 given ``stored``."""
    import pyarrow as pa

    order, lines = live_order()
    rows = lines.to_pylist()
    rows[0].update(stored)
    header, changes = read_change(pocs)
    return apply_changes(order, pa.Table.from_pylist(rows, schema=ORDER_LINES), header, changes, shipped=False)


@pytest.mark.parametrize("poc,code,element", [
    ("POC*1*QD*10.123456*10*EA", "CHANGE_QUANTITY_INVALID", "POC03"),
    ("POC*1*CA*10.123456*10*EA*2.50*PE", "CHANGE_QUANTITY_INVALID", "POC03"),
    ("POC*1*PC*12*12*EA*2.5000001*PE", "CHANGE_PRICE_INVALID", "POC06"),
    ("POC*1*PC*12*12*EA***VN*A\nCTP**UCP*2.4500049", "CHANGE_PRICE_INVALID", "POC06"),
    ("POC*3*AI*5*5*EA*0.0123451*PE*VN*B", "CHANGE_PRICE_INVALID", "POC06"),
    ("POC*3*AI*5.55555*5*EA*1*PE*VN*B", "CHANGE_QUANTITY_INVALID", "POC03"),
])
def test_a_poc_past_4_decimals_is_rejected_and_the_line_left_as_it_was(poc, code, element) -> None:
    result = _apply(poc.split("\n"))
    [r] = result.line_results
    assert (r.status, r.code) == ("IR", code)
    [f] = result.findings
    assert (f.code, f.location.element) == (code, element)
    places = 6 if code == "CHANGE_PRICE_INVALID" else 4  # a price of 5 or 6 is applied (test_subcent_prices)
    assert f"has more than {places} decimal places" in f.message and "was not applied" in f.message
    assert [(ln["quantity"], ln["unit_price"]) for ln in result.new_lines.to_pylist()] == [
        (Decimal(12), Decimal("2.5")), (Decimal(6), Decimal(10))]
    assert not result.changed_line_numbers


def test_exact_values_with_trailing_zeros_and_a_rounded_poc04_are_applied() -> None:
    result = _apply(["POC*1*CA*10.000000*6.123456*EA*2.400000*PE"])
    [r] = result.line_results
    assert r.status != "IR" and not result.findings
    line = result.new_lines.to_pylist()[0]
    assert (line["quantity"], line["unit_price"]) == (Decimal(10), Decimal("2.4"))


def test_a_new_exact_price_or_quantity_replaces_the_850s_rounded_one() -> None:
    """A line held for its PO104 19.712345 (or PO102 8.333333): an 860 with an exact price (quantity) makes
    the line's rounding moot; it must not be held again for the 850's value."""
    result = _apply(["POC*1*CA*24*24*EA*2.49*PE"], price_sent="2.499999", quantity_sent="12.00001")
    line = result.new_lines.to_pylist()[0]
    assert (line["quantity"], line["unit_price"], line["price_sent"], line["quantity_sent"]) == (
        Decimal(24), Decimal("2.49"), None, None)


def _865(ws, po: str) -> list[list[str]]:
    """The POC and ACK segments of the 865 answering ``po``."""
    out = []
    for path in sorted(ws.drop_root.glob("globex/outbox/*-865-*.x12")):
        rows = read_interchanges(path.read_bytes()).segments.elements.to_pylist()
        if any(r[0] == "BCA" and r[3] == po for r in rows):
            out.append([r for r in rows if r[0] in ("POC", "ACK")])
    [segs] = out
    return segs


def test_an_860_past_4_decimals_is_rejected_and_echoed_as_sent(tmp_path) -> None:
    """End to end: Globex's QD to 24.123456 (and a POC04 of 24.123456) is refused in the 865 (IR), which
    echoes both as sent; the line keeps its quantity; the other changes are applied as asked."""
    ws = make_workspace(tmp_path / "ws", partners=("globex",))
    run_stages(ws, NIGHT1)
    state = StateStore(ws.state_path)
    before = {ln.line_number: ln.ordered for ln in state.order_lines("globex", "GLOBEX-2000")}
    state.close()
    src = (REPO / "sample_files" / "drops-day2" / "globex" / "globex-change-01.x12").read_bytes()
    data = src.replace(b"POC|2|QD|24|24|EA|4.58|PE|BP|GX770033~",
                       b"POC|2|QD|24.123456|24.123456|EA|4.58|PE|BP|GX770033~")
    assert data != src
    (ws.drop_root / "globex" / "inbox" / "change.x12").write_bytes(data)
    _, run = run_stages(ws, NIGHT2)
    segs = _865(ws, "GLOBEX-2000")
    pocs = [s for s in segs if s[0] == "POC"]
    acks = [s[1] for s in segs if s[0] == "ACK"]
    assert pocs[1][1:5] == ["2", "QD", "24.123456", "24.123456"]
    assert acks == ["ID", "IR", "IP", "IA"]
    [f] = [f for f in run.findings if f.code == "CHANGE_QUANTITY_INVALID"]
    assert (f.location.segment_id, f.location.element, f.location.value) == ("POC", "POC03", "24.123456")
    assert "it would be 24.1235" in f.message
    state = StateStore(ws.state_path)
    after = {ln.line_number: ln.ordered for ln in state.order_lines("globex", "GLOBEX-2000")}
    assert after[2] == before[2]


# --- the warehouses' confirmations ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def night1(tmp_path_factory):
    """Night 1 of the demo with the warehouses (as tests/test_945_shapes.py): GLOBEX-2001 waits for North."""
    return demo_night_with_warehouses(tmp_path_factory.mktemp("945") / "ws")


def test_a_945_past_4_decimals_holds_its_shipment_or_rounds_its_weight_saying_so(night1, tmp_path) -> None:
    """North's 945 through the ship flow. A weight of 22.04622 LB (10 kg converted by the WMS) in W1210 or
    W0302 is read as 22.0462 with a warning and the 856 goes; a W1203 of 12.00001 units is not counted and
    holds the shipment; 12.000000 units is 12. Any of these used to make the whole file fail."""
    body = HEAD_945 + carton(CARTON1, 12, weight="22.04622") + carton(CARTON2, 12) + ["W03*24*31.04622*L*1.234567*CF"]
    _, state, res = ship(night1, tmp_path / "w", "north", "n.x12", w945(body))
    assert res.shipments == 1, codes(state)
    rounded = [f for f in state.findings(run_id="t") if f["code"] == "SHIPMENT_WEIGHT_ROUNDED"]
    assert [(f["element"], f["value"]) for f in rounded] == [
        ("W1210", "22.04622"), ("W0302", "31.04622"), ("W0304", "1.234567")]
    assert "read as 22.0462" in rounded[0]["message"]
    assert all(f["consequence"] == "none (warning)" for f in rounded)
    [td1] = segments(body_of(state), "TD1")
    assert td1[7] == "31.0462"
    state.close()

    over = HEAD_945 + carton(CARTON1, 12) + ["LX*1", f"MAN*GM*{CARTON2}",
                                            "W12*CC*12*12.00001**EA*614141100521*VN*VP-1007**9*G*L", "N9*LI*1",
                                            "W03*24"]
    _, state, res = ship(night1, tmp_path / "q", "north", "n.x12", w945(over))
    assert res.shipments == 0
    [f] = [f for f in state.findings(run_id="t") if f["code"] == "SHIPMENT_945_QUANTITY_MISSING"]
    assert (f["element"], f["value"]) == ("W1203", "12.00001")
    assert "more than 4 decimal places" in f["message"] and "it would be 12" in f["message"]
    state.close()

    exact = HEAD_945 + carton(CARTON1, 12) + ["LX*1", f"MAN*GM*{CARTON2}",
                                             "W12*CC*12*12.000000**EA*614141100521*VN*VP-1007**9.000000*G*L",
                                             "N9*LI*1", "W03*24.0000"]
    _, state, res = ship(night1, tmp_path / "e", "north", "n.x12", w945(exact))
    assert res.shipments == 1
    assert not {"SHIPMENT_945_QUANTITY_MISSING", "SHIPMENT_WEIGHT_ROUNDED"} & set(codes(state))
    state.close()


def test_a_csv_carton_weight_past_4_decimals_is_read_rounded_with_a_warning() -> None:
    """A CSV carton weight of 22.04622 (or 22,04622 with decimal commas) is 22.0462 with a warning at its row
    and column; it used to refuse the row and hold its shipment. A quantity past 4 decimals is still refused
    at its row and column (its shipment held), the message now saying why."""
    header = "Shipment ID,Ship Date,PO Number,Quantity,Carton ID,Carton Weight,Weight Unit\n"
    text = header + "S1,2026-11-28,PO-1,1,C1,22.04622,LB\nS1,2026-11-28,PO-1,1,C2,9.000000,LB\n" \
        "S2,2026-11-28,PO-1,1.00001,C3,1,LB\n"
    table, findings = read_shipment_csv(text.encode(), ShipmentCsvMapping(), file="conf.csv")
    assert [(r["carton_id"], r["quantity"], r["carton_weight"]) for r in table.to_pylist()] == [
        ("C1", Decimal(1), Decimal("22.0462")), ("C2", Decimal(1), Decimal(9))]
    assert [(f.code, f.severity, f.location.row, f.location.column, f.location.value) for f in findings] == [
        ("SHIPMENT_WEIGHT_ROUNDED", "warning", 2, "Carton Weight", "22.04622"),
        ("CSV_NUMBER_INVALID", "error", 4, "Quantity", "1.00001")]
    assert "read as 22.0462" in findings[0].message and "at most 4 decimal places" in findings[1].message
    text = header.replace(",", ";") + "S1;2026-11-28;PO-1;1;C1;22,04622;KG\n"
    table, findings = read_shipment_csv(text.encode(), ShipmentCsvMapping(delimiter=";", decimal_separator=","),
                                        file="conf.csv")
    assert table["carton_weight"].to_pylist() == [Decimal("22.0462")]
    assert [f.code for f in findings] == ["SHIPMENT_WEIGHT_ROUNDED"]


# --- a fraction of a count unit (whole eaches, not whole units) -----------------------------------------

def test_the_acknowledged_quantity_is_a_whole_number_of_the_lines_unit() -> None:
    """Our allocation, 855s, shipments and invoices count whole units of the line's unit (ACK02 is the
    eaches allocated divided by the eaches per unit, whole). 2.5 DZ of an item sold by the each (30
    eaches, a whole number) was allocated 24 eaches and answered "ACK*IA*2*DZ": accepted as sent, at
    another quantity. 8.3333 DZ (99.9996 eaches) rounded up to 100 eaches was 8.33333... DZ, which our
    4-decimal tables cannot hold: the decide stage failed. Both are rounded to whole DZ now, saying so."""
    from rules.business import adjusted_quantity, check_quantities
    from schemas.rule_settings import RuleSettings
    from tests.business.tables import line, lines_table, reference

    up, down = RuleSettings(), RuleSettings(case_pack_policy="round_down")
    assert adjusted_quantity(Decimal("2.5"), "DZ", 1, 0, up, per_unit=12) == 3
    assert adjusted_quantity(Decimal("8.3333"), "DZ", 1, 0, up, per_unit=12) == 9
    assert adjusted_quantity(Decimal("2.5"), "DZ", 1, 0, down, per_unit=12) == 2
    assert adjusted_quantity(Decimal("1"), "DZ", 1, 18, up, per_unit=12) == 2  # a minimum of 18 eaches: 2 DZ
    assert adjusted_quantity(Decimal("3"), "DZ", 1, 0, up, per_unit=12) == 3
    assert adjusted_quantity(Decimal("2.5"), "EA", 1, 0, up, per_unit=1) == 3  # as before
    messages = [(f.code, f.message) for f in check_quantities(
        lines_table(line(unit="DZ", quantity=Decimal("2.5")), line(unit="DZ", quantity=Decimal(3), line_number=2)),
        reference(), up)]
    assert messages == [("CASE_PACK_ROUNDED", "PO102 2.5 DZ is 30 eaches, not a whole number of DZ: we acknowledge, "
                                              "ship and invoice this line in whole DZ; acknowledged as 3 DZ.")]


@pytest.mark.parametrize("quantity,ack", [("2.5", "ACK*IQ*3*DZ"), ("8.3333", "ACK*IQ*9*DZ"), ("3", "ACK*IA*3*DZ")])
def test_a_fraction_of_a_dozen_is_answered_in_whole_dozens(tmp_path, quantity, ack) -> None:
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850(HEAD + [f"PO1*1*{quantity}*DZ*236.40*PE*VN*VP-1001", "CTT*1"]))
    run_stages(ws, NIGHT1)
    state = StateStore(ws.state_path)
    assert state.order("acme", "PO-1").state == "acknowledged"
    reserved = {r["sku"]: r["quantity"] for r in state.reservations()}
    state.close()
    [path] = sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12"))
    text = path.read_text().replace("\n", "")
    assert f"{ack}*068*20261210~" in text
    assert reserved["SKU-1001"] == 12 * int(ack.split("*")[2])  # what is reserved is what the 855 promises


def test_a_sac_amount_is_named_with_every_digit_sent() -> None:
    """SAC_NOT_APPLIED names each allowance's amount for a person: an N2 SAC05 written with a point
    (1125.555, as some translators write it; an element error besides) used to be shown rounded (11.26):
    it is shown with every digit, as the number it states (a point is never shifted two places: see
    tests/test_n2_decimal_point.py; it was shown 11.25555 until then)."""
    from rules.structure import check_structure

    body = HEAD[:2] + ["SAC*A*C000***1125.555", "SAC*C*D500***895*6*2.12345"] + HEAD[2:] + GOOD_PO[6:]
    result = read_interchanges(x12_850(body))
    [f] = [f for f in check_structure(result, list(result.transaction_sets())) if f.code == "SAC_NOT_APPLIED"]
    assert "allowance C000 1125.555" in f.message and "charge D500 8.95, 2.12345 %" in f.message


# --- CSV order feeds ------------------------------------------------------------------------------------

CSV_FEED = "\r\n".join([
    "Order;Line;Qty;Unit;Price;Item #;Ship Date;Cancel By;Ship To",
    "O-1;1;5;EA;26,2534567;VP-1010;04.12.2026;;UMB-9",   # row 2: a price past 6 decimals
    "O-2;1;10,00001;EA;26,25;VP-1010;04.12.2026;;UMB-9",  # row 3: a quantity past 4 decimals
    "O-3;1;10,000000;EA;26,250000;VP-1010;04.12.2026;;UMB-9",  # row 4: trailing zeros, exact
]) + "\r\n"


def test_a_csv_order_past_4_decimals_is_held_at_its_row_and_column_not_refused(tmp_path) -> None:
    """A CSV feed's price 26,253456 or quantity 10,00001 (decimal commas) used to refuse its whole PO
    (CSV_NUMBER_INVALID "at most 4 decimals"); an 850's is held for a person. Now the CSV line is held
    the same way (PRICE_/QUANTITY_DECIMALS_UNSUPPORTED at its row and the partner's column), and
    10,000000 and 26,250000 are exact."""
    from tests.test_csv_findings_run import LAYOUT

    ws = make_workspace(tmp_path / "ws", partners=("umbrella",))
    text = (REPO / "partners" / "umbrella.toml").read_text()
    start, end = text.index("[fulfilment.csv_orders]"), text.index("[fulfilment.csv_ack]")
    (ws.partners_dir / "umbrella.toml").write_text(text[:start] + LAYOUT.lstrip() + "\n" + text[end:])
    inbox = ws.drop_root / "umbrella" / "inbox"
    for f in inbox.iterdir():
        f.unlink()
    (inbox / "orders.csv").write_bytes(CSV_FEED.encode())
    run_id = run_night(ws, NIGHT1)
    state = StateStore(ws.state_path)
    stored = {(f["code"], f["po_number"]): f for f in state.findings() if f["partner"] == "umbrella"}
    states = {po: state.order("umbrella", po).state for po in ("O-1", "O-2", "O-3")}
    state.close()
    assert states == {"O-1": "held", "O-2": "held", "O-3": "acknowledged"}
    assert not {code for code, _po in stored} & {"CSV_NUMBER_INVALID"}
    price = stored["PRICE_DECIMALS_UNSUPPORTED", "O-1"]
    assert (price["row_number"], price["column_name"]) == (2, "Price")
    assert "The price 26.2534567 per EA has more than 6 decimal places" in price["message"]
    qty = stored["QUANTITY_DECIMALS_UNSUPPORTED", "O-2"]
    assert (qty["row_number"], qty["column_name"]) == (3, "Qty")
    assert "The quantity 10.00001 EA has more than 4 decimal places" in qty["message"]
    rows = list(csv.DictReader(io.StringIO((ws.root / "reports" / run_id / "failures.csv").read_text(
        encoding="utf-8-sig"))))
    mine = {(r["code"], r["po_number"]): r for r in rows if r["partner"] == "umbrella"}
    assert (mine["QUANTITY_DECIMALS_UNSUPPORTED", "O-2"]["segment"],
            mine["QUANTITY_DECIMALS_UNSUPPORTED", "O-2"]["element"]) == ("row 3", "Qty")


def test_a_new_exact_price_on_a_line_cut_to_what_shipped_replaces_the_850s_rounded_one() -> None:
    """After a shipment (5 of line 1's 12 shipped, none invoiced), a CA below what shipped with a new price:
    the line is cut to its shipped units at the new, exact price; the 850's PO104 past 4 decimals goes."""
    import pyarrow as pa

    from engine.changes import LineProgress, Progress

    order, lines = live_order()
    rows = lines.to_pylist()
    rows[0].update(price_sent="2.499999")
    header, changes = read_change(["POC*1*CA*3*3*EA*2.40*PE"])
    progress = Progress({1: LineProgress(Decimal(5), Decimal(0), Decimal(12))})
    result = apply_changes(order, pa.Table.from_pylist(rows, schema=ORDER_LINES), header, changes, shipped=True,
                           progress=progress)
    line = result.new_lines.to_pylist()[0]
    assert (line["quantity"], line["unit_price"], line["price_sent"]) == (Decimal(5), Decimal("2.4"), None)
