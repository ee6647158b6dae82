"""An 860 changing a pre-distributed order's store split: the POC loop's SDQ (a buyer moving units between stores,
a QI/QD with its new split, an added line's split) replaces the line's store quantities; a split that no longer
adds up to the line's quantity is named (CHANGE_SDQ_MISMATCH, a warning as SDQ_QUANTITY_MISMATCH is for the 850)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from engine.changes import apply_changes
from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from tests.changes.builders import read_change
from tests.support import GOOD_PO, x12_850
from tests.test_sdq_store_level import CARTONS, HEADER, LATER, SHIP, outbox, shipped, store_level_workspace


def codes_and_history(ws) -> tuple[list[str], str]:
    """Every finding's code in the workspace's state store, and ACME-1001's history notes joined."""
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        return ([f["code"] for f in state.findings()],
                " ".join(str(e.get("note") or "") for e in state.order_history("acme", "ACME-1001")))
    finally:
        state.close()


def split_order():
    """PO-1 with line 1 (12 EA) split 6/6 over stores 0101 and 0102, line 2 (6 EA) unsplit."""
    body = [*GOOD_PO[:6], "PO1*1*12*EA*2.50*PE*UP*073000040482", "SDQ*EA*92*0101*6*0102*6",
            "PO1*2*6*EA*10*PE*VN*SKU-2", "CTT*2*18"]
    result = read_interchanges(x12_850(body), file="acme-po.x12")
    orders, lines = read_orders(result, list(result.transaction_sets()), partner="acme")
    return orders.to_pylist()[0], lines


def applied(pocs: list[str]):
    order, lines = split_order()
    header, changes = read_change(pocs)
    result = apply_changes(order, lines, header, changes, shipped=False)
    splits = {r["line_id"]: [(s["store"], s["quantity"]) for s in r["store_quantities"] or ()]
              for r in result.new_lines.to_pylist()}
    return result, splits, [(f.code, f.severity, f.location.value) for f in result.findings]


def test_the_poc_loop_s_sdq_is_read_as_the_850_s():
    _, changes = read_change(["POC*1*QI*16*12*EA*2.50*PE*UP*073000040482", "SDQ*EA*92*0101*10*0102*6",
                              "POC*2*PC**6*EA*11*PE*VN*SKU-2"])
    got = changes["store_quantities"].to_pylist()
    assert [(s["unit"], s["id_qualifier"], s["store"], s["quantity"]) for s in got[0]] == [
        ("EA", "92", "0101", Decimal(10)), ("EA", "92", "0102", Decimal(6))]
    assert got[1] is None


def test_a_quantity_change_with_its_new_split_replaces_the_split():
    result, splits, found = applied(["POC*1*QI*16*12*EA*2.50*PE*UP*073000040482", "SDQ*EA*92*0101*10*0102*6"])
    assert splits == {"1": [("0101", Decimal(10)), ("0102", Decimal(6))], "2": []}
    assert found == [] and result.changed_line_numbers == {1}


def test_units_moved_between_stores_change_only_the_split():
    result, splits, found = applied(["POC*1*RZ*12*12*EA*2.50*PE*UP*073000040482", "SDQ*EA*92*0101*8*0102*4"])
    assert splits["1"] == [("0101", Decimal(8)), ("0102", Decimal(4))]
    assert found == [] and result.changed_line_numbers == set() and result.split_line_numbers == {1}


def test_a_quantity_change_without_a_split_keeps_the_old_one_and_says_it_no_longer_adds_up():
    result, splits, found = applied(["POC*1*QD*10*12*EA*2.50*PE*UP*073000040482"])
    assert splits["1"] == [("0101", Decimal(6)), ("0102", Decimal(6))]
    assert found == [("CHANGE_SDQ_MISMATCH", "warning", "10")]
    assert "keeps its earlier store quantities (0101: 6, 0102: 6)" in result.findings[0].message
    # a line without a split, or a price change, says nothing
    assert applied(["POC*2*QI*8*6*EA*10*PE*VN*SKU-2"])[2] == []
    assert applied(["POC*1*PC*12*12*EA*2.40*PE*UP*073000040482"])[2] == []


def test_a_new_split_that_does_not_add_up_is_taken_and_named():
    _, splits, found = applied(["POC*1*QI*16*12*EA*2.50*PE*UP*073000040482", "SDQ*EA*92*0101*6*0102*6"])
    assert splits["1"] == [("0101", Decimal(6)), ("0102", Decimal(6))]
    assert found == [("CHANGE_SDQ_MISMATCH", "warning", "16")]


