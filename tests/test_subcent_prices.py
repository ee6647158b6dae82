"""Unit prices in fractions of a cent (X12 PO104, element 212, is R: any number of decimals). Electronic-component
distributors quote passives to 5 places (Digi-Key's 10K resistor at 0.00418 each), fastener buyers to 6. Such a
line was held for a person (PRICE_DECIMALS_UNSUPPORTED: our tables carry 4 decimals) and, approved, answered and
billed at 0.0042: for a distributor every night's orders waited. Now a price of up to 6 decimals (schemas.orders
PRICE_PLACES) is the line's price end to end: compared with ours, answered on the 855 as sent, kept, invoiced on the
810 with the line's amount from the exact price (rounded once, half up, to cents), and valued so by the
reconciliation; past 6 the line still waits for a person."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from tests.retailer_support import po_segments, segments, variant_night
from tests.support import GOOD_PO, REPO, make_workspace, rebuilt_store, run_stages, x12_850

FIXTURES = REPO / "tests" / "fixtures" / "rg71"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)
NOTED = {"NOTES_NOT_KEPT", "SCH_NOT_APPLIED", "ASN_LATE"}


@pytest.fixture(scope="module")
def digikey(tmp_path_factory):
    """Digi-Key's stock order with the resistor reel at 0.00418 each (PO104, PO105 QT) and the transceiver at
    1.935125 (6 places): taken, answered, shipped and invoiced in one night."""
    return variant_night(FIXTURES, "digikey", "DK7102931", tmp_path_factory.mktemp("subcent"),
                         [(b"PO1*2*10000*EA*0.0042*QT", b"PO1*2*10000*EA*0.00418*QT")],
                         warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY)


def test_a_price_of_5_decimals_is_answered_as_sent_shipped_and_invoiced_at_it(digikey):
    ws, found, states = digikey
    assert {f[0] for f in found} <= NOTED, found
    assert states == {("digikey", "DK7102931"): "invoiced"}
    ack = po_segments(segments(ws, "digikey", "855"), "DK7102931", "BAK")
    assert ["PO1", "2", "10000", "EA", "0.00418", "QT"] == ack[[s[:2] for s in ack].index(["PO1", "2"])][:6]
    inv = po_segments(segments(ws, "digikey", "810"), "DK7102931", "BIG")
    [it1] = [s for s in inv if s[:2] == ["IT1", "2"]]
    assert it1[2:6] == ["10000", "EA", "0.00418", "QT"]
    # 10000 x 0.00418 = 41.80 (0.0042 would bill 42.00): TDS 6471.80, not 6472.00
    assert ["TDS", "647180"] in inv
    # the line kept at its price, as sent
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        [line] = [ln for ln in state.order_lines("digikey", "DK7102931") if ln.line_number == 2]
    finally:
        state.close()
    assert line.unit_price == Decimal("0.00418")


def test_the_reconciliation_reads_the_night_and_finds_no_price_or_total_mismatch(digikey):
    """The reconciliation reads the 855 (PO104 0.00418), the stored line and the 810 back: it failed on the price
    ("Rescaling Decimal value would cause data loss"). It reads such a price exactly (to 6 decimals) on every side:
    no price mismatch, the 810's TDS ties to what its lines billed, and the line is valued 41.80 on every side in
    the report (read at 4 decimals, 0.0042, it was 42.00)."""
    from connectors.state import StateStore
    from flows.reconcile import reconcile_run

    ws, _found, _states = digikey
    state = StateStore(ws.state_path)
    try:
        result = reconcile_run(ws, ws.partners(), state, now=datetime(2026, 12, 2, 9), run_id="subcent")
    finally:
        state.close()
    import csv

    path = ws.root / "reports" / "subcent" / "finance" / "data" / "exceptions.csv"
    kinds = {r["type"] for r in csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines())}
    assert result.summary["exceptions"] == len(kinds) and kinds <= {"DOCUMENT_UNACKNOWLEDGED"}, kinds
    data = ws.root / "reports" / "subcent" / "finance" / "data"
    [line] = [r for r in csv.DictReader((data / "lines.csv").read_text(encoding="utf-8-sig").splitlines())
              if r["po_number"] == "DK7102931" and r["line_number"] == "2"]
    assert [line[c] for c in ("ordered_value", "acknowledged_value", "shipped_value", "invoiced_value")] == \
        ["41.8000"] * 4, line
    [values] = csv.DictReader((data / "values.csv").read_text(encoding="utf-8-sig").splitlines())
    assert [values[c] for c in ("ordered_value", "acknowledged_value", "shipped_value", "invoiced_value")] == \
        ["6471.8000"] * 4, values


def _night(tmp_path, lines: list[str], prices: str | None = None):
    ws = make_workspace(tmp_path / "ws", partners=())
    if prices is not None:
        (ws.root / "reference" / "prices.csv").write_text(prices)
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "po.x12").write_bytes(x12_850(GOOD_PO[:6] + lines))
    run_stages(ws, datetime(2026, 11, 27, 2))
    return ws


def _855(ws) -> list[str]:
    [path] = sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12"))
    return [s for s in path.read_text().replace("\n", "").split("~") if s[:3] in ("PO1", "ACK")]


@pytest.mark.parametrize("price", ["0.612345", "0.61001"])
def test_an_860_price_change_to_6_decimals_is_applied_and_answered_as_sent(tmp_path, price):
    """Jabil reprices the regulator tubes (line 4, 0.61) to 0.612345 (POC02 PC, POC06 6 places): it used to be refused
    (CHANGE_PRICE_INVALID, "more than 4 decimal places"). Now it is the line's price: its revised 855 states it as
    sent and the line keeps it. 0.61001 reads 0.6100 at 4 decimals, as the line's 0.61 does: still a change."""
    from connectors.state import StateStore
    from tests.test_rg71_electronic_components import _changed

    ws, found, _states = _changed(tmp_path, "jabil", [
        f"POC*4*PC*500*500*EA*{price}**BP*311-0702-00*VP*RG71-317T/NOPB"], 7114)
    assert "CHANGE_PRICE_INVALID" not in {c for c, _m in found}, found
    answers = segments(ws, "jabil", "855")
    revised = po_segments(answers[next(k for k, s in enumerate(answers) if s[:2] == ["BAK", "05"]):], "4500718821",
                          "BAK")
    assert [s[1:5] for s in revised if s[:2] == ["PO1", "4"]] == [["4", "500", "EA", price]]
    state = StateStore(ws.state_path)
    try:
        [line] = [ln for ln in state.order_lines("jabil", "4500718821") if ln.line_number == 4]
    finally:
        state.close()
    assert line.unit_price == Decimal(price)


