"""A grocer's 876 changes the order's allowances and charges by restating them in G72s (X12 004010 / 005010 G72: G7201
the 340 code, 1-499 an allowance, 500-999 a charge; G7202 method of handling; G7203 the allowance's number; G7205 rate,
G7206/G7207 quantity and unit, G7208 total amount, G7209 percent ...): one before the first G68 changes the order's,
one in a G68 loop the item's. Each is read as the SAC it says (parsers.orders_875.g72_as_sac), kept with the 876's
change tables, the G68 loop's given the line its item named once the change is applied (engine.changes.sacs_on_lines),
and from there it is what the rules judge (and a revised 855 states), what the 810 takes off and what the
reconciliation holds it to, as an 860's SACs. Stater Bros. (rg33's grocery_875 and grocery_876 fixtures): the 875 on
night 1, the 876 of tests/fixtures/rg33/grocery_876/allowances on night 2 (the delete, the quantity cut and the added
item of the change fixture, the deleted item first, plus an A260 advertising allowance of 10.00 on the order, G7201
100, and an F280 performance allowance of 0.25 a case on the diced tomatoes, G7201 90), shipped and invoiced on
12-01."""

from __future__ import annotations

import shutil
from datetime import datetime
from decimal import Decimal

import pytest

from tests.retailer_support import of_its_own, po_segments, segments, shipped_day
from tests.support import REPO, rebuilt_store, run_stages
from tests.test_grocery_876 import NIGHT2, SHIP_DAY, _fixtures, _outbox, _two_nights
from tests.test_rg33_regional_grocers_boscovs import NIGHT, WAREHOUSES

ALLOWANCES = REPO / "tests" / "fixtures" / "rg33" / "grocery_876" / "allowances" / \
    "staterbros-876-SB4410027-allowances.x12"
PO = "SB4410027"
HEADING_SAC = ["SAC", "A", "A260", "", "", "1000", "", "", "", "", "", "", "02", "AD-88", "", "FALL AD FEATURE"]
LINE_SAC = ["SAC", "A", "F280", "", "", "750", "", "", "0.25", "", "", "", "02", "PA-7"]


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("g876-sacs")
    ws, fixtures = _two_nights(tmp, ALLOWANCES)
    return shipped_day(ws, fixtures, SHIP_DAY, messages=True)


def test_the_876s_allowances_are_applied_answered_and_the_810_takes_them_off(night):
    ws, found, states = night
    assert states == {("staterbros", PO): "invoiced"}
    assert not [f for f in found if f[1] == "error"], found
    # the 865 answers the three G68s as before: the G72s change no line's quantity or price
    doc = segments(ws, "staterbros", "865")
    assert [s[:3] for s in doc if s[0] == "POC"] == [["POC", "", "DI"], ["POC", "", "CA"], ["POC", "", "AI"]]
    assert [s[1] for s in doc if s[0] == "ACK"] == ["ID", "IQ", "IA"]
    # the 810: the performance allowance on the diced tomatoes' line (0.25 x 30 cases = 7.50: the second G68 loop,
    # resolved from the G68's case code to line 1, not line 2, deleted), the advertising allowance on the order (its
    # G73 the SAC15), both off invoice (02)
    inv = po_segments(segments(ws, "staterbros", "810"), PO, "BIG")
    body = [s for s in inv if s[0] in ("IT1", "SAC", "TDS")]
    assert body == [["IT1", "1", "30", "CA", "18", "", "UA", "061414150301"], LINE_SAC,
                    ["IT1", "3", "20", "CA", "21.6", "", "UP", "614141503032"], ["TDS", "95450"], HEADING_SAC], body
    # 30 x 18.00 + 20 x 21.60 = 972.00, less 7.50 and 10.00


def test_the_reconciliation_holds_the_810_to_the_allowances_the_876_changed(night):
    """The four-way match reads the order's promise as the 876 left it (its SACs applied, each at its level): the
    810 taking the two allowances off is no allowance exception."""
    from connectors.state import StateStore
    from flows.night import reconcile_stage

    ws, _found, _states = night
    reconcile_stage(str(ws.root), datetime(2026, 12, 5, 3).isoformat(), "20261205")
    state = StateStore(ws.state_path)
    try:
        types = {r["type"] for r in state.exceptions_of_order("staterbros", PO)}
    finally:
        state.close()
    assert not {t for t in types if "ALLOWANCE" in t or "CHARGE" in t or "TOTAL" in t}, types


