"""The edges of a grocer's changed allowances (tests/test_grocery_876_allowances.py has the 876's G72s themselves):
a G68 loop's G72 whose item change we refused is not applied (the refusal filters key on POC01, which an 876's POC
has none of); `state rebuild` places an 876's item allowances on the line the night placed them on (it used to leave
them on no line); and a grocer's 860 naming its items by product ids alone (no POC01) puts a POC loop's SAC on the
line its item names, as the 876 does (it used to take the loop's ordinal for the line). Stater Bros. (rg33): the 875
on night 1 (line 1 the diced tomatoes, line 2 the apple juice), the change on night 2 (the apple juice deleted first,
then the diced tomatoes changed with an F280 performance allowance of 0.25 a case in its loop), shipped on 12-01."""

from __future__ import annotations

from tests.retailer_support import of_its_own, po_segments, segments, shipped_day
from tests.support import rebuilt_store, run_stages
from tests.test_grocery_876 import NIGHT2, SHIP_DAY, _fixtures, _two_nights
from tests.test_grocery_876_allowances import ALLOWANCES, HEADING_SAC, PO
from tests.test_rg33_regional_grocers_boscovs import NIGHT, WAREHOUSES


def _invoice_body(ws):
    return [s for s in po_segments(segments(ws, "staterbros", "810"), PO, "BIG") if s[0] in ("IT1", "SAC", "TDS")]


def test_a_refused_item_change_does_not_bring_its_g72(tmp_path):
    """The 876 changes the diced tomatoes to a unit the item is not sold in (G6802 ZZ): we refuse that POC (the 865's
    ACK IR) and the line stays as the 875 ordered it (40 cases, all shipped); the G72 in that G68 loop is no allowance
    we agreed: the 810 takes no F280 off line 1 (it took 0.25 x 40 = 10.00 off), the heading's A260 still applies."""
    change = ALLOWANCES.read_text(encoding="utf-8").replace("G68*30*CA*18**UA*061414150301~",
                                                            "G68*30*ZZ*18**UA*061414150301~")
    path = tmp_path / ALLOWANCES.name
    path.write_text(change, encoding="utf-8")
    ws, fixtures = _two_nights(tmp_path, path)
    doc = segments(ws, "staterbros", "865")
    assert [s[1] for s in doc if s[0] == "ACK"] == ["ID", "IR", "IA"], doc
    shipped = fixtures / "shipments" / "east-shipments-20261201.csv"  # line 1 as the 875 ordered it
    shipped.write_text(shipped.read_text(encoding="utf-8").replace(",GRC-301,30,", ",GRC-301,40,"), encoding="utf-8")
    ws, found, states = shipped_day(ws, fixtures, SHIP_DAY)
    assert states == {("staterbros", PO): "invoiced"}, found
    body = _invoice_body(ws)
    assert [s for s in body if s[0] == "SAC"] == [HEADING_SAC], body
    assert [s[1:3] for s in body if s[0] == "IT1"] == [["1", "40"], ["3", "20"]] and ["TDS", "114200"] in body, body
    # 40 x 18.00 + 20 x 21.60 = 1152.00, less 10.00


def test_state_rebuild_keeps_the_876s_item_allowance_on_its_line(tmp_path):
    """The 876's nights, then the store lost and `state rebuild` from the archive: the F280 of the diced tomatoes' G68
    loop is on line 1 (PO101 "1") again, as the night placed it, not on no line (the rebuild reads the 876 again and
    does not apply it again); the heading's A260 on none."""

    from connectors.order_store import OrderStore

    ws, _fixtures_dir = _two_nights(tmp_path, ALLOWANCES)
    store = OrderStore(ws.orders_dir)
    (key,) = store.sac_keys("staterbros", "change-sacs")

    def placed():
        return sorted((r["code"], r["line_id"], r["line_number"]) for r in
                      store.load_change_sacs("staterbros", key).to_pylist())

    night = placed()
    assert night == [("A260", None, None), ("F280", "1", 1)], night
    rebuilt_store(ws.root)
    assert placed() == night  # what the rules, the 810 / 880 and the reconciliation read the allowances from


