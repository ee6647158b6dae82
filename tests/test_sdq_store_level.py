"""Pre-distributed ("store-ready") orders: a PO1 line's SDQ store quantities are kept with the order (every
location/quantity pair with its SDQ01 unit and SDQ02 id qualifier, in the order sent; null without SDQ, and for
orders stored before the column existed)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from parsers.orders_850 import read_orders
from parsers.shipments_csv import to_table
from parsers.x12_reader import read_interchanges
from schemas.orders import LINES_ADDED_LATER
from tests.support import GOOD_PO, REPO, x12_850

HEAD = GOOD_PO[:6]
# two SDQs for one line (ten pairs at most per SDQ), a line without, one by GLN with a rounded and a missing quantity
LINE_1 = ["PO1*1*36*EA*2.50*PE*UP*073000040482", "PO4*6*1*EA",
          "SDQ*EA*92*0101*6*0102*6*0103*6*0104*6", "SDQ*EA*92*0105*12"]
LINE_2 = ["PO1*2*12*EA*10*PE*VN*SKU-2"]
LINE_3 = ["PO1*3*12*EA*10*PE*VN*SKU-3", "SDQ*EA*UL*0614141000012*0.123456*0107*"]


def lines_of(body: list[str]):
    result = read_interchanges(x12_850(body))
    return read_orders(result, list(result.transaction_sets()), partner="acme")[1]


def test_store_quantities_are_kept_per_line_with_unit_and_qualifier():
    got = lines_of(HEAD + LINE_1 + LINE_2 + LINE_3 + ["CTT*3*60"])["store_quantities"].to_pylist()
    assert [(s["unit"], s["id_qualifier"], s["store"], s["quantity"]) for s in got[0]] == [
        ("EA", "92", "0101", Decimal(6)), ("EA", "92", "0102", Decimal(6)), ("EA", "92", "0103", Decimal(6)),
        ("EA", "92", "0104", Decimal(6)), ("EA", "92", "0105", Decimal(12))]
    assert got[1] is None
    assert [(s["id_qualifier"], s["store"], s["quantity"], s["quantity_sent"]) for s in got[2]] == [
        ("UL", "0614141000012", Decimal("0.1235"), "0.123456"), ("UL", "0107", None, None)]


def test_an_order_without_sdq_has_none_and_stored_orders_read_none():
    assert lines_of(GOOD_PO)["store_quantities"].null_count == lines_of(GOOD_PO).num_rows
    assert "store_quantities" in LINES_ADDED_LATER  # connectors.order_store reads it as null from older tables


def store_level_profile(profile):
    """``profile`` with fulfilment.asn.store_level on (a partner sending pre-distributed orders)."""
    asn = profile.fulfilment.asn.model_copy(update={"store_level": True})
    fulfilment = profile.fulfilment.model_copy(update={"asn": asn})
    return profile.model_copy(update={"fulfilment": fulfilment})


def test_a_store_level_partner_is_not_told_its_store_quantities_are_not_applied():
    from engine.process import Known, process_file
    from tests.support import TODAY
    from tests.test_acks_and_outputs import PROFILES

    body = x12_850(HEAD + LINE_1 + ["PO1*2*12*EA*10*PE*VN*SKU-2", "SDQ*EA*92*0101*6*0107*6"] + ["CTT*2*48"])
    short = x12_850(HEAD + ["PO1*1*36*EA*2.50*PE*UP*073000040482", "SDQ*EA*92*0101*6"] + ["CTT*1*36"])
    off = PROFILES["acme"]
    assert off.fulfilment.asn.store_level is False  # the default: today's behaviour
    on = store_level_profile(off)
    seen = {name: [f.code for f in process_file(data, file="t.x12", sha256="sha", profile=p, known=Known(),
                                                today=TODAY).findings]
            for name, data, p in (("off", body, off), ("on", body, on), ("short", short, on))}
    assert seen == {"off": ["SDQ_NOT_APPLIED"], "on": [], "short": ["SDQ_QUANTITY_MISMATCH"]}


# --- the warehouse names each carton's store: checked against the line's SDQ -------------------------------

def confirmation(*cartons: tuple[str, str | None, str, int], partner: str = "acme") -> pa.Table:
    """Confirmation rows (carton, store, line id, units) of shipment S1 for PO PO-1, as a CSV reader gives them."""

    return to_table({"source_kind": "csv", "shipment_id": "S1", "po_number": "PO-1", "partner": partner,
                     "line_id": line, "quantity": Decimal(units), "unit": "EA", "carton_id": carton,
                     "mark_for_store": store, "source_file": "w.csv", "isa13": "CSV", "gs06": "", "st02": "",
                     "row_number": k + 2} for k, (carton, store, line, units) in enumerate(cartons))


def sdq_lines() -> pa.Table:
    """PO PO-1's lines: 1 split 6/6 over stores 0101 and 0102 (SDQ02 92), 2 without SDQ."""
    return lines_of(HEAD + [
        "PO1*1*12*EA*2.50*PE*UP*073000040482", "SDQ*EA*92*0101*6*0102*6", "PO1*2*5*EA*1*PE*VN*X", "CTT*2*17"])