def test_an_added_line_keeps_its_split():
    _, splits, found = applied(["POC*3*AI*4*0*EA*5*PE*VN*SKU-3", "SDQ*EA*92*0101*2*0103*2"])
    assert splits["3"] == [("0101", Decimal(2)), ("0103", Decimal(2))] and found == []
    assert applied(["POC*3*AI*4*0*EA*5*PE*VN*SKU-3", "SDQ*EA*92*0101*2"])[2] == [
        ("CHANGE_SDQ_MISMATCH", "warning", "4")]


def test_units_moved_between_stores_by_an_860_ship_to_the_new_split(tmp_path):
    """ACME-1001's paper (line 4: 10, split 0101 4 / 0102 6) restated by an 860 (RZ, same quantity and price) with
    a new split 0101 6 / 0102 4: the warehouse's cartons for the new split ship (they used to be held:
    SHIPMENT_STORE_OVER against the 850's split), the 856 naming each store's new quantity."""
    from tests.changes.builders import x12_860
    from tests.support import run_stages

    moved = [CARTONS[0].replace(",4,EA,", ",6,EA,").replace(",4,SKU-1002,4,", ",4,SKU-1002,6,"), CARTONS[1],
             CARTONS[2].replace(",4,SKU-1002,6,", ",4,SKU-1002,4,"), CARTONS[3]]
    assert moved[0].startswith(SHIP) and ",4,SKU-1002,6,EA,C-1001" in moved[0] and ",4,SKU-1002,4,EA,C-1002" in moved[2]
    ws = store_level_workspace(tmp_path, [])
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    csv = sorted(inbox.glob("*.csv"))[0]
    csv.unlink()  # the confirmation comes after the change
    change = x12_860(["BCH*04*SA*ACME-1001**1*20261126*****20261127",
                      "POC*4*RZ*10*10*EA*9.39*PE*VN*VP-1002", "SDQ*EA*92*0101*6*0102*4", "CTT*1"], isa13=7001)
    (ws.drop_root / "acme" / "inbox" / "acme-change-sdq.x12").write_bytes(change)
    run_stages(ws, datetime(2026, 11, 27, 9))
    csv.write_text(HEADER + "\n".join(moved) + "\n")
    shipped(ws)
    codes, history = codes_and_history(ws)
    assert not [c for c in codes if c.startswith(("SHIPMENT_STORE", "CHANGE_"))], codes
    assert "store split changed by 860" in history and "line 4 SDQ stores 0101 6, 0102 4" in history
    asn = outbox(ws, "856")
    assert "SHP-1001" in asn
    segs = [s.split("*") for s in asn.replace("\n", "").split("~") if s]
    assert [(s[2], s[5]) for s in segs if s[0] == "SN1"] == [("6", "6"), ("24", "24"), ("4", "4"), ("24", "24")]


# --- a carton holding two stores' items -------------------------------------------------------------------------

def test_a_carton_with_two_stores_items_is_named_once():
    from tests.test_sdq_store_level import checked, confirmation

    _, found = checked(confirmation(("C1", "0101", "1", 3), ("C1", "102", "1", 3), ("C1", "0101", "1", 1),
                                    ("C2", "0102", "1", 3)))
    assert found == [(1, "SHIPMENT_CARTON_TWO_STORES", 3, "mark_for_store", "0102")]
    # a store and an unsplit line's item without one: two order loops too; a split line's row without a store
    # is SHIPMENT_STORE_MISSING's alone
    _, found = checked(confirmation(("C1", "0101", "1", 6), ("C1", None, "2", 5)))
    assert found == [(1, "SHIPMENT_CARTON_TWO_STORES", 3, "mark_for_store", None)]
    _, found = checked(confirmation(("C1", "0101", "1", 6), ("C1", None, "1", 6)))
    assert [f[1] for f in found] == ["SHIPMENT_STORE_MISSING"]
    assert checked(confirmation(("C1", "0101", "1", 6), ("C2", "0102", "1", 6)))[1] == []
    assert checked(confirmation(("C1", "0101", "1", 6), ("C1", "0102", "1", 6)), partners=())[1] == []


