"""An 860 that adds or takes off an allowance after part of the order shipped and was invoiced. An off-invoice
allowance is taken at billing (it locks in on the invoice it is on): the next 810 applies the order's allowances as
the 860 left them to what it invoices, and what was invoiced before is not re-priced. The charge reconciliation holds
each 810 to the promise standing when it went (engine.finance_inputs.with_changes dated=, engine.charge_match): it
used to hold every 810 of the PO to the promise as changed, calling the 810 sent before the 860 short ("expect the
retailer to deduct the rest") for an allowance that did not exist when it went, and an allowance taken off after
it was billed, "over". The 12 % on the units invoiced before the 860 is said in the note: a credit only if agreed with
the buyer, settled apart from our 810s.

ACME (004010, answered by revised 855s) orders 4 CA of SKU-1003 at 470.40 night 1 (deal FALL26 on file, up to 12 %);
the east DC ships 2 CA on day 1 (810 INV0000001, 940.80); the 860 comes night 2; the other 2 CA ship on day 2."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tests.retailer_support import segments
from tests.support import deliver_all, run_stages, ship_stages, shipping_workspace, x12_850
from tests.test_change_after_shipment_855 import answered_by_855s
from tests.test_change_units_860 import NIGHT1
from tests.test_deal_acks import FALL, ON, SAC_HEADING, SAC_LINE, _acks, _sacs
from tests.test_promotions_860 import DEALS, HEAD, REST, TWELVE, _changed, _state
from tests.test_rg86_finance_nights import _reconciled

FOUR = "PO1*1*4*CA*470.40*PE*UP*614141100248"
DAY1, DAY2 = datetime(2026, 11, 27, 15), datetime(2026, 11, 28, 15)


def _ship(ws, day: datetime, sid: str, qty: int = 2) -> None:
    """The east DC ships ``qty`` CA of PO-1's line 1 on ``day``: its 856 and 810 go and are delivered."""
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / f"east-shipments-{day:%Y%m%d}.csv").write_text(
        "Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,Quantity,"
        "Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID\n"
        f"{sid},{day:%Y-%m-%d},14:50,UPSN,G2,1Z999AA1012345{sid[-4:]},BOL-{sid},PO-1,1,SKU-1003,{qty},CA,C-{sid},9,"
        "LB,\n")
    ship_stages(ws, day, run_id=sid)
    deliver_all(ws, day)


def _night(tmp_path, heading=(), change=(f"{TWELVE}*FALL26",)):
    """PO-1 (``heading`` SACs) ordered, 2 CA shipped and invoiced, the 860 (``change``), the rest shipped."""
    ws = changed_after_shipping(tmp_path, heading, change)
    _ship(ws, DAY2, "SHP-9002")
    assert _state(ws)[0] == "invoiced"
    return ws


def changed_after_shipping(tmp_path, heading=(), change=(f"{TWELVE}*FALL26",), line=(FOUR,), tolerance=None):
    """PO-1 (``heading`` SACs, ``line`` its PO1 loop) ordered, 2 CA shipped and invoiced, then the 860 (``change``): the
    other 2 CA open. ``tolerance``: ACME's price tolerance (percent) instead of its 2."""
    ws = shipping_workspace(tmp_path / "ws", partners=())
    (ws.reference_dir / "deals.csv").write_text(DEALS + FALL, encoding="utf-8")
    toml = ws.root / "partners" / "acme.toml"
    text = toml.read_text() + ON
    if tolerance is not None:
        text = text.replace("price_tolerance_percent = 2.0", f"price_tolerance_percent = {tolerance}")
    toml.write_text(text)
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "po.x12").write_bytes(x12_850([*HEAD, *heading, *REST, *line, "CTT*1"]))
    run_stages(ws, NIGHT1)
    answered_by_855s(ws, "acme")
    _ship(ws, DAY1, "SHP-9001")
    assert _state(ws)[0] == "partially_shipped"
    _changed(ws, list(change))
    return ws


def _invoices(ws) -> list[tuple[str, list[list[str]], str]]:
    """Each 810 to ACME: its number, SACs and TDS01."""
    out, sacs, number = [], [], None
    for s in segments(ws, "acme", "810"):
        if s[0] == "BIG":
            number, sacs = s[2], []
        elif s[0] == "SAC":
            sacs.append(s)
        elif s[0] == "TDS":
            out.append((number, sacs, s[1]))
    return out


