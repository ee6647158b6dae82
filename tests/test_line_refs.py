"""A PO line's own references are kept and can be echoed. Drop-ship hubs (CommerceHub: REF*CO the consumer's order
and REF*LI the line item id in each PO1 loop), universities (a per-line requisition or accounting string) and
government buyers (DLA's line references) send REFs inside the PO1 loop and require them back on the 855 and 810.
They used to be dropped at intake, so no document could carry them. Now each PO1 loop's REFs before its N9 / N1 /
SLN / SCH are kept on the line (ORDER_LINES line_refs, in the order sent); a partner lists the qualifiers its 810
([fulfilment.invoice] line_refs) and 855 ([acks.po_ack] line_refs) echo, REF02 as sent. The default echoes
none: every document stays as it was."""

from __future__ import annotations

from datetime import date
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
        [{"qualifier": "CO", "id": "CUST-ORDER-77", "description": None},
         {"qualifier": "LI", "id": "0001", "description": None}],
        None,  # no REF of its own: the heading's REF*DP stays the order's
        # a REF without REF02 is not kept; N1's and N9's REFs are not the line's
        [{"qualifier": "LI", "id": "0003", "description": None}]]
    assert orders["department"].to_pylist() == ["777"]  # the heading's REF read as before
    assert lines["requested_ship_date"].to_pylist()[0].isoformat() == "2026-12-12"  # a DTM after the REFs still


def test_a_po_without_line_refs_reads_as_before():
    _, lines = _lines(GOOD_PO)
    assert lines["line_refs"].to_pylist() == [None, None]


def stored_without(tmp_path, body: list[str], column: str):
    """The ORDER_LINES of an 850 of ``body`` saved, then its Parquet file rewritten without ``column`` (as stored
    before the column existed), loaded back."""
    orders, lines = _lines(body)
    store = OrderStore(tmp_path)
    store.save("acme", "old", orders, lines)
    path = tmp_path / "acme" / "old.lines.parquet"
    pq.write_table(pq.read_table(path).drop_columns([column]), path)
    return store.load("acme", "old")[1]


def test_order_lines_stored_before_line_refs_were_kept_read_them_as_none(tmp_path):
    loaded = stored_without(tmp_path, HEAD + REF_LINES, "line_refs")
    assert loaded.schema == ORDER_LINES and loaded["line_refs"].to_pylist() == [None, None, None]
    assert "line_refs" in LINES_ADDED_LATER


# --- the 810 ----------------------------------------------------------------------------------------------------
def with_line_refs(po: str, refs: dict[str, str], *, before_pid: bool = False) -> str:
    """acme's demo 850s, ``po``'s PO1 loops given REFs (line id -> segments, "~"-joined) after their PID (or, with
    ``before_pid``, before it: where a PO1 loop's CTP goes, position 040)."""
    from tests.test_mark_for import ACME_PO

    start = ACME_PO.index(f"BEG*00*SA*{po}*")
    se = ACME_PO.index("SE*", start)
    text = ACME_PO[start:se]
    added = 0
    for line_id, segs in refs.items():
        at = text.index(f"PO1*{line_id}*")
        pid_end = text.index("PID*", at) if before_pid else text.index("~", text.index("PID*", at)) + 1
        text = text[:pid_end] + segs + "~" + text[pid_end:]
        added += segs.count("~") + 1
    count, rest = ACME_PO[se + 3:].split("*", 1)
    return ACME_PO[:start] + text + f"SE*{int(count) + added}*" + rest


# a hub's customer order and line item ids on two lines (ACME-1000's 1 and 2 ship on SHP-1001 of the shipping
# fixtures; ACME-1001's 4 and 5 on the demo's day 1), none on the others
HUB_REFS = {"1": "REF*CO*CUST-77~REF*LI*0001", "2": "REF*ZZ*NOT ASKED~REF*LI*0002~REF*CO*CUST-77"}
DEMO_REFS = {"4": "REF*CO*CUST-77~REF*LI*0004", "5": "REF*ZZ*NOT ASKED~REF*LI*0005~REF*CO*CUST-77"}


def a_shipped_day(tmp_path, po_text: str, table: str, setting: str):
    """acme's workspace with ``po_text`` as its 850s and ``setting`` (a TOML line) added to its profile's ``table``
    ("[fulfilment.invoice]" ...), through the night and the day's shipments, documents delivered: the workspace."""
    from datetime import datetime

    from tests.support import deliver_all, drop_confirmations, run_stages, ship_stages, shipping_workspace

    ws = shipping_workspace(tmp_path / "ws", partners=("acme",))
    (ws.drop_root / "acme" / "inbox" / "acme-po-01.x12").write_text(po_text)
    profile = ws.partners_dir / "acme.toml"
    profile.write_text(profile.read_text().replace(f"{table}\n", f"{table}\n{setting}\n"))
    night, day = datetime(2026, 11, 27, 2), datetime(2026, 11, 27, 14, 30)
    run_stages(ws, night)
    drop_confirmations(ws, "warehouse-drops")
    ship_stages(ws, day, run_id="day1")
    deliver_all(ws, day)
    return ws