def checked(rows, partners=("acme",)):
    from rules.shipments import store_checks
    lines, found = store_checks(rows, sdq_lines(), set(partners))
    return lines, [(i, f.code, f.location.row, f.location.column, f.location.value) for i, f in found]


def test_cartons_for_the_line_s_stores_pass_and_are_written_as_the_po_wrote_them():
    lines, found = checked(confirmation(("C1", "0101", "1", 6), ("C2", "102", "1", 6), ("C3", None, "2", 5)))
    assert found == []
    assert lines["mark_for_store"].to_pylist() == ["0101", "0102", None]  # "102": the line's one store 0102
    assert lines["mark_for_id_qualifier"].to_pylist() == ["92", "92", None]


def test_a_carton_for_a_store_the_sdq_does_not_name_is_an_error():
    _, found = checked(confirmation(("C1", "0101", "1", 6), ("C2", "0999", "1", 6)))
    assert found == [(1, "SHIPMENT_STORE_NOT_ORDERED", 3, "mark_for_store", "0999")]


def test_more_units_to_a_store_than_its_sdq_quantity_is_an_error_once():
    _, found = checked(confirmation(("C1", "0101", "1", 6), ("C2", "0101", "1", 6), ("C3", "0101", "1", 1)))
    assert found == [(1, "SHIPMENT_STORE_OVER", 3, "quantity", "6")]


def test_a_carton_without_a_store_on_a_split_line_is_an_error_once_per_carton():
    _, found = checked(confirmation(("C1", None, "1", 3), ("C1", "", "1", 3), ("C2", "0102", "1", 6)))
    assert found == [(0, "SHIPMENT_STORE_MISSING", 2, "mark_for_store", None)]


def test_partners_not_store_level_are_not_checked():
    rows = confirmation(("C1", None, "1", 6), ("C2", "0999", "1", 60))
    lines, found = checked(rows, partners=())
    assert found == [] and lines.equals(rows)
    assert checked(rows, partners=("globex",)) == (rows, [])


# --- through the night: 850 with SDQ, 855, a confirmation with cartons per store, the 856 ---------------------

ACME_PO = (REPO / "sample_files" / "drops" / "acme" / "acme-po-01.x12").read_text()
# ACME-1001's paper (line 4, 10) and pens (line 5, 48) split over stores 0101 and 0102
SDQS = {"PID*F****Paper: 10 is not a case of 6~": "SDQ*EA*92*0101*4*0102*6~",
        "PID*F****Pens black: price above list~": "SDQ*EA*92*0101*24*0102*24~"}
HEADER = ("Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,"
          "Quantity,Unit,Carton ID,Carton Weight,Weight Unit,Mark For Store\n")
SHIP = "SHP-1001,2026-11-27,14:05,UPSN,G2,1Z999AA10123456784,BOL-6001,ACME-1001"
# a carton per store: 0101's written as the warehouse's spreadsheet wrote it (no leading zero)
CARTONS = [f"{SHIP},4,SKU-1002,4,EA,C-1001,8,LB,101", f"{SHIP},5,SKU-1004,24,EA,C-1001,8,LB,101",
           f"{SHIP},4,SKU-1002,6,EA,C-1002,9,LB,0102", f"{SHIP},5,SKU-1004,24,EA,C-1002,9,LB,0102"]