def test_an_allowance_added_after_part_was_invoiced_applies_to_what_is_invoiced_after(tmp_path):
    """The 860 adds 12 % (FALL26) after INV0000001: that 810 is not re-priced (no credit 810 goes); INV0000002 takes
    12 % of its 940.80 (112.90, TDS 827.90). The reconciliation holds the PO to 12 % of what was invoiced since the
    860 (112.90): it ties, no flag, and the note says what the 12 % would have come to on the 940.80 before. The
    revised 855 answering the 860 states the 12 % (FALL26 agrees it as sent); it used to state none."""
    ws = _night(tmp_path)
    acked, revised = _acks(ws)  # the revised 855 after shipment states the 12 % the deal agrees, as the 860 sent it
    assert (acked[0][1], revised[0][1]) == ("00", "05")
    assert _sacs(acked) == ([], {"1": []})
    assert _sacs(revised) == ([SAC_HEADING], {"1": []}), revised
    first, second = _invoices(ws)
    assert first == ("INV0000001", [], "94080")
    assert second[0] == "INV0000002" and second[2] == "82790"
    assert [(s[1], s[2], s[5], s[7]) for s in second[1]] == [("A", "C310", "11290", "12")]
    got = _reconciled(ws, datetime(2026, 11, 30, 9), "rec")
    [row] = [c for c in got["charges"] if c["code"] == "C310"]
    assert (row["promised_value"], row["expected_on_invoice"], row["billed_value"], row["flag"]) == (
        Decimal("112.90"), Decimal("112.90"), Decimal("112.90"), None), row
    assert "the 860 of 2026-11-28 brought the allowance after 940.80 was invoiced: those 810s are not re-priced " \
           "(the allowance would have come to 112.90 on them: a credit only if agreed with the buyer" in row["note"]
    assert not [x for x in got["exceptions"] if x["type"] in ("ALLOWANCE_NOT_APPLIED", "INVOICE_TOTAL_MISMATCH")]
    line = got["lines"]["acme", "PO-1", 1]
    assert (line["invoiced_quantity"], line["invoiced_value"]) == (Decimal("4"), Decimal("1881.60"))


def test_an_allowance_taken_off_after_part_was_invoiced_is_owed_on_what_went_before(tmp_path):
    """The 850's 12 % (FALL26) is taken on INV0000001 (112.90); the 860's SAC*N*C310 takes it off: INV0000002 carries
    none (TDS 940.80). The reconciliation holds INV0000001 to the 12 % standing then and INV0000002 to none: it ties
    (it used to find 112.90 allowed that the PO, as changed, no longer promised). The revised 855 answering the 860
    states no SAC (the first stated the 12 %; it used to restate it, the allowance the buyer had just taken off)."""
    ws = _night(tmp_path, heading=(f"{TWELVE}*FALL26",), change=("SAC*N*C310",))
    acked, revised = _acks(ws)  # the revised 855 after shipment no longer states what the buyer took off
    assert (acked[0][1], revised[0][1]) == ("00", "05")
    assert _sacs(acked) == ([SAC_HEADING], {"1": []})
    assert _sacs(revised) == ([], {"1": []}), revised
    first, second = _invoices(ws)
    assert (first[0], [(s[2], s[5]) for s in first[1]], first[2]) == ("INV0000001", [("C310", "11290")], "82790")
    assert second == ("INV0000002", [], "94080")
    got = _reconciled(ws, datetime(2026, 11, 30, 9), "rec")
    [row] = [c for c in got["charges"] if c["code"] == "C310"]
    assert (row["expected_on_invoice"], row["billed_value"], row["flag"]) == (
        Decimal("112.90"), Decimal("112.90"), None), row


