"""A PO line's own references are kept and can be echoed. Drop-ship hubs (CommerceHub: REF*CO the consumer's order
and REF*LI the line item id in each PO1 loop), universities (a per-line requisition or accounting string) and
government buyers (DLA's line references) send REFs inside the PO1 loop and require them back on the 855 and 810.
They used to be dropped at intake, so no document could carry them. Now each PO1 loop's REFs before its N9 / N1 /
SLN / SCH are kept on the line (ORDER_LINES line_refs, in the order sent); a partner lists the qualifiers its 810
([fulfilment.invoice] line_refs) and 855 ([acks.po_ack] line_refs) echo, REF02 as sent. The default echoes
none: every document stays as it was."""

from __future__ import annotations

from decimal import Decimal

import pyarrow.parquet as pq
import pytest

from connectors.order_store import OrderStore
from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from schemas.orders import LINES_ADDED_LATER, ORDER_LINES
from tests.support import GOOD_PO, x12_850
from tests.test_mark_for import maps  # noqa: F401 (a fixture: pyx12's maps)

HEAD = GOOD_PO[:6]
# line 1: the hub's customer order and line item id; line 2: none of its own (the heading's REF is the order's);
# line 3: a REF*LI then an N1 loop whose REF names the party, and an N9 with its own REF: only the first is the line's
REF_LINES = ["PO1*1*12*EA*2.50*PE*UP*073000040482*VN*SKU-1", "PID*F****WIDGET", "REF*CO*CUST-ORDER-77",
             "REF*LI*0001", "DTM*010*20261212",
             "PO1*2*6*EA*10*PE*VN*SKU-2",
             "PO1*3*6*EA*10*PE*VN*SKU-2", "REF*LI*0003", "REF*ZZ**NO REF02 HERE", "N1*ST*STORE 9*92*009",
             "REF*DP*042", "N9*L1*NOTE", "REF*AE*ACCT-9", "CTT*3*24"]


def _lines(body: list[str]):
    result = read_interchanges(x12_850(body), file="po.x12")
    return read_orders(result, list(result.transaction_sets()), partner="acme")


def test_each_po1_loop_keeps_its_own_refs_in_the_order_sent():
    orders, lines = _lines(HEAD[:1] + ["REF*DP*777"] + HEAD[1:] + REF_LINES)
    assert lines.schema == ORDER_LINES
    assert lines["line_refs"].to_pylist() == [
        [{"qualifier": "CO", "id": "CUST-ORDER-77"}, {"qualifier": "LI", "id": "0001"}],
        None,  # no REF of its own: the heading's REF*DP stays the order's
        [{"qualifier": "LI", "id": "0003"}]]  # a REF without REF02 is not kept; N1's and N9's REFs are not the line's
    assert orders["department"].to_pylist() == ["777"]  # the heading's REF read as before
    assert lines["requested_ship_date"].to_pylist()[0].isoformat() == "2026-12-12"  # a DTM after the REFs still


def test_a_po_without_line_refs_reads_as_before():
    _, lines = _lines(GOOD_PO)
    assert lines["line_refs"].to_pylist() == [None, None]


def test_order_lines_stored_before_line_refs_were_kept_read_them_as_none(tmp_path):
    orders, lines = _lines(HEAD + REF_LINES)
    store = OrderStore(tmp_path)
    store.save("acme", "old", orders, lines)
    path = tmp_path / "acme" / "old.lines.parquet"
    pq.write_table(pq.read_table(path).drop_columns(["line_refs"]), path)
    _, loaded = store.load("acme", "old")
    assert loaded.schema == ORDER_LINES and loaded["line_refs"].to_pylist() == [None, None, None]
    assert "line_refs" in LINES_ADDED_LATER


# --- the 810 ----------------------------------------------------------------------------------------------------
def with_line_refs(po: str, refs: dict[str, str]) -> str:
    """acme's demo 850s, ``po``'s PO1 loops given REFs (line id -> segments, "~"-joined) after their PID."""
    from tests.test_mark_for import ACME_PO

    start = ACME_PO.index(f"BEG*00*SA*{po}*")
    se = ACME_PO.index("SE*", start)
    text = ACME_PO[start:se]
    added = 0
    for line_id, segs in refs.items():
        at = text.index(f"PO1*{line_id}*")
        pid_end = text.index("~", text.index("PID*", at)) + 1
        text = text[:pid_end] + segs + "~" + text[pid_end:]
        added += segs.count("~") + 1
    count, rest = ACME_PO[se + 3:].split("*", 1)
    return ACME_PO[:start] + text + f"SE*{int(count) + added}*" + rest


# a hub's customer order and line item ids on two lines (ACME-1000's 1 and 2 ship on SHP-1001 of the shipping
# fixtures; ACME-1001's 4 and 5 on the demo's day 1), none on the others
HUB_REFS = {"1": "REF*CO*CUST-77~REF*LI*0001", "2": "REF*ZZ*NOT ASKED~REF*LI*0002~REF*CO*CUST-77"}
DEMO_REFS = {"4": "REF*CO*CUST-77~REF*LI*0004", "5": "REF*ZZ*NOT ASKED~REF*LI*0005~REF*CO*CUST-77"}