def pre_distributed_po() -> str:
    """acme's demo 850s with SDQs on ACME-1001's lines 4 and 5 (its SE01 counting them)."""
    start = ACME_PO.index("BEG*00*SA*ACME-1001*")
    se = ACME_PO.index("SE*", start)
    body = ACME_PO[start:se]
    for after, sdq in SDQS.items():
        assert after in body
        body = body.replace(after, after + sdq)
    count, rest = ACME_PO[se + 3:].split("*", 1)
    return ACME_PO[:start] + body + f"SE*{int(count) + len(SDQS)}*" + rest


def store_level_workspace(tmp_path, cartons: list[str], *, store_level: bool = True, header: str = HEADER,
                          asn: str = ""):
    from datetime import datetime

    from tests.support import run_stages, shipping_workspace

    ws = shipping_workspace(tmp_path / "ws", partners=("acme",))
    profile = ws.partners_dir / "acme.toml"
    if store_level:
        profile.write_text(profile.read_text().replace("[fulfilment.asn]\n",
                                                       f"[fulfilment.asn]\nstore_level = true\n{asn}"))
    (ws.drop_root / "acme" / "inbox" / "acme-po-01.x12").write_text(pre_distributed_po())
    run_stages(ws, datetime(2026, 11, 27, 2))
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "east-shipments-20261127.csv").write_text(header + "\n".join(cartons) + "\n")
    return ws


SHIP_DAY = datetime(2026, 11, 27, 14, 30)  # the day's first confirmation, shipped and invoiced (run "day1")
LATER = datetime(2026, 11, 27, 16, 30)  # a later one the same day (run "day2")


def shipped(ws, day: datetime = SHIP_DAY, run_id: str = "day1") -> None:
    """The warehouses' confirmations shipped and invoiced at ``day`` (tests.support.ship_stages), the documents
    delivered to the partners' outboxes."""
    from tests.support import deliver_all, ship_stages

    ship_stages(ws, day, run_id=run_id)
    deliver_all(ws, day)


def outbox(ws, kind: str) -> str:
    return "".join(p.read_text() for p in sorted((ws.drop_root / "acme" / "outbox").glob(f"acme-{kind}-*.x12")))


def test_a_pre_distributed_order_ships_each_carton_under_its_store(tmp_path, maps):
    """850 with SDQ for two stores (no SDQ_NOT_APPLIED: acme is store-level), its 855, the warehouse's CSV naming
    each carton's store, and the 856: an order loop per store (PRF ACME-1001, N1*BY*92*store) with that store's
    carton under it; our reader, validator, Bots and pyx12 take it."""

    from connectors.state import StateStore

    ws = store_level_workspace(tmp_path, CARTONS)
    state = StateStore(ws.state_path)
    try:
        codes = {f["code"] for f in state.findings()}
    finally:
        state.close()
    assert "SDQ_NOT_APPLIED" not in codes and "SDQ_QUANTITY_MISMATCH" not in codes
    shipped(ws)
    assert "ACME-1001" in outbox(ws, "855")
    asn = outbox(ws, "856")
    segs = [s.split("*") for s in asn.replace("\n", "").split("~") if s]
    body = segs[segs.index(next(s for s in segs if s[0] == "BSN" and s[2] == "SHP-1001")):]
    body = body[:next(k for k, s in enumerate(body) if s[0] == "SE")]
    hls = [s for s in body if s[0] == "HL"]
    # S, then per store: O (PRF, N1 BY) > P (its carton) > I, I
    assert [h[3] for h in hls] == ["S", "O", "P", "I", "I", "O", "P", "I", "I"]
    assert [h[2] for h in hls] == ["", "1", "2", "3", "3", "1", "6", "7", "7"]
    assert [s for s in body if s[0] == "N1"][2:] == [["N1", "BY", "", "92", "0101"], ["N1", "BY", "", "92", "0102"]]
    assert [s[1] for s in body if s[0] == "PRF"] == ["ACME-1001", "ACME-1001"]
    assert [s[2] for s in body if s[0] == "SN1"] == ["4", "24", "6", "24"]
    # SN105, quantity ordered: the store's SDQ quantity of the line under its order loop (not the line's 10 and 48)
    assert [s[5] for s in body if s[0] == "SN1"] == ["4", "24", "6", "24"]
    assert ["CTT", "9", "58"] in body
    for path in sorted((ws.drop_root / "acme" / "outbox").glob("acme-856-*.x12")):
        accepted(path.read_bytes(), tmp_path, maps)
    # the 810: the PO billed once, its lines' units summed over the stores (no store detail in the 810)
    invoice = outbox(ws, "810")
    assert invoice.count("*ACME-1001*") == 1
    assert "IT1*4*10*EA*" in invoice and "IT1*5*48*EA*" in invoice and "N1*BY" not in invoice