def _invoice(settings, refs: dict[str, str] | None = None, *, before_pid: bool = False) -> list:
    """ACME-1000's 810 of SHP-1001 (build_810 of invoices_for_shipment), its PO given ``refs`` (HUB_REFS;
    with_line_refs' ``before_pid``)."""
    from datetime import date

    from engine.invoice import build_810, invoices_for_shipment
    from tests.test_mark_for import shipped

    shipments, _confirmed, orders, lines = shipped(with_line_refs("ACME-1000", HUB_REFS if refs is None else refs,
                                                                  before_pid=before_pid))
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

    from tests.retailer_support import po_segments, segments
    from tests.test_mark_for import accepted

    ws = a_shipped_day(tmp_path, with_line_refs("ACME-1001", DEMO_REFS), "[fulfilment.invoice]",
                       'line_refs = ["CO", "LI"]')
    invoice = po_segments(segments(ws, "acme", "810"), "ACME-1001", "BIG")
    refs = [(invoice[k - 1][0], seg) for k, seg in enumerate(invoice) if seg[0] == "REF" and seg[1] in ("CO", "LI")]
    assert refs == [("PID", ["REF", "CO", "CUST-77"]), ("REF", ["REF", "LI", "0004"]),
                    ("PID", ["REF", "LI", "0005"]), ("REF", ["REF", "CO", "CUST-77"])]
    for path in sorted((ws.drop_root / "acme" / "outbox").glob("acme-810-*.x12")):
        accepted(path.read_bytes(), tmp_path, maps)


# --- the 855 ----------------------------------------------------------------------------------------------------
LINES_855 = [{"line_number": 1, "line_id": "1", "quantity": Decimal(12), "unit": "EA", "unit_price": Decimal("2.5"),
              "price_basis": "PE", "product_ids": [{"qualifier": "VN", "id": "SKU-1"}],
              "line_refs": [{"qualifier": "ZZ", "id": "NOT ASKED"}, {"qualifier": "LI", "id": "0001"},
                            {"qualifier": "CO", "id": "CUST-77"}]},
             {"line_number": 2, "line_id": "2", "quantity": Decimal(6), "unit": "EA", "unit_price": Decimal(10),
              "price_basis": "PE", "product_ids": [{"qualifier": "VN", "id": "SKU-2"}], "line_refs": None}]
ORDER_855 = {"po_number": "PO-1", "po_date": None, "release_number": None}


def _855(settings, lines=LINES_855) -> list:
    from datetime import date

    from engine.po_ack import LineAck, build_855

    return build_855(ORDER_855, lines, [LineAck("IA") for _ in lines], today=date(2026, 11, 27), settings=settings)


def test_the_855_echoes_the_lines_refs_of_the_qualifiers_asked_after_their_po1_as_sent():
    from schemas.fulfilment import PoAckSettings

    body = _855(PoAckSettings(line_refs=("CO", "LI")))
    assert [seg[0] for seg in body] == ["BAK", "PO1", "REF", "REF", "ACK", "PO1", "ACK", "CTT"]
    assert body[2:4] == [["REF", "LI", "0001"], ["REF", "CO", "CUST-77"]]  # as sent; ZZ not asked for
    plain = _855(PoAckSettings())
    assert [seg[0] for seg in plain] == ["BAK", "PO1", "ACK", "PO1", "ACK", "CTT"]  # the default: none
    assert _855(PoAckSettings(line_refs=("CO",)), [{**ln, "line_refs": None} for ln in LINES_855]) == plain