def test_without_the_876s_allowances_the_810_takes_none_off(tmp_path):
    """The same nights with the change fixture (no G72): no SAC on the 810 (the allowances above came from the 876)."""
    from tests.test_grocery_876 import CHANGE

    ws, fixtures = _two_nights(tmp_path, CHANGE)
    ws, _found, _states = shipped_day(ws, fixtures, SHIP_DAY)
    inv = po_segments(segments(ws, "staterbros", "810"), PO, "BIG")
    assert not [s for s in inv if s[0] == "SAC"] and ["TDS", "97200"] in inv


DEALS = ("partner,deal,allowance_code,sku,percent,rate,valid_from,valid_to,description\n"
         "staterbros,AD-88,A260,,5,,2026-01-01,,Fall ad feature\n"
         "staterbros,PA-7,F280,,,0.25,2026-01-01,,Performance\n")


def test_a_revised_855_answering_the_876_states_its_agreed_allowances(tmp_path):
    """A profile answering changes by a revised 855 and stating the agreed allowances ([acks.po_ack] allowances =
    "agreed", deals.csv naming AD-88 and PA-7): the revised 855 states the 876's advertising allowance in its heading
    and the performance allowance in the diced tomatoes' PO1 loop, as it does an 860's."""
    fixtures = _fixtures(tmp_path, change_ack="855")
    profile = fixtures / "partners" / "staterbros.toml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("[acks.po_ack]\n", '[acks.po_ack]\nallowances = "agreed"\n'), encoding="utf-8")
    (fixtures / "reference" / "deals.csv").write_text(DEALS, encoding="utf-8")
    ws = of_its_own(fixtures, tmp_path / "ws", warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    shutil.copy2(ALLOWANCES, ws.drop_root / "staterbros" / "inbox" / ALLOWANCES.name)
    run_stages(ws, NIGHT2)
    first, revised = _outbox(ws, "855")
    assert "SAC*" not in first.read_text(encoding="utf-8")  # the 875 sent none
    segs = [s.strip().split("*") for s in revised.read_text(encoding="utf-8").split("~") if s.strip()]
    assert segs[3][:4] == ["BAK", "05", "AD", PO]
    tags = [s[0] for s in segs]
    sacs = [(tags.index("PO1") > k, s[1], s[2], s[13] if len(s) > 13 else "") for k, s in enumerate(segs)
            if s[0] == "SAC"]
    assert sacs == [(True, "A", "A260", "AD-88"), (False, "A", "F280", "PA-7")], segs
    po1s = [k for k, t in enumerate(tags) if t == "PO1"]
    line_sac = next(k for k, s in enumerate(segs) if s[0] == "SAC" and s[2] == "F280")
    assert [segs[k][1] for k in po1s] == ["1", "3"] and po1s[0] < line_sac < po1s[1], segs  # line 1's PO1 loop


def test_an_876_restating_the_875s_allowance_replaces_it_and_g7202_12_cancels_one(tmp_path):
    """The 875's G72s are the order's SACs (the line's performance allowance at 0.25, a freight charge 504 of 15.00 on
    the order); the 876 restates the performance allowance at 0.10 and cancels the freight charge (G7202 12, "cancel
    allowance": the SAC replacing it asks nothing) and says nothing else of the order's SACs: the 810 takes 0.10 x 30
    off line 1 and bills no freight."""
    fixtures = _fixtures(tmp_path)
    order = next((fixtures / "drops" / "staterbros").glob("*875*"))
    text = order.read_text(encoding="utf-8")
    text = text.replace("N1*ST*STATER BROS SAN BERNARDINO DC*92*0301~",
                        "N1*ST*STATER BROS SAN BERNARDINO DC*92*0301~\nG72*504*06******1500~")
    text = text.replace("G69*DICED TOMATOES 14.5 OZ~", "G69*DICED TOMATOES 14.5 OZ~\nG72*90*02*PA-7**0.25~")
    order.write_text(text.replace("SE*11*", "SE*13*"), encoding="utf-8")
    change = ALLOWANCES.read_text(encoding="utf-8").replace("G72*100*02*AD-88*****1000~\nG73*FALL AD FEATURE~",
                                                            "G72*504*12******0~")
    change = change.replace("G72*90*02*PA-7**0.25~", "G72*90*02*PA-7**0.1~").replace("SE*16*", "SE*15*")
    ws = of_its_own(fixtures, tmp_path / "ws", warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    (ws.drop_root / "staterbros" / "inbox" / ALLOWANCES.name).write_text(change, encoding="utf-8")
    run_stages(ws, NIGHT2)
    ws, found, states = shipped_day(ws, fixtures, SHIP_DAY)
    assert states == {("staterbros", PO): "invoiced"}, found
    inv = po_segments(segments(ws, "staterbros", "810"), PO, "BIG")
    assert [s for s in inv if s[0] == "SAC"] == [["SAC", "A", "F280", "", "", "300", "", "", "0.1", "", "", "", "02",
                                                  "PA-7"]], inv
    assert ["TDS", "96900"] in inv  # 972.00 - 3.00


def test_the_g72_reads_as_the_sac_it_says_and_names_what_it_cannot():
    """Each element where the SAC has it; G7204 (exception number) and G7210 (dollar basis) named at their element;
    a 340 code no SAC02 is known for named at G7201 with the g72_codes key that reads it, which the partner's
    g72_codes then does; a subline's G72 (after an SLN) is not the item's."""
    from parsers.orders_860 import read_changes_with_sacs
    from parsers.orders_876 import as_860
    from parsers.x12_reader import read_interchanges
    from schemas.grocery_invoice import g72_sacs

    text = ALLOWANCES.read_text(encoding="utf-8")
    text = text.replace("G72*90*02*PA-7**0.25~", "G72*90*02*PA-7*EX1*0.25*30*CA***400~\nG72*51*02~\n"
                        "SLN*1**I*2*EA~\nG72*504*06******100~")
    result = read_interchanges(text.encode(), file="a.x12")
    rewritten, sets, not_carried = as_860(result, list(result.transaction_sets()))
    assert [(f.location.segment_id, f.location.element, f.location.value) for f in not_carried] == [
        ("G72", "G7204", "EX1"), ("G72", "G7210", "400"), ("G72", "G7201", "51"), ("SLN", "", None),
        ("G72", "", None)]
    assert 'g72_codes "A:<SAC02>" = "51"' in not_carried[2].message
    _h, _c, sacs = read_changes_with_sacs(rewritten, sets, partner="staterbros")
    got = [{k: r[k] for k in ("line_number", "line_id", "kind", "code", "amount", "rate", "quantity", "unit",
                              "handling", "reference", "description", "change_type")} for r in sacs.to_pylist()]
    assert got == [
        {"line_number": None, "line_id": None, "kind": "A", "code": "A260", "amount": Decimal("10"), "rate": None,
         "quantity": None, "unit": None, "handling": "02", "reference": "AD-88", "description": "FALL AD FEATURE",
         "change_type": None},
        {"line_number": 2, "line_id": None, "kind": "A", "code": "F280", "amount": None, "rate": Decimal("0.25"),
         "quantity": Decimal("30"), "unit": "CA", "handling": "02", "reference": "PA-7", "description": None,
         "change_type": "CA"}]
    # the partner's g72_codes (its 880s write C310 as 51) read the 51 back as C310
    _rw, _sets, not_carried = as_860(result, list(result.transaction_sets()), g72_sacs({"A:C310": "51"}))
    assert ("G72", "G7201") not in {(f.location.segment_id, f.location.element) for f in not_carried}


@pytest.mark.parametrize("version", ["004010", "005010"])
def test_every_876_table_takes_a_g72_with_all_its_elements(version, tmp_path):
    """The 876 set tables we carry (004010, 005010) take the G72 at the heading and in the G68 loop with all eleven
    elements (and G73), as X12 defines them: no finding; Bots' 004010 876 grammar takes the same set."""
    from parsers.x12_reader import read_interchanges
    from rules.structure import check_structure
    from tests.shipping_support import bots_check

    text = ALLOWANCES.read_text(encoding="utf-8").replace("G72*90*02*PA-7**0.25~",
                                                          "G72*90*02*PA-7*EX1*0.25*30*CA*750*2.5*300*OPT1~\nG73*PERF~")
    text = text.replace("SE*16*", "SE*17*")
    if version == "005010":
        text = text.replace("*U*00401*", "*^*00501*").replace("*004010UCS~", "*005010UCS~")
    else:
        ok, errors = bots_check(text.replace("*X*004010UCS~", "*X*004010~").encode(), tmp_path)
        assert ok, errors
    result = read_interchanges(text.encode(), file="a.x12")
    assert not result.findings
    found = check_structure(result, list(result.transaction_sets()))
    assert found == [], [(f.code, f.location.segment_id, f.location.element) for f in found]


def test_state_rebuild_says_876_for_an_order_an_876_cancelled(tmp_path):
    """`state rebuild` of a workspace whose store was lost: the order the 876 (G92*CF) cancelled is cancelled again,
    its lines' note naming the 876 (it said "cancelled by the 860 in ..." for a grocer's change too)."""

    from connectors.state import StateStore
    from tests.test_grocery_876 import CANCEL

    ws, _fixtures_dir = _two_nights(tmp_path, CANCEL)
    rebuilt_store(ws.root)
    state = StateStore(ws.state_path)
    try:
        (record,) = [o for o in state.orders() if o.po_number == PO]
        reasons = {ln.reason for ln in state.lines_for([record.key])[record.key]}
    finally:
        state.close()
    assert record.state.value == "cancelled"
    assert len(reasons) == 1 and reasons.pop().startswith(f"cancelled by the 876 in {CANCEL.name}, answered in "), \
        reasons


def test_the_evidence_names_the_875s_file_and_the_876s_of_a_line_the_876_changed(tmp_path):
    """The reconciliation of 2026-12-05 (nothing shipped by the promised 12-01): the ordered side of each exception
    of the order the 876 changed names the 875's file and the 876's (it named the 875's alone); its lineage (ISA13,
    GS06, ST02) stays the 875's, the order's own."""
    from connectors.state import StateStore
    from flows.night import reconcile_stage
    from tests.test_grocery_876 import CHANGE

    ws, _fixtures_dir = _two_nights(tmp_path, CHANGE)
    reconcile_stage(str(ws.root), datetime(2026, 12, 5, 3).isoformat(), "20261205")
    state = StateStore(ws.state_path)
    try:
        ids = [r["exception_id"] for r in state.exceptions_of_order("staterbros", PO)]
        rows = [r for r in state.exception_evidence(ids).to_pylist() if r["role"] == "ordered"]
    finally:
        state.close()
    order = "staterbros-875-SB4410027.x12"
    assert rows and {(r["doc_type"], r["file"], r["isa13"]) for r in rows} == {
        ("876", f"{order} (changed by {CHANGE.name})", "000044100")}, rows


def test_a_g68_price_bracket_is_named_as_the_bracket_of_the_item_list_cost_applied():
    """The 876 restates an item's price as its item list cost (G6803, "gross unit cost within the appropriate price
    bracket"), which is applied; its price bracket (G6809, the vendor's price book bracket) has no price of its own and
    no price bracket segment exists in the 876: the warning says so at G6809, and the POC carries G6803."""
    from parsers.orders_860 import read_changes
    from parsers.orders_876 import as_860
    from parsers.x12_reader import read_interchanges

    text = ALLOWANCES.read_text(encoding="utf-8").replace("G68*30*CA*18**UA*061414150301~",
                                                          "G68*30*CA*17.5**UA*061414150301***B2~")
    result = read_interchanges(text.encode(), file="b.x12")
    rewritten, sets, not_carried = as_860(result, list(result.transaction_sets()))
    [bracket] = [f for f in not_carried if f.location.element == "G6809"]
    assert bracket.location.value == "B2" and "item list cost (G6803, read as the price)" in bracket.message
    _h, changes = read_changes(rewritten, sets, partner="staterbros")
    assert [str(r["unit_price"]) for r in changes.to_pylist()] == ["27.6000", "17.5000", "21.6000"]


def _change_sac(**values) -> dict:
    row = {f.name: None for f in __import__("schemas.changes", fromlist=["CHANGE_SACS"]).CHANGE_SACS}
    return {**row, "partner": "staterbros", "order_ref": "44104-44104-0001", "po_number": PO, "kind": "A",
            "source_file": "c.x12", "isa13": "000044104", "gs06": "44104", "st02": "0001", "segment_position": 1,
            "purpose": "04", **values}


def test_an_876_g68_loop_sac_is_on_no_line_until_its_change_names_one():
    """Before its 876 is applied (or in a store rebuilt from the files), a G68 loop's SAC is on no line of the order and
    not the heading's: the rules' changed_allowances and the reconciliation's with_changes leave it out (it used to be
    taken for the line numbered as its loop, or for the heading's). sacs_on_lines gives it the line its POC named, and
    takes out one whose POC named none."""
    import pyarrow as pa

    from engine.changes import sacs_on_lines
    from rules.business.allowance_discounts import changed_allowances
    from schemas.changes import CHANGE_SACS
    from schemas.orders import ORDER_SACS

    loose = [_change_sac(code="F280", rate=Decimal("0.25"), handling="02", change_type="CA", file_segment=14),
             _change_sac(code="D170", amount=Decimal("5"), handling="02", change_type="CA", file_segment=18),
             _change_sac(code="A260", amount=Decimal("10"), handling="02", file_segment=8)]
    sacs = pa.Table.from_pylist(loose, schema=CHANGE_SACS)
    before = changed_allowances(ORDER_SACS.empty_table(), [sacs], ("staterbros", "44100-44100-0001", PO))
    assert [(r["code"], r["line_id"]) for r in before.to_pylist()] == [("A260", None)]  # the heading's alone
    # the POCs at file segments 12 (the diced tomatoes: line 1) and 16 (naming no line)
    resolved = sacs_on_lines(sacs, "44104-44104-0001", {10: ("2", 2), 12: ("1", 1), 16: None})
    assert [(r["code"], r["line_id"], r["line_number"]) for r in resolved.to_pylist()] == [
        ("F280", "1", 1), ("A260", None, None)]
    after = changed_allowances(ORDER_SACS.empty_table(), [resolved], ("staterbros", "44100-44100-0001", PO))
    assert sorted((r["code"], r["line_id"]) for r in after.to_pylist()) == [("A260", None), ("F280", "1")]
    assert sacs_on_lines(resolved, "44104-44104-0001", {12: ("1", 1)}) is resolved  # resolved once: unchanged


def test_a_grocer_invoiced_by_the_880_gets_the_876s_allowances_as_its_g72s(tmp_path):
    """The same nights for a profile invoiced by the 880 (the grocer's own invoice): the allowances the 876 stated come
    back in the G72s it sent them as (SAC_TO_G7201: A260 -> 100, F280 -> 90; 0.25 x 30 = 7.50 its G7208), the
    order's in the heading's G72 loop with its G73, the item's in its G17 loop; G33 = 972.00 - 7.50 - 10.00."""
    fixtures = _fixtures(tmp_path)
    profile = fixtures / "partners" / "staterbros.toml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace('"856", "810"]', '"856", "880"]'), encoding="utf-8")
    ws = of_its_own(fixtures, tmp_path / "ws", warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    shutil.copy2(ALLOWANCES, ws.drop_root / "staterbros" / "inbox" / ALLOWANCES.name)
    run_stages(ws, NIGHT2)
    ws, found, states = shipped_day(ws, fixtures, SHIP_DAY)
    assert states == {("staterbros", PO): "invoiced"}, found
    body = [s for s in segments(ws, "staterbros", "880") if s[0] in ("G17", "G72", "G73", "G33")]
    assert body == [["G72", "100", "02", "AD-88", "", "", "", "", "1000"], ["G73", "FALL AD FEATURE"],
                    ["G17", "30", "CA", "18", "", "UA", "061414150301"],
                    ["G72", "90", "02", "PA-7", "", "0.25", "", "", "750"],
                    ["G17", "20", "CA", "21.6", "", "UP", "614141503032"], ["G33", "95450"]], body