def test_rebuild_places_as_the_night_did_leaves_unapplied_and_drops_refused():
    """engine.changes.sacs_placed_as: a loose SAC read again takes the night's line, stays on none when the night left
    it on none (its change not applied), and is left out when the night took it out (its POC refused or naming no
    line); the heading's SAC and other changes' rows are as read."""
    from decimal import Decimal

    import pyarrow as pa

    from engine.changes import sacs_placed_as
    from schemas.changes import CHANGE_SACS
    from tests.test_grocery_876_allowances import _change_sac

    read = pa.Table.from_pylist([
        _change_sac(code="A260", amount=Decimal("10"), file_segment=8),
        _change_sac(code="F280", rate=Decimal("0.25"), change_type="CA", file_segment=14),
        _change_sac(code="D170", amount=Decimal("5"), change_type="CA", file_segment=18),
        _change_sac(code="C310", amount=Decimal("1"), change_type="CA", file_segment=22)], schema=CHANGE_SACS)
    night = pa.Table.from_pylist([
        _change_sac(code="A260", amount=Decimal("10"), file_segment=8),
        _change_sac(code="F280", rate=Decimal("0.25"), change_type="CA", file_segment=14, line_id="1", line_number=1),
        _change_sac(code="C310", amount=Decimal("1"), change_type="CA", file_segment=22)], schema=CHANGE_SACS)
    got = sacs_placed_as(read, night)
    assert [(r["code"], r["line_id"], r["line_number"]) for r in got.to_pylist()] == [
        ("A260", None, None), ("F280", "1", 1), ("C310", None, None)]
    assert sacs_placed_as(night, night) is night  # nothing loose: as read


GROCER_860 = ("ISA*00*          *00*          *ZZ*STATERBROS     *ZZ*ORDERBRIDGE    *261125*1630*U*00401*000044105*0"
              """*P*>~
GS*PC*STATERBROS*ORDERBRIDGE*20261125*1630*44105*X*004010~
ST*860*0001~
BCH*04*SA*SB4410027***20261124~
POC**DI*0**CA*27.6**UP*614141503025~
POC**CA*30**CA*18**UA*061414150301~
SAC*A*F280******0.25****02*PA-7~
SE*6*0001~
GE*1*44105~
IEA*1*000044105~
""")


def test_a_grocers_860_without_poc01_puts_a_loops_sac_on_the_line_its_item_names(tmp_path):
    """Stater Bros. sending an 860 in place of the 876: its POCs carry no POC01 and name the items by UPC / case code
    (the apple juice deleted first, then the diced tomatoes cut to 30 with an F280 of 0.25 a case in its loop). The SAC
    is the diced tomatoes' (line 1), not line 2's (the loop's ordinal, the deleted apple juice: the 810 took none
    off): the 810 takes 0.25 x 30 = 7.50 off line 1."""
    fixtures = _fixtures(tmp_path)
    profile = fixtures / "partners" / "staterbros.toml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace('accepts = ["875", "876", "997"]', 'accepts = ["875", "876", "860", "997"]'),
                       encoding="utf-8")
    shipped = fixtures / "shipments" / "east-shipments-20261201.csv"  # line 1 alone (the 860 adds no item)
    rows = shipped.read_text(encoding="utf-8").splitlines(keepends=True)
    shipped.write_text("".join(r for r in rows if ",GRC-303," not in r), encoding="utf-8")
    ws = of_its_own(fixtures, tmp_path / "ws", warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    (ws.drop_root / "staterbros" / "inbox" / "staterbros-860-SB4410027.x12").write_text(GROCER_860, encoding="utf-8")
    run_stages(ws, NIGHT2)
    doc = segments(ws, "staterbros", "865")
    assert [s[1] for s in doc if s[0] == "ACK"] == ["ID", "IQ"], doc
    ws, found, states = shipped_day(ws, fixtures, SHIP_DAY)
    assert states == {("staterbros", PO): "invoiced"}, found
    body = _invoice_body(ws)
    assert body[:2] == [["IT1", "1", "30", "CA", "18", "", "UA", "061414150301"], ["SAC", "A", "F280", "", "", "750",
                                                                                  "", "", "0.25", "", "", "", "02",
                                                                                  "PA-7"]], body
    assert [s for s in body if s[0] == "SAC"] == [body[1]] and ["TDS", "53250"] in body, body