def test_the_columnar_855s_write_the_same_line_refs_as_the_segment_form():
    """render_855s (a run's 855s over columns) and delimiter_use agree with build_855 through the plain writer, for
    REF02s holding a delimiter too (the set that fits is chosen from them)."""
    import pyarrow as pa

    from engine.po_ack import _ack_columns, delimiter_use, element_values, render_855s
    from parsers.x12_writer import delimiter_chars, first_fitting, first_free, render_segments
    from schemas.fulfilment import PoAckSettings
    from tests.test_855_columnar import CANDIDATES

    settings = PoAckSettings(line_refs=("CO", "LI"))
    for refs in ([], [{"qualifier": "CO", "id": "A*B"}], [{"qualifier": "LI", "id": "x~y"}, {"qualifier": "CO",
                                                                                             "id": "p^q|:"}],
                 [{"qualifier": "LI", "id": ""}, {"qualifier": "CO", "id": None}, {"qualifier": None, "id": "Z"}]):
        lines = [{**LINES_855[0], "line_refs": refs}, LINES_855[1], {**LINES_855[0], "line_number": 3,
                                                                     "line_id": "3", "line_refs": refs[::-1]}]
        rows = [{"partner": "acme", "order_ref": "1-1-1", "po_number": "PO-1", "source_file": "f", "isa13": "1",
                 "gs06": "1", "st02": "1", **ln} for ln in lines]
        table = pa.Table.from_pylist(rows, schema=ORDER_LINES)
        acks = pa.Table.from_pylist([{"parts": [{"status": "IA", "quantity": ln["quantity"], "date": None}],
                                      "ack_quantity": None, "ack_price": None} for ln in lines], schema=_ack_columns())
        head = {**ORDER_855, "purpose": "00"}
        body = _855(settings, lines)
        for candidates in CANDIDATES:
            (used,) = delimiter_use([head], table, acks, [(0, 3)], delimiter_chars(candidates), settings=settings)
            d = first_fitting(body, candidates)
            assert first_free(used, candidates) == d
            if d is None:
                continue
            values = element_values(table, acks, [(0, 3)], settings.product_qualifiers, settings.line_refs)
            for given in ({}, {"values": values}):
                got = render_855s([head], table, acks, [(0, 3)], today=date(2026, 11, 27), d=d, settings=settings,
                                  **given)
                assert got == [(render_segments(body, d), len(body), "AD")]


@pytest.mark.parametrize("partner", ["acme", "globex"])  # 004010 and 005010
def test_our_validator_bots_and_pyx12_take_the_855_with_line_refs(partner, tmp_path, maps):  # noqa: F811
    from schemas.fulfilment import PoAckSettings
    from tests.shipping_support import PROFILES, wrap_for

    body = _855(PoAckSettings(line_refs=("CO", "LI"), vendor_number="V1", order_refs=("DP",)))
    accepted_855(wrap_for(PROFILES[partner], "PR", "855", [body]), tmp_path, maps)


def accepted_855(content: bytes, tmp_path, maps) -> None:  # noqa: F811
    """Our reader and outbound check (tests.test_855_guide.read_back), pyx12 with our maps and Bots take an 855."""
    from tests.shipping_support import bots_check
    from tests.test_855_guide import read_back
    from tests.test_pyx12_outbound import pyx12_accepts

    result = read_back(content)
    assert {ts.set_id for _i, _g, ts in result.transaction_sets()} == {"855"}
    ok, ack = pyx12_accepts(content.decode(), maps)
    assert ok, ack
    ok, errors = bots_check(content, tmp_path)
    assert ok, errors


def test_a_run_echoes_a_partners_line_refs_in_its_855(tmp_path, maps):  # noqa: F811
    from datetime import datetime

    from tests.retailer_support import po_segments, segments
    from tests.support import run_stages, shipping_workspace

    ws = shipping_workspace(tmp_path / "ws", partners=("acme",))
    (ws.drop_root / "acme" / "inbox" / "acme-po-01.x12").write_text(with_line_refs("ACME-1000", HUB_REFS))
    profile = ws.partners_dir / "acme.toml"
    profile.write_text(profile.read_text() + '\n[acks.po_ack]\nline_refs = ["CO", "LI"]\n')
    run_stages(ws, datetime(2026, 11, 27, 2))
    ack = po_segments(segments(ws, "acme", "855"), "ACME-1000", "BAK")
    assert [seg[0] for seg in ack[:9]] == ["BAK", "PO1", "REF", "REF", "ACK", "PO1", "REF", "REF", "ACK"]
    assert [seg for seg in ack if seg[0] == "REF"] == [["REF", "CO", "CUST-77"], ["REF", "LI", "0001"],
                                                       ["REF", "LI", "0002"], ["REF", "CO", "CUST-77"]]
    other = po_segments(segments(ws, "acme", "855"), "ACME-1001", "BAK")
    assert not any(seg[0] == "REF" for seg in other)  # a PO without line refs: its 855 as ever
    for path in sorted((ws.drop_root / "acme" / "outbox").glob("acme-855-*.x12")):
        accepted_855(path.read_bytes(), tmp_path, maps)