def test_an_860_price_of_7_decimals_is_still_refused(tmp_path):
    from tests.test_rg71_electronic_components import _changed

    _ws, found, _states = _changed(tmp_path, "jabil", [
        "POC*4*PC*500*500*EA*0.6123451**BP*311-0702-00*VP*RG71-317T/NOPB"], 7115)
    [message] = [m for c, m in found if c == "CHANGE_PRICE_INVALID"]
    assert "POC06 0.6123451 has more than 6 decimal places" in message


def test_an_850_price_of_6_decimals_is_taken_and_answered_as_sent(tmp_path):
    """19.712345 per each (our 19.70: within the tolerance): acknowledged, the 855 states PO104 as sent; the same
    price with trailing zeros is answered without them; 7 places still wait for a person."""
    from connectors.state import StateStore

    ws = _night(tmp_path, ["PO1*1*100*EA*19.712345*PE*VN*VP-1001", "PO1*2*10*EA*19.7000000*PE*VN*VP-1001",
                           "CTT*2"])
    state = StateStore(ws.state_path)
    try:
        assert state.order("acme", "PO-1").state == "acknowledged"
        assert "PRICE_DECIMALS_UNSUPPORTED" not in {f["code"] for f in state.findings(po_number="PO-1")}
        prices = [ln.unit_price for ln in state.order_lines("acme", "PO-1")]
    finally:
        state.close()
    assert prices == [Decimal("19.712345"), Decimal("19.7")]
    assert _855(ws)[0] == "PO1*1*100*EA*19.712345*PE*VN*VP-1001" and _855(ws)[2] == "PO1*2*10*EA*19.7*PE*VN*VP-1001"


def test_a_price_of_7_decimals_is_still_held(tmp_path):
    from connectors.state import StateStore

    ws = _night(tmp_path, ["PO1*1*100*EA*19.7123451*PE*VN*VP-1001", "CTT*1"])
    state = StateStore(ws.state_path)
    try:
        order = state.order("acme", "PO-1")
    finally:
        state.close()
    assert order.state == "held" and order.hold_codes == ("PRICE_DECIMALS_UNSUPPORTED",)


@pytest.mark.parametrize(("theirs", "finding"), [("0.004284", False), ("0.004285", True)])
def test_a_price_of_6_decimals_is_compared_with_ours_exactly(tmp_path, theirs, finding):
    """Our 0.0042 (prices.csv) against PO104 of 6 places, acme's tolerance 2 %: 0.004284 is 2.00 % above (within),
    0.004285 2.02 % (out). Read at 4 decimals both were 0.0043, 2.4 % off."""
    from connectors.state import StateStore

    prices = "partner,sku,unit_price,currency,valid_from,valid_to\nacme,SKU-1001,0.0042,USD,2026-01-01,\n"
    ws = _night(tmp_path, [f"PO1*1*10*EA*{theirs}*PE*VN*VP-1001", "CTT*1"], prices)
    state = StateStore(ws.state_path)
    try:
        codes = {f["code"] for f in state.findings(po_number="PO-1")}
    finally:
        state.close()
    assert not codes & {"PRICE_NOT_ON_FILE", "REFERENCE_INVALID", "PRICE_DECIMALS_UNSUPPORTED"}, codes
    assert ("PRICE_OUT_OF_TOLERANCE" in codes) == finding, codes