def test_a_carton_holding_two_stores_items_holds_the_shipment_with_a_finding(tmp_path):
    """The warehouse packs 0101's paper with 0102's pens in carton C-1001, 0102's paper with 0101's pens in C-1002
    (each store gets its SDQ quantities): the 856 would list each carton under both stores' order loops. The
    shipment is held with SHIPMENT_CARTON_TWO_STORES naming the carton (it used to be refused by the 856's
    self-check, ASN_NOT_BUILT, with no finding saying why)."""
    from connectors.state import StateStore

    mixed = [CARTONS[0], CARTONS[1].replace(",C-1001,8,LB,101", ",C-1001,8,LB,0102"),
             CARTONS[2], CARTONS[3].replace(",C-1002,9,LB,0102", ",C-1002,9,LB,0101")]  # the pens' stores swapped
    assert mixed != CARTONS
    ws = store_level_workspace(tmp_path, mixed)
    shipped(ws)
    state = StateStore(ws.state_path)
    try:
        found = [(f["code"], f["severity"], f["value"], f["po_number"]) for f in state.findings(run_id="day1")
                 if f["code"].startswith("SHIPMENT_") or f["code"] == "ASN_NOT_BUILT"]
        message = [f["message"] for f in state.findings(run_id="day1") if f["code"] == "SHIPMENT_CARTON_TWO_STORES"]
    finally:
        state.close()
    assert found == [("SHIPMENT_CARTON_TWO_STORES", "error", "0102", "ACME-1001"),
                     ("SHIPMENT_CARTON_TWO_STORES", "error", "0101", "ACME-1001")]
    assert "C-1001" in message[0] and "0101, 0102" in message[0]
    assert "SHP-1001" not in outbox(ws, "856")


def test_units_moved_between_stores_after_a_first_shipment_ship_to_the_new_split(tmp_path):
    """Store 0101's carton of ACME-1001 shipped (paper 4, pens 24); the buyer then moves 6 pens from 0102 to 0101 (860
    RZ on line 5, same 48: SDQ 0101 30 / 0102 18). The next confirmation's cartons for the new split ship (0101's 6
    more pens used to be held: SHIPMENT_STORE_OVER against the 850's 24)."""
    from tests.changes.builders import x12_860
    from tests.support import run_stages

    ws = store_level_workspace(tmp_path, CARTONS[:2])
    shipped(ws)
    assert "SHP-1001" in outbox(ws, "856")
    change = x12_860(["BCH*04*SA*ACME-1001**1*20261126*****20261127",
                      "POC*5*RZ*48*24*EA*4.90*PE*VN*VP-1004", "SDQ*EA*92*0101*30*0102*18", "CTT*1"], isa13=7002)
    (ws.drop_root / "acme" / "inbox" / "acme-change-sdq.x12").write_bytes(change)
    run_stages(ws, datetime(2026, 11, 27, 15))
    later = "SHP-1002,2026-11-27,16:05,UPSN,G2,1Z999AA10123456791,BOL-6002,ACME-1001"
    cartons = [f"{later},4,SKU-1002,6,EA,C-1002,9,LB,0102", f"{later},5,SKU-1004,18,EA,C-1002,9,LB,0102",
               f"{later},5,SKU-1004,6,EA,C-1003,2,LB,0101"]
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    (inbox / "east-shipments-20261127-2.csv").write_text(HEADER + "\n".join(cartons) + "\n")
    shipped(ws, LATER, "day2")
    codes, history = codes_and_history(ws)
    assert not [c for c in codes if c.startswith(("SHIPMENT_STORE", "CHANGE_"))], codes
    assert "line 5 SDQ stores 0101 30, 0102 18" in history
    assert "SHP-1002" in outbox(ws, "856")


def test_a_945_lx_whose_w12s_name_two_stores_is_named():
    """A 3PL's 945 LX (one carton, MAN*GM) with a W12 loop per store (N1*Z7 after each W12) is one carton for two
    stores: SHIPMENT_CARTON_TWO_STORES, as for a CSV carton."""
    import pyarrow as pa

    from parsers.warehouse_945 import read_945
    from rules.shipments import store_checks
    from tests.test_945_shapes import CARTON1, w945
    from tests.test_945_shapes import HEAD as HEAD_945
    from tests.test_sdq_store_level import sdq_lines

    head = [HEAD_945[0].replace("GLOBEX-2001", "PO-1"), *HEAD_945[1:]]
    body = [*head, "LX*1", f"MAN*GM*{CARTON1}",
            "W12*CC*6*6**EA*614141100521*VN*VP-1007**9*G*L", "N1*Z7*STORE 101*92*0101", "N9*LI*1",
            "W12*CC*6*6**EA*614141100521*VN*VP-1007**9*G*L", "N1*Z7*STORE 102*92*0102", "N9*LI*1"]
    result = read_interchanges(w945(body))
    lines, found = read_945(result, list(result.transaction_sets()))
    assert found == [] and lines["po_number"].to_pylist() == ["PO-1", "PO-1"]
    lines = lines.set_column(lines.schema.get_field_index("partner"), "partner", pa.array(["acme", "acme"]))
    _, found = store_checks(lines, sdq_lines(), {"acme"})
    assert [(i, f.code, f.location.value, f.location.element) for i, f in found] == [
        (1, "SHIPMENT_CARTON_TWO_STORES", "0102", "N104")]