def test_dated_changes_keep_what_an_860_replaced_until_it_came():
    """with_changes(dated=True): the 860's 3 % holds from its receipt, the 2 % it replaced until then (a row of its
    own); a line's SAC is replaced as before (held to the line as it stands); not dated, nothing is kept."""
    from engine.finance_inputs import CHANGED_COLUMNS, with_changes
    from schemas.reconciliation import PO_CHARGES

    at = datetime(2026, 11, 28, 2)

    def row(line, percent, **more):
        return {"partner": "acme", "po_number": "PO-1", "line_id": line, "kind": "A", "code": "C310",
                "percent": Decimal(percent), "words": "w", "more": 0, **more}

    import pyarrow as pa

    charges = pa.Table.from_pylist([row(None, "2"), row("1", "1")], schema=PO_CHARGES)
    extra = [pa.field("seq", pa.int64()), pa.field("purpose", pa.string()), pa.field("change_type", pa.string()),
             pa.field("since", pa.timestamp("us"))]
    schema = pa.schema([*PO_CHARGES, *extra])
    changed = pa.Table.from_pylist([row(None, "3", seq=1, purpose="04", change_type=None, since=at),
                                    row("1", "4", seq=1, purpose="04", change_type="CA", since=at)], schema=schema)
    got = with_changes(charges, changed, dated=True).to_pylist()
    assert sorted((r["line_id"] or "", str(r["percent"]), r["since"], r["until"]) for r in got) == [
        ("", "2.0000", None, at), ("", "3.0000", at, None), ("1", "4.0000", at, None)]
    plain = with_changes(charges, changed.drop_columns(["since"])).to_pylist()
    assert sorted((r["line_id"] or "", str(r["percent"])) for r in plain) == [("", "3.0000"), ("1", "4.0000")]
    assert "until" not in with_changes(charges, changed).column_names
    assert set(CHANGED_COLUMNS) <= set(schema.names)


def test_without_changed_sacs_leaves_out_what_an_860_took_off_or_changed():
    """engine.po_ack.without_changed_sacs: an N of the heading's code takes the heading SAC off; another value of a
    line's code takes the line's off; the very SAC sent again stands; a deleted line states none."""
    from engine.po_ack import StatedSacs, without_changed_sacs

    told = StatedSacs((tuple(SAC_HEADING),), {"1": (tuple(SAC_LINE),), "2": (tuple(SAC_LINE),)})
    base = {"agency": None, "agency_code": None, "amount": None, "basis": "1", "rate": None, "unit": None,
            "quantity": None, "handling": "02", "description": None, "reference": "FALL26", "change_type": None}
    off = {**base, "kind": "N", "code": "C310", "percent": None, "line_id": None}
    assert without_changed_sacs(told, [off]) == StatedSacs((), told.lines)
    again = {**base, "kind": "A", "code": "C310", "percent": Decimal("12"), "line_id": None}
    assert without_changed_sacs(told, [again]) == told
    other = {**base, "kind": "A", "code": "C310", "percent": Decimal("5"), "line_id": "1", "change_type": "CA"}
    deleted = {**base, "kind": "A", "code": "C310", "percent": Decimal("3"), "line_id": "2", "change_type": "DI"}
    got = without_changed_sacs(told, [other, deleted])
    assert (got.heading, got.of_line("1"), got.of_line("2")) == (told.heading, [], [])


def test_with_deal_sacs_states_what_a_deal_agrees_as_sent():
    """engine.po_ack.with_deal_sacs: the 860's 12 % of FALL26 (up to 12 %) is stated at the heading; 13 %, no deal
    number, a bill back (SAC12 01, not carried) or a deal not on file: not stated."""
    from datetime import date

    from engine.po_ack import StatedSacs, with_deal_sacs

    deals = [{"partner": "acme", "deal": "FALL26", "allowance_code": "C310", "sku": None, "percent": Decimal("12"),
              "rate": None, "valid_from": date(2026, 11, 1), "valid_to": date(2026, 12, 31), "unit": None,
              "match_on": None}]
    base = {"kind": "A", "code": "C310", "agency": None, "agency_code": None, "amount": None, "basis": "1",
            "rate": None, "unit": None, "quantity": None, "handling": "02", "description": None, "line_id": None,
            "change_type": None, "percent": Decimal("12"), "reference": "FALL26"}
    day = date(2026, 11, 26)

    def stated(r):
        return with_deal_sacs(StatedSacs((), {}), [r], deals, day, ("02",)).heading

    assert stated(base) == (SAC_HEADING,)
    assert stated({**base, "percent": Decimal("13")}) == ()
    assert stated({**base, "reference": None}) == ()
    assert stated({**base, "handling": "01"}) == ()
    assert stated({**base, "reference": "SPRING"}) == ()
    assert with_deal_sacs(StatedSacs((), {}), [base], deals, date(2027, 1, 5), ("02",)).heading == ()