@pytest.fixture(scope="module")
def maps(tmp_path_factory):
    pytest.importorskip("pyx12.x12n_document")
    from tests.shipping_support import pyx12_map_folders
    return pyx12_map_folders(tmp_path_factory)


def accepted(content: bytes, tmp_path, maps) -> None:
    from tests.test_mark_for import accepted as all_accept
    all_accept(content, tmp_path, maps)


def test_a_carton_for_a_store_not_ordered_holds_the_shipment_with_a_report_row(tmp_path):

    from connectors.state import StateStore

    wrong = [*CARTONS[:2], CARTONS[2].replace(",0102", ",0107"), CARTONS[3]]
    ws = store_level_workspace(tmp_path, wrong)
    shipped(ws)
    state = StateStore(ws.state_path)
    try:
        found = [f for f in state.findings(run_id="day1") if f["code"].startswith("SHIPMENT_STORE")]
    finally:
        state.close()
    assert [(f["code"], f["severity"], f["value"], f["po_number"]) for f in found] == [
        ("SHIPMENT_STORE_NOT_ORDERED", "error", "0107", "ACME-1001")]
    assert "held" in found[0]["consequence"] and "C-1002" in found[0]["message"]
    assert "SHP-1001" not in outbox(ws, "856")  # no 856 for the held shipment


def test_a_945_names_its_store_by_its_heading_n1_z7_else_by():
    """A 3PL's 945 per store of a pre-distributed order (its 940 was one per store): the heading's mark-for
    party N1*Z7 (where 3PL guides put it), else its N1*BY with a location code, is every W12's store."""
    from parsers.warehouse_945 import read_945
    from tests.test_945_shapes import CARTON1, carton, w945
    from tests.test_945_shapes import HEAD as HEAD_945

    def stores(*parties: str):
        result = read_interchanges(w945([HEAD_945[0], HEAD_945[1], *parties, *HEAD_945[2:], *carton(CARTON1, 6)]))
        lines, _found = read_945(result, list(result.transaction_sets()))
        return list(zip(lines["mark_for_store"].to_pylist(), lines["mark_for_id_qualifier"].to_pylist(), strict=True))

    assert stores() == [(None, None)]
    assert stores("N1*BY*STORE 101*92*0101") == [("0101", "92")]
    assert stores("N1*BY*BUYING OFFICE*92*B1", "N1*Z7*STORE 102*92*0102") == [("0102", "92")]
    assert stores("N1*Z7*STORE 102*UL*0614141000012", "N1*BY*BUYING OFFICE*92*B1") == [("0614141000012", "UL")]
    assert stores("N1*BY*JOHN BUYER") == [(None, None)]  # a buyer's bare name is no store