def test_a_csv_order_s_price_of_6_decimals_is_taken_and_kept(tmp_path):
    """A CSV feed's price 26,253456 (decimal comma, 6 places) was held (PRICE_DECIMALS_UNSUPPORTED); now the line is
    taken at it and kept so; 26,2534567 still waits (tests/test_quantity_decimals.py)."""
    from connectors.state import StateStore
    from tests.support import run_night
    from tests.test_csv_findings_run import LAYOUT

    ws = make_workspace(tmp_path / "ws", partners=("umbrella",))
    text = (REPO / "partners" / "umbrella.toml").read_text()
    start, end = text.index("[fulfilment.csv_orders]"), text.index("[fulfilment.csv_ack]")
    (ws.partners_dir / "umbrella.toml").write_text(text[:start] + LAYOUT.lstrip() + "\n" + text[end:])
    inbox = ws.drop_root / "umbrella" / "inbox"
    for f in inbox.iterdir():
        f.unlink()
    (inbox / "orders.csv").write_bytes("\r\n".join([
        "Order;Line;Qty;Unit;Price;Item #;Ship Date;Cancel By;Ship To",
        "O-1;1;5;EA;26,253456;VP-1010;04.12.2026;;UMB-9", ""]).encode())
    run_night(ws, datetime(2026, 11, 27, 2))
    state = StateStore(ws.state_path)
    try:
        order = state.order("umbrella", "O-1")
        codes = {f["code"] for f in state.findings() if f["partner"] == "umbrella"}
        [line] = state.order_lines("umbrella", "O-1")
    finally:
        state.close()
    assert order.state == "acknowledged" and "PRICE_DECIMALS_UNSUPPORTED" not in codes, codes
    assert line.unit_price == Decimal("26.253456")


def test_our_price_list_s_6_decimal_price_answers_a_line_at_it(tmp_path):
    """prices.csv may carry 6 decimals (0.004185 per each); a line without PO104 (PRICE_MISSING: our price applies)
    is answered at it, ACK IP with PO104 0.004185, and kept so (the line's acknowledged price). It was refused
    (REFERENCE_INVALID) at 4 decimals, and our 6-decimal price could not be answered (the decisions' price was
    MONEY)."""
    from connectors.state import StateStore

    prices = "partner,sku,unit_price,currency,valid_from,valid_to\nacme,SKU-1001,0.004185,USD,2026-01-01,\n"
    ws = _night(tmp_path, ["PO1*1*500*EA***VN*VP-1001", "CTT*1"], prices)
    state = StateStore(ws.state_path)
    try:
        codes = {f["code"] for f in state.findings(po_number="PO-1")}
        [line] = state.order_lines("acme", "PO-1")
    finally:
        state.close()
    assert "PRICE_MISSING" in codes and not codes & {"REFERENCE_INVALID", "PRICE_NOT_ON_FILE"}, codes
    segs = _855(ws)
    assert segs[0].split("*")[:5] == ["PO1", "1", "500", "EA", "0.004185"], segs
    assert segs[1].startswith("ACK*IP*500*EA"), segs
    assert line.ack_price == Decimal("0.004185")


def test_a_rebuild_records_our_810_s_price_as_sent(digikey, tmp_path):
    """`state rebuild` reads the lines of our 810s in the outbox (parsers.sent_documents): IT104 0.00418 is kept as
    0.00418 (it was read as 0.0042). They used to be kept as recorded lines for the reconciliation; the rebuild now
    makes the 810 the store's invoice again (flows.rebuild_shipments), its lines as the store that was never lost
    holds them."""
    import sqlite3

    from connectors.state import StateStore

    ws, _found, _states = digikey
    copy = tmp_path / "ws"
    rebuilt_store(copy, copy_of=ws.root)
    state = StateStore(copy / "state" / "orderbridge.sqlite")
    try:
        assert not state.recorded_lines().num_rows  # (the 810 is the store's own again: not counted twice)
    finally:
        state.close()
    sql = ("SELECT l.line_id, l.quantity, l.unit, l.unit_price, l.amount FROM invoice_lines l JOIN invoices v"
           " ON v.invoice_number = l.invoice_number WHERE v.po_number = 'DK7102931' ORDER BY l.line_number")

    def lines(root):
        with sqlite3.connect(root / "state" / "orderbridge.sqlite") as db:
            return db.execute(sql).fetchall()

    rebuilt = lines(copy)
    assert rebuilt == lines(ws.root)
    [it1] = [r for r in rebuilt if r[0] == "2"]
    assert (Decimal(it1[1]), Decimal(it1[3])) == (Decimal(10000), Decimal("0.00418"))
