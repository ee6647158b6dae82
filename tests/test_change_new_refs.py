"""An 860 whose heading sends a reference its 850 never had (a new department REF*DP, promotion REF*PD, customer
order REF*CO): one the partner's 855, 856 or 810 carries back (its profile's order_refs) is kept with the order, so
the documents still to write carry it, and the 865 answers the change as applied (CHANGE_HEADER_APPLIED names it);
one they do not carry is named in the change's warning (CHANGE_HEADER_NOT_APPLIED) for a person to see. They used to
be neither applied nor told (rg74). A reference the 860 changes is tests/test_rg74_retailer_860s.py's. Target's
850/860 in 004010, Lowe's in 005010 (tests/fixtures/rg74); both echo REF DP in their 856 and 810 (the default)."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from connectors.order_store import OrderStore
from connectors.state import StateStore
from engine.asn import order_refs
from tests.retailer_support import of_its_own, segments
from tests.support import REPO, deliver_all, run_stages, ship_stages

FIXTURES = REPO / "tests" / "fixtures" / "rg74"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT1, NIGHT2 = datetime(2026, 11, 25, 2), datetime(2026, 11, 27, 2)
ISA = "ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*ORDERBRIDGE    *261124*0200*{sep}*{isa12}*{ctl:09d}*0*P*>~"


def _x12(sender: str, version: str, ctl: int, kind: str, gs: str, body: list[str]) -> str:
    segs = [f"ST*{kind}*0001", *body]
    segs.append(f"SE*{len(segs) + 1}*0001")
    isa12, sep = ("00401", "U") if version.startswith("0040") else ("00501", "^")
    return (ISA.format(sender=sender, sep=sep, isa12=isa12, ctl=ctl)
            + f"GS*{gs}*{sender}*ORDERBRIDGE*20261124*0200*{ctl}*X*{version}~" + "".join(s + "~" for s in segs)
            + f"GE*1*{ctl}~IEA*1*{ctl:09d}~")


def _night(tmp_path, partner: str, sender: str, version: str, po: str, order: list[str], heading: list[str],
           asn: str = ""):
    """``partner``'s PO ``po`` (850 ``order`` after its BEG) taken on 11-25, answered by its 855; on 11-27 an 860
    (BCH01 04, no POC) with ``heading`` after its BCH: (findings (code, message), the order's stored ORDERS row as
    its current revision has it, its 865s, its history's notes). ``asn``: settings added to its profile's
    [fulfilment.asn]."""
    ws = of_its_own(FIXTURES, tmp_path / "ws", {}, warehouses=WAREHOUSES)
    if asn:
        profile = ws.root / "partners" / f"{partner}.toml"
        text = profile.read_text()
        assert "[fulfilment.asn]\n" in text
        profile.write_text(text.replace("[fulfilment.asn]\n", f"[fulfilment.asn]\n{asn}\n"))
    inbox = ws.drop_root / partner / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "po.x12").write_text(_x12(sender, version, 7481, "850", "PO",
                                       [f"BEG*00*SA*{po}**20261124", *order]))
    run_stages(ws, NIGHT1)
    (inbox / "change.x12").write_text(_x12(sender, version, 7482, "860", "PC",
                                           [f"BCH*04*SA*{po}**1*20261124", *heading, "CTT*0"]))
    run_stages(ws, NIGHT2)
    state = StateStore(ws.state_url)
    try:
        found = [(f["code"], f["message"]) for f in state.findings(partner=partner, po_number=po)]
        record = state.order(partner, po)
        notes = [h.get("note") or "" for h in state.order_history(partner, po)]
    finally:
        state.close()
    orders, _lines = OrderStore(ws.orders_dir).load(partner, record.lines_key)
    rows = [r for r in orders.to_pylist() if r["po_number"] == po]
    bcas = [s for s in segments(ws, partner, "865") if s[0] == "BCA"]
    # (the references its 856 and 810 write: engine.asn.order_refs of the row)
    return found, rows[-1], order_refs(pa.Table.from_pylist(rows[-1:], schema=orders.schema))[0], bcas, notes, record


def _codes(found, code: str) -> list[str]:
    return [m for c, m in found if c == code]


TARGET_850 = ["REF*IA*TG4411", "DTM*037*20261204", "DTM*038*20261211", "N1*ST*TARGET DC 3806*92*3806",
              "PO1*1*24*EA*12.5**UP*614141574018*VN*RG74-01*IN*074110001",
              "PO1*2*12*EA*8.25**UP*614141574025*VN*RG74-02*IN*074110002", "CTT*2"]


def test_a_4010_860_adding_a_department_keeps_it_and_names_a_new_promotion(tmp_path):
    """Target's PO sent no department; its 860 (004010) adds REF*DP*084, which Target's 856 and 810 carry back
    (order_refs DP), and a promotion REF*PD*SPRING26, which none of its documents carry: the department is kept with
    the order (its 856 and 810 write REF*DP*084), the 865 answers the change AK, CHANGE_HEADER_APPLIED names it; the
    promotion is named in a CHANGE_HEADER_NOT_APPLIED warning. The answered order is not decided again for them."""
    found, row, carried, bcas, notes, record = _night(
        tmp_path, "target", "TARGETDC", "004010", "TG7480101", TARGET_850,
        ["REF*IA*TG4411", "REF*DP*084", "REF*PD*SPRING26"])
    assert row["department"] == "084" and row["promotion"] is None
    assert [r["qualifier"] for r in row["refs_sent"]] == ["IA", "DP"]
    assert ("DP", "084") in carried
    assert _codes(found, "CHANGE_HEADER_APPLIED") == [
        "The 860's heading changed PO TG7480101: REF DP (none) -> 084. Its new references are kept for its 855, 856 "
        "and 810."]
    assert _codes(found, "CHANGE_HEADER_NOT_APPLIED") == [
        "The 860's heading carries REF PD SPRING26, a reference PO TG7480101's 850 did not send and our 855, 856 and "
        "810 do not carry back (the partner's order_refs): it was not recorded; check it by hand."]
    assert [b[1:3] for b in bcas] == [["00", "AK"]]
    assert record.state.value == "acknowledged"
    assert any("references added" in n and "REF DP (none) -> 084" in n for n in notes), notes


def test_a_4010_860_restating_its_references_adds_nothing(tmp_path):
    """The same 860 restating the 850's own REF IA and nothing new: no reference added, nothing named."""
    found, row, _carried, bcas, _notes, _record = _night(
        tmp_path, "target", "TARGETDC", "004010", "TG7480102", TARGET_850, ["REF*IA*TG4411"])
    assert row["department"] is None and [r["qualifier"] for r in row["refs_sent"]] == ["IA"]
    assert not _codes(found, "CHANGE_HEADER_APPLIED") and not _codes(found, "CHANGE_HEADER_NOT_APPLIED")
    assert [b[1:3] for b in bcas] == [["00", "AK"]]


def test_a_5010_860_adding_a_department_keeps_it_and_names_a_new_customer_order(tmp_path):
    """Lowe's PO (005010) sent no department; its 860 adds REF*DP*0231 (carried back by its 856 and 810) and a
    customer order REF*CO*LC-88 (carried back by none): the first kept, the second named."""
    found, row, carried, bcas, _notes, _record = _night(
        tmp_path, "lowes", "LOWES", "005010", "LW7480401",
        ["CUR*BY*USD", "REF*IA*LW5511", "DTM*002*20261207", "N1*ST*LOWES RDC 1445*92*1445",
         "PO1*1*40*EA*15**UP*614141574087*VN*RG74-08*IN*740087", "CTT*1"],
        ["REF*CO*LC-88", "REF*DP*0231"])
    assert row["department"] == "0231" and row["customer_order"] is None
    assert ("DP", "0231") in carried
    assert _codes(found, "CHANGE_HEADER_APPLIED") == [
        "The 860's heading changed PO LW7480401: REF DP (none) -> 0231. Its new references are kept for its 855, "
        "856 and 810."]
    assert _codes(found, "CHANGE_HEADER_NOT_APPLIED") == [
        "The 860's heading carries REF CO LC-88, a reference PO LW7480401's 850 did not send and our 855, 856 and "
        "810 do not carry back (the partner's order_refs): it was not recorded; check it by hand."]
    assert [b[1:3] for b in bcas] == [["00", "AK"]]


def test_a_reference_added_after_shipment_is_kept_for_the_810_still_to_write(tmp_path):
    """Kohl's PO shipped its first line on 12-01 (the rest still to ship); its 860 of 12-02 adds a promotion
    REF*PD*FALL26, which this Kohl's profile's 856 carries back (order_refs DP, PD): kept with the order (the 856 and
    810 still to write carry it), CHANGE_HEADER_APPLIED, 865 AK; not left to a person as a shipped order's new dates
    or ship-to are."""
    ws = of_its_own(FIXTURES, tmp_path / "ws", {"kohls": ["kohls-850-KH7400201.x12"]}, warehouses=WAREHOUSES)
    profile = ws.root / "partners" / "kohls.toml"
    profile.write_text(profile.read_text().replace("[fulfilment.asn]\n",
                                                   '[fulfilment.asn]\norder_refs = ["DP", "PD"]\n'))
    run_stages(ws, NIGHT1)
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    rows = (FIXTURES / "shipments" / "east-shipments-20261201.csv").read_text().splitlines()
    kohls = [rows[0], *(r for r in rows if "KH7400201" in r)]  # its first line's shipment
    (inbox / "east-shipments-20261201.csv").write_text("\n".join(kohls) + "\n")
    ship_stages(ws, datetime(2026, 12, 1, 15), run_id="day1")
    deliver_all(ws, datetime(2026, 12, 1, 15))
    (ws.drop_root / "kohls" / "inbox" / "change.x12").write_text(_x12(
        "KOHLS", "004010", 7483, "860", "PC", ["BCH*04*SA*KH7400201**1*20261124", "REF*PD*FALL26", "CTT*0"]))
    run_stages(ws, datetime(2026, 12, 2, 2))
    state = StateStore(ws.state_url)
    try:
        found = [(f["code"], f["message"]) for f in state.findings(partner="kohls", po_number="KH7400201")]
        record = state.order("kohls", "KH7400201")
    finally:
        state.close()
    orders, _lines = OrderStore(ws.orders_dir).load("kohls", record.lines_key)
    row = [r for r in orders.to_pylist() if r["po_number"] == "KH7400201"][-1]
    assert record.state.value == "partially_shipped"
    assert row["promotion"] == "FALL26"
    assert ("PD", "FALL26") in order_refs(pa.Table.from_pylist([row], schema=orders.schema))[0]
    assert [m for m in _codes(found, "CHANGE_HEADER_APPLIED") if "REF PD" in m] == [
        "The 860's heading changed PO KH7400201: REF PD (none) -> FALL26. Its new references are kept for its 855, "
        "856 and 810."]
    assert not [m for m in _codes(found, "CHANGE_HEADER_NOT_APPLIED") if "PD" in m or "promotion" in m]
    assert [s[1:3] for s in segments(ws, "kohls", "865") if s[0] == "BCA"] == [["00", "AK"]]


def test_a_new_reference_s_description_ref03_is_kept_beside_its_ref02(tmp_path):
    """Target's 860 adds its department with its name, REF*DP*084*HOUSEWARES, and a job stated by its REF03 alone,
    REF*JB**SPRING RESET (REF's R0203: REF02 or REF03), which this Target profile's 856 carries back (order_refs DP,
    JB; order_ref_descriptions DP): both kept with the order as the 850's would be (ORDERS ref_descriptions), so the
    856 and 810 still to write carry REF*DP*084*HOUSEWARES and REF*JB**SPRING RESET. The REF03 used to be dropped (the
    department kept by its number alone) and the REF stated by REF03 alone never read."""
    from engine.asn import ref_segments

    found, row, carried, bcas, _notes, record = _night(
        tmp_path, "target", "TARGETDC", "004010", "TG7480103", TARGET_850,
        ["REF*IA*TG4411", "REF*DP*084*HOUSEWARES", "REF*JB**SPRING RESET"],
        asn='order_refs = ["DP", "JB"]\norder_ref_descriptions = ["DP"]')
    assert row["department"] == "084"
    assert row["ref_descriptions"] == [{"qualifier": "DP", "description": "HOUSEWARES"},
                                       {"qualifier": "JB", "description": "SPRING RESET"}]
    assert ("DP", "084", "HOUSEWARES") in carried and ("JB", "", "SPRING RESET") in carried
    assert ref_segments(carried, ["DP", "JB"], ["DP"]) == [["REF", "DP", "084", "HOUSEWARES"],
                                                          ["REF", "JB", "", "SPRING RESET"]]
    assert _codes(found, "CHANGE_HEADER_APPLIED") == [
        "The 860's heading changed PO TG7480103: REF DP (none) -> 084 HOUSEWARES; REF JB (none) -> SPRING RESET. Its "
        "new references are kept for its 855, 856 and 810."]
    assert not _codes(found, "CHANGE_HEADER_NOT_APPLIED")
    assert [b[1:3] for b in bcas] == [["00", "AK"]] and record.state.value == "acknowledged"