def test_mark_for_pack_puts_each_store_in_its_carton_loop(tmp_path, maps):
    """AsnSettings.mark_for = "pack" with store orders: each carton's loop names its store after MAN*GM (the
    order loops, one per store, name none); the partners' validators take it."""
    from datetime import datetime

    from engine.asn import build_856
    from engine.shipments import assemble_shipments, confirmed_quantities
    from schemas.fulfilment import AsnSettings
    from schemas.shipments import Party
    from tests.test_acks_and_outputs import PROFILES
    from tests.test_fulfilment_chain import SHIP_FROM

    result = read_interchanges(x12_850(HEAD + ["PO1*1*12*EA*2.50*PE*UP*073000040482", "SDQ*EA*92*0101*6*0102*6",
                                               "PO1*2*5*EA*1*PE*VN*X", "CTT*2*17"]))
    orders, lines = read_orders(result, list(result.transaction_sets()), partner="acme")
    rows, _ = checked(confirmation(("00006141410000000012", "0101", "1", 6), ("00006141410000000029", "102", "1", 6)))
    rows = rows.set_column(rows.schema.get_field_index("ship_date"), "ship_date",
                           pa.array([datetime(2026, 11, 27).date()] * 2, pa.date32()))
    rows = rows.append_column("item_sku", pa.array(["SKU-1", "SKU-1"]))  # as check_shipments resolves it
    (shipment,) = assemble_shipments(rows, orders, lines, ship_from=SHIP_FROM)
    assert [o.mark_for for o in shipment.orders] == [Party("BY", "", "92", "0101"), Party("BY", "", "92", "0102")]
    # each store's item: the store's SDQ quantity ordered (SN105), not the line's 12
    assert [str(i.ordered_quantity) for o in shipment.orders for p in o.packs for i in p.items] == ["6.0000", "6.0000"]
    body = build_856(shipment, AsnSettings(mark_for="pack"), created=datetime(2026, 11, 27, 14),
                     expected=confirmed_quantities(rows, "S1"))
    marks = [(body[k - 1][0], seg) for k, seg in enumerate(body) if seg[:2] == ["N1", "BY"]]
    assert marks == [("MAN", ["N1", "BY", "", "92", "0101"]), ("MAN", ["N1", "BY", "", "92", "0102"])]
    from tests.shipping_support import wrap_for
    accepted(wrap_for(PROFILES["acme"], "SH", "856", [body]), tmp_path, maps)


def test_a_partner_not_store_level_gets_the_856_it_got_before_whatever_stores_the_csv_names(tmp_path):
    """Default profile: the stores a confirmation names change nothing (the 856 is byte for byte the one of the
    same confirmation without the column: one order loop, no N1 BY); the SDQ warning is given as before."""

    from connectors.state import StateStore

    texts = []
    for k, (header, cartons) in enumerate(((HEADER, CARTONS), (HEADER.replace(",Mark For Store", ""),
                                                               [c.rsplit(",", 1)[0] for c in CARTONS]))):
        ws = store_level_workspace(tmp_path / str(k), cartons, store_level=False, header=header)
        shipped(ws)
        state = StateStore(ws.state_path)
        try:
            assert "SDQ_NOT_APPLIED" in {f["code"] for f in state.findings()}
        finally:
            state.close()
        texts.append(outbox(ws, "856"))
    assert "SHP-1001" in texts[0] and texts[0] == texts[1]
    assert "N1*BY" not in texts[0] and texts[0].count("PRF*ACME-1001*") == 1


def test_a_store_level_profile_must_let_the_856_name_the_store():
    from pydantic import ValidationError

    from schemas.fulfilment import AsnSettings

    assert AsnSettings(store_level=True).mark_for == "order"
    assert AsnSettings(store_level=True, mark_for="pack").store_level
    with pytest.raises(ValidationError, match="store_level"):
        AsnSettings(store_level=True, mark_for="none")


def test_a_945_marks_each_carton_for_its_store_in_the_w12_loop():
    """A 3PL shipping several stores' cartons in one 945 (the standard's N1 in the W12 loop: 4010's N1 after the W12,
    5010's N1 loop there) names each carton's store there: N1*Z7 wins over N1*BY, a carton's W12 without an N1 takes
    the one of its LX, and a W12 loop without one keeps the heading's store."""
    from parsers.warehouse_945 import read_945
    from tests.test_945_shapes import CARTON1, CARTON2, w945
    from tests.test_945_shapes import HEAD as HEAD_945

    def w12(qty: int, line: str, *parties: str) -> list[str]:
        return [f"W12*CC*{qty}*{qty}**EA*614141100521*VN*VP-1007**9*G*L", *parties, f"N9*LI*{line}"]

    pallet3 = "00007339400000050032"
    body = [*HEAD_945[:2], "N1*Z7*STORE 9*92*0109", *HEAD_945[2:],
            "LX*1", f"MAN*GM*{CARTON1}", *w12(6, "1", "N1*BY*STORE 101*92*0101"), *w12(2, "2"),
            "LX*2", f"MAN*GM*{CARTON2}", *w12(6, "1", "N1*BY*BUYER*92*B7", "N1*Z7*STORE 102*92*0102"),
            "LX*3", f"MAN*GM*{pallet3}", *w12(4, "1")]
    for version in ("004010", "005010"):
        result = read_interchanges(w945(body, version=version))
        lines, found = read_945(result, list(result.transaction_sets()))
        assert [f.code for f in found] == []
        assert list(zip(lines["line_id"].to_pylist(), lines["mark_for_store"].to_pylist(),
                        lines["mark_for_id_qualifier"].to_pylist(), strict=True)) == [
            ("1", "0101", "92"), ("2", "0101", "92"), ("1", "0102", "92"), ("1", "0109", "92")]