# --- the 856 ----------------------------------------------------------------------------------------------------
CSV_HEAD = ("Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,"
            "Quantity,Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID\n")


def _twin_pos(refs_a: dict[str, str], refs_b: dict[str, str]) -> str:
    """acme's ACME-1000 twice in one interchange: as ACME-1000 with ``refs_a`` and as ACME-1009 with ``refs_b`` (the
    same lines, items and prices: only their own REFs differ)."""
    one = with_line_refs("ACME-1000", refs_a)
    end = one.index("ST*850*0002~")
    twin = with_line_refs("ACME-1000", refs_b)
    twin_set = twin[twin.index("ST*850*0001~"):twin.index("ST*850*0002~")]
    twin_set = twin_set.replace("ACME-1000", "ACME-1009").replace("*0001~", "*0009~")
    text = one[:end] + twin_set + one[end:]
    count = text[text.index("GE*") + 3:].split("*", 1)[0]
    return text.replace(f"GE*{count}*", f"GE*{int(count) + 1}*", 1)


def _shipments(text: str, rows: list[str]):
    """The 850s of ``text`` shipped by a confirmation of ``rows`` (CSV rows without the header)."""
    from engine.shipments import assemble_shipments, number_ssccs, sscc_needs
    from parsers.shipments_csv import read_shipment_csv
    from rules.shipments import check_shipments
    from schemas.fulfilment import ShipmentCsvMapping
    from schemas.shipments import RECORDED_CARTONS
    from tests.test_fulfilment_chain import REF, SHIP_FROM, line_state
    from tests.test_mark_for import orders_of

    orders, lines = orders_of(text)
    csv_lines, found = read_shipment_csv((CSV_HEAD + "".join(r + "\n" for r in rows)).encode(), ShipmentCsvMapping(),
                                         file="w.csv")
    assert found == []
    check = check_shipments(csv_lines, line_state(lines), REF.items, RECORDED_CARTONS.empty_table())
    needs = sscc_needs(check.lines)
    ssccs = number_ssccs(needs.cartons + needs.pallets, "0614141", 0, 500)
    return assemble_shipments(check.lines, orders, lines, ship_from=SHIP_FROM, ssccs=ssccs, items=REF.items), check


SHIP = "SHP-1001,2026-11-28,13:45,UPSN,G2,1Z999AA10123456784,BOL-5501"
TWO_POS = [f"{SHIP},ACME-1000,1,SKU-1001,6,EA,C-0001,12.5,LB,", f"{SHIP},ACME-1000,2,SKU-1003,12,EA,C-0001,12.5,LB,",
           f"{SHIP},ACME-1009,1,SKU-1001,6,EA,C-0002,12.5,LB,", f"{SHIP},ACME-1009,2,SKU-1003,12,EA,C-0002,12.5,LB,"]


def _856(settings, text: str) -> list:
    from engine.asn import build_856
    from engine.shipments import confirmed_quantities
    from tests.test_fulfilment_chain import NOW

    (shipment,), check = _shipments(text, TWO_POS)
    return build_856(shipment, settings, created=NOW, expected=confirmed_quantities(check.lines, "SHP-1001"))


def _item_refs(body: list) -> list[tuple[str, str, list]]:
    """(PRF01, LIN01, the item loop's REFs) of each item, in order."""
    out, po = [], ""
    for seg in body:
        if seg[0] == "PRF":
            po = seg[1]
        elif seg[0] == "LIN":
            out.append((po, seg[1], []))
        elif seg[0] == "HL":
            continue
        elif seg[0] == "REF" and out and seg[1] not in ("BM", "CN", "IA", "DP"):
            out[-1][2].append(seg[1:])
    return out


@pytest.mark.parametrize("structure", ["SOPI", "SOI"])
def test_the_856_echoes_each_items_line_refs_without_merging_two_pos_same_line(structure):
    from schemas.fulfilment import AsnSettings

    text = _twin_pos(HUB_REFS, {"1": "REF*LI*9001", "2": "REF*CO*CUST-99"})
    got = _item_refs(_856(AsnSettings(structure=structure, line_refs=("CO", "LI")), text))
    assert got == [("ACME-1000", "1", [["CO", "CUST-77"], ["LI", "0001"]]),
                   ("ACME-1000", "2", [["LI", "0002"], ["CO", "CUST-77"]]),  # ZZ not asked for
                   ("ACME-1009", "1", [["LI", "9001"]]),  # the same line id and item, its own refs
                   ("ACME-1009", "2", [["CO", "CUST-99"]])]
    body = _856(AsnSettings(structure=structure, line_refs=("CO", "LI")), text)
    at = next(k for k, seg in enumerate(body) if seg[:3] == ["REF", "LI", "9001"])
    assert body[at - 1][0] == "PID"  # REF (150) after the item's PID (070)