def _invoice(settings, refs: dict[str, str] | None = None) -> list:
    """ACME-1000's 810 of SHP-1001 (build_810 of invoices_for_shipment), its PO given ``refs`` (HUB_REFS)."""
    from datetime import date

    from engine.invoice import build_810, invoices_for_shipment
    from tests.test_mark_for import shipped

    shipments, _confirmed, orders, lines = shipped(with_line_refs("ACME-1000", HUB_REFS if refs is None else refs))
    shipment = next(s for s in shipments if s.shipment_id == "SHP-1001")
    order_rows = {o["po_number"]: o for o in orders.to_pylist()}
    line_rows = {(ln["po_number"], ln["line_id"]): ln for ln in lines.to_pylist()}
    prices = {k: v["unit_price"] or Decimal(1) for k, v in line_rows.items()}
    invoices = invoices_for_shipment(shipment, order_rows, line_rows, prices,
                                     numbers={o.po_number: "INV-1" for o in shipment.orders},
                                     invoice_date=date(2026, 11, 28), settings=settings)
    (invoice,) = [inv for inv in invoices if inv.po_number == "ACME-1000"]
    return build_810(invoice, settings, shipped={ln.line_id: ln.quantity for ln in invoice.lines})


def _it1_loops(body: list) -> dict[str, list]:
    """Each IT1 loop's segments after its IT1, by IT101."""
    out: dict[str, list] = {}
    current = None
    for seg in body:
        if seg[0] == "IT1":
            current = out.setdefault(seg[1], [])
        elif seg[0] in ("TDS", "CTT"):
            current = None
        elif current is not None:
            current.append(seg)
    return out


def test_the_810_echoes_the_lines_refs_of_the_qualifiers_asked_after_their_pid_as_sent():
    from schemas.fulfilment import InvoiceSettings

    loops = _it1_loops(_invoice(InvoiceSettings(line_refs=("CO", "LI"))))
    assert loops["1"] == [["PID", "F", "", "", "", "Copy paper A4"], ["REF", "CO", "CUST-77"], ["REF", "LI", "0001"]]
    assert loops["2"][1:] == [["REF", "LI", "0002"], ["REF", "CO", "CUST-77"]]  # as sent; ZZ not asked for
    assert not any(seg[0] == "REF" for line, segs in loops.items() if line not in ("1", "2") for seg in segs)
    only_li = _it1_loops(_invoice(InvoiceSettings(line_refs=("LI",))))
    assert [seg for segs in only_li.values() for seg in segs if seg[0] == "REF"] == [["REF", "LI", "0001"],
                                                                                    ["REF", "LI", "0002"]]


def test_by_default_the_810_is_the_one_it_always_was():
    from schemas.fulfilment import InvoiceSettings

    plain = _invoice(InvoiceSettings(), refs={})
    assert _invoice(InvoiceSettings()) == plain  # the refs kept, none asked for: byte for byte the same
    assert _invoice(InvoiceSettings(line_refs=("CO", "LI")), refs={}) == plain  # asked for, none sent


@pytest.mark.parametrize("partner", ["acme", "globex"])  # 004010 and 005010
def test_our_validator_bots_and_pyx12_take_the_810_with_line_refs(partner, tmp_path, maps):  # noqa: F811
    from schemas.fulfilment import InvoiceSettings
    from tests.shipping_support import PROFILES, wrap_for
    from tests.test_mark_for import accepted

    body = _invoice(InvoiceSettings(line_refs=("CO", "LI"), item_pid=True, ctt_hash=True))
    assert sum(seg[0] == "REF" and seg[1] in ("CO", "LI") for seg in body) == 4
    accepted(wrap_for(PROFILES[partner], "IN", "810", [body]), tmp_path, maps)


def test_a_run_echoes_a_partners_line_refs_in_its_810(tmp_path, maps):  # noqa: F811
    """Through the night and the day's shipments (billing's canonical columns, the 810 built as segments for a
    partner asking for line refs): the outbox's 810 of ACME-1001 carries them, and passes every checker."""
    from datetime import datetime

    from tests.retailer_support import po_segments, segments
    from tests.support import deliver_all, drop_confirmations, run_stages, ship_stages, shipping_workspace
    from tests.test_mark_for import accepted

    ws = shipping_workspace(tmp_path / "ws", partners=("acme",))
    (ws.drop_root / "acme" / "inbox" / "acme-po-01.x12").write_text(with_line_refs("ACME-1001", DEMO_REFS))
    profile = ws.partners_dir / "acme.toml"
    profile.write_text(profile.read_text().replace("[fulfilment.invoice]\n",
                                                   '[fulfilment.invoice]\nline_refs = ["CO", "LI"]\n'))
    night, day = datetime(2026, 11, 27, 2), datetime(2026, 11, 27, 14, 30)
    run_stages(ws, night)
    drop_confirmations(ws, "warehouse-drops")
    ship_stages(ws, day, run_id="day1")
    deliver_all(ws, day)
    invoice = po_segments(segments(ws, "acme", "810"), "ACME-1001", "BIG")
    refs = [(invoice[k - 1][0], seg) for k, seg in enumerate(invoice) if seg[0] == "REF" and seg[1] in ("CO", "LI")]
    assert refs == [("PID", ["REF", "CO", "CUST-77"]), ("REF", ["REF", "LI", "0004"]),
                    ("PID", ["REF", "LI", "0005"]), ("REF", ["REF", "CO", "CUST-77"])]
    for path in sorted((ws.drop_root / "acme" / "outbox").glob("acme-810-*.x12")):
        accepted(path.read_bytes(), tmp_path, maps)