def test_a_later_confirmation_cannot_give_a_store_more_than_its_sdq_quantity(tmp_path):
    """Store 0101 gets its 4 units of line 4 in the day's first file; a second file giving it 2 more (the line's 10 not
    yet all shipped: no SHIPMENT_OVER_RESERVED) holds that shipment, the stores kept with the shipped lines
    (shipment_lines.mark_for_store); the same file's carton for 0102 (4 of its SDQ 6) ships. (The line is 10 as its
    stores ordered it: it used to be rounded up to 12, whose 2 spare units let 4 + 2 + 6 pass.)"""

    from connectors.state import StateStore

    ws = store_level_workspace(tmp_path, [CARTONS[0]])
    shipped(ws)
    assert "SHP-1001" in outbox(ws, "856")
    later = [f"{s},4,SKU-1002,{n},EA,{carton},8,LB,{store}" for s, n, carton, store in (
        ("SHP-1002,2026-11-27,16:05,UPSN,G2,1Z999AA10123456791,BOL-6002,ACME-1001", 2, "C-1003", "101"),
        ("SHP-1003,2026-11-27,16:05,UPSN,G2,1Z999AA10123456808,BOL-6003,ACME-1001", 4, "C-1004", "0102"))]
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    (inbox / "east-shipments-20261127-2.csv").write_text(HEADER + "\n".join(later) + "\n")
    shipped(ws, LATER, "day2")
    state = StateStore(ws.state_path)
    try:
        found = [f for f in state.findings(run_id="day2") if f["code"].startswith("SHIPMENT_STORE")]
        kept = state._q("SELECT shipment_id, line_id, mark_for_store, quantity FROM shipment_lines"
                        " ORDER BY shipment_id, position")
    finally:
        state.close()
    assert [(f["code"], f["value"]) for f in found] == [("SHIPMENT_STORE_OVER", "2")]
    assert "after 4 shipped to it before" in found[0]["message"] and "0101" in found[0]["message"]
    assert [tuple(r) for r in kept] == [("SHP-1001", "4", "0101", "4"), ("SHP-1003", "4", "0102", "4")]
    asns = outbox(ws, "856")
    assert "SHP-1002" not in asns and "SHP-1003" in asns


def test_store_party_z7_names_each_store_as_the_mark_for_party(tmp_path, maps):
    """[fulfilment.asn] store_party = "Z7": each store's order loop names it N1*Z7 (the mark-for party, as some
    cross-dock 856s write it) instead of N1*BY; the rest of the 856 is the same; the validators take it."""


    texts = []
    for k, asn in enumerate(("", 'store_party = "Z7"\n')):
        ws = store_level_workspace(tmp_path / str(k), CARTONS, asn=asn)
        shipped(ws)
        texts.append(outbox(ws, "856"))
        for path in sorted((ws.drop_root / "acme" / "outbox").glob("acme-856-*.x12")):
            accepted(path.read_bytes(), tmp_path, maps)
    by, z7 = texts
    assert "N1*BY**92*0101~" in by and "N1*BY**92*0102~" in by and "N1*Z7" not in by
    assert "N1*Z7**92*0101~" in z7 and "N1*Z7**92*0102~" in z7 and "N1*BY" not in z7
    assert z7.replace("N1*Z7**92*", "N1*BY**92*") == by