def test_by_default_the_856_is_the_one_it_always_was():
    from schemas.fulfilment import AsnSettings

    plain = _856(AsnSettings(), _twin_pos({}, {}))
    assert _856(AsnSettings(), _twin_pos(HUB_REFS, HUB_REFS)) == plain
    assert _856(AsnSettings(line_refs=("CO", "LI")), _twin_pos({}, {})) == plain


@pytest.mark.parametrize("partner", ["acme", "globex"])  # 004010 and 005010
def test_our_validator_bots_and_pyx12_take_the_856_with_line_refs(partner, tmp_path, maps):  # noqa: F811
    from schemas.fulfilment import AsnSettings
    from tests.shipping_support import PROFILES, wrap_for
    from tests.test_mark_for import accepted

    body = _856(AsnSettings(line_refs=("CO", "LI"), item_net_weight=True), _twin_pos(HUB_REFS, HUB_REFS))
    assert sum(seg[0] == "REF" and seg[1] in ("CO", "LI") for seg in body) == 8
    accepted(wrap_for(PROFILES[partner], "SH", "856", [body]), tmp_path, maps)


def test_a_run_echoes_a_partners_line_refs_in_its_856(tmp_path, maps):  # noqa: F811
    """Through the night and the day's shipments: the 856 of a partner asking for line refs is built as segments
    (the columnar writer writes none), its items carrying them."""

    from tests.retailer_support import segments
    from tests.test_mark_for import accepted

    ws = a_shipped_day(tmp_path, with_line_refs("ACME-1001", DEMO_REFS), "[fulfilment.asn]", 'line_refs = ["LI"]')
    got = [(po, line, refs) for po, line, refs in _item_refs(segments(ws, "acme", "856")) if refs]
    assert got == [("ACME-1001", "4", [["LI", "0004"]]), ("ACME-1001", "5", [["LI", "0005"]]),
                   ("ACME-1001", "5", [["LI", "0005"]])]  # line 5 in two cartons: each item loop names it
    for path in sorted((ws.drop_root / "acme" / "outbox").glob("acme-856-*.x12")):
        accepted(path.read_bytes(), tmp_path, maps)


# --- status and the console -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hub_order(tmp_path_factory):
    """acme's night with ACME-1000's lines 1 and 2 carrying a hub's REF*CO (the consumer's order) and REF*LI."""
    from datetime import datetime

    from tests.support import run_stages, shipping_workspace

    ws = shipping_workspace(tmp_path_factory.mktemp("hub") / "ws", partners=("acme",))
    (ws.drop_root / "acme" / "inbox" / "acme-po-01.x12").write_text(with_line_refs("ACME-1000", HUB_REFS))
    run_stages(ws, datetime(2026, 11, 27, 2))
    return ws


def test_status_shows_each_line_s_own_refs_as_sent(hub_order):
    """Sales and ops look a drop-ship order up by the consumer's order number (the line's REF*CO): `status --asked`
    (text and JSON) and the console's order page show each line's REFs, every one as sent, in the order sent."""
    from tests.test_status_kept import page, status, status_text

    doc = status(hub_order, "ACME-1000", "--asked")
    refs = {ln["line_id"]: ln["refs"] for ln in doc["lines"]}
    assert refs["1"] == [{"qualifier": "CO", "id": "CUST-77"}, {"qualifier": "LI", "id": "0001"}]
    assert refs["2"] == [{"qualifier": "ZZ", "id": "NOT ASKED"}, {"qualifier": "LI", "id": "0002"},
                         {"qualifier": "CO", "id": "CUST-77"}]
    assert all(r == [] for line_id, r in refs.items() if line_id not in ("1", "2"))
    text = status_text(hub_order, "ACME-1000", "--asked")
    assert "line 1 refs: REF*CO CUST-77; REF*LI 0001" in text
    assert "line 2 refs: REF*ZZ NOT ASKED; REF*LI 0002; REF*CO CUST-77" in text
    assert text.count(" refs: REF*") == 2  # the other lines: none
    html = page(hub_order, "ACME-1000")
    assert "refs: REF*CO CUST-77; REF*LI 0001" in html and "refs: REF*ZZ NOT ASKED; REF*LI 0002; REF*CO CUST-77" in html
    # not read without --asked (status reads no stored table then): null, not an empty guess
    assert {ln["refs"] for ln in status(hub_order, "ACME-1000")["lines"]} == {None}
    assert " refs: REF*" not in status_text(hub_order, "ACME-1000")
