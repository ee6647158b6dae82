"""`state rebuild` of an order a grocer's 876 changed, then its ship day: the 856 and the 810 are the ones the
store never lost gives. Stater Bros. (rg33's grocery_875 fixtures, tests/test_grocery_876.py): the 875 on night 1,
the 876 on night 2 (the diced tomatoes cut 40 -> 30, the apple juice deleted, the rice added), both nightly flows
(their reports hold the allocation a rebuild reserves again), the store lost and rebuilt, shipped on 12-01.

The 865 answering an 876 names its lines by their items alone (no POC01: a G68 has no line number), so the
rebuild read none of its POCs as line 1's: line 1 came back as the 875's 40 (IA), not the 876's 30 (IQ)
(engine.lifecycle.restore.named_by_item names each POC by the stored line its product ids name)."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from flows.night import InProcess, run_night
from tests.retailer_support import of_its_own, po_segments, segments, shipped_day
from tests.support import rebuilt_store
from tests.test_grocery_876 import CHANGE, NIGHT2, SHIP_DAY, _fixtures
from tests.test_grocery_876_allowance_edges import GROCER_860
from tests.test_rg33_regional_grocers_boscovs import NIGHT, WAREHOUSES

PO = "SB4410027"
LINES = ("SELECT line_number, line_id, sku, state, ack, ordered, unit, unit_price, allocated, backordered, warehouses "
         "FROM order_lines ORDER BY line_number")
RESERVED = "SELECT line_number, warehouse, sku, quantity FROM reservations ORDER BY line_number"


def _rows(ws, sql):
    db = sqlite3.connect(ws.state_path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def _body(ws, kind, head, number):
    return [s for s in po_segments(segments(ws, "staterbros", kind), number, head)
            if s[0] not in ("ISA", "GS", "GE", "IEA", "SE", "ST")]


def _two_flow_nights(tmp, change=CHANGE, text: str = ""):
    """The 875's nightly flow, then the change's (the 876 file ``change``, or an 860 of ``text``: the profile takes
    860s too, and the DC ships line 1 alone, the 860 adding no item): (ws, fixtures)."""
    fixtures = _fixtures(tmp)
    if text:
        profile = fixtures / "partners" / "staterbros.toml"
        profile.write_text(profile.read_text(encoding="utf-8").replace(
            'accepts = ["875", "876", "997"]', 'accepts = ["875", "876", "860", "997"]'), encoding="utf-8")
        shipped = fixtures / "shipments" / "east-shipments-20261201.csv"
        rows = shipped.read_text(encoding="utf-8").splitlines(keepends=True)
        shipped.write_text("".join(r for r in rows if ",GRC-303," not in r), encoding="utf-8")
    ws = of_its_own(fixtures, tmp / "ws", warehouses=WAREHOUSES)
    run_night(str(ws.root), stages=InProcess(), now=NIGHT.isoformat(), use_gx=False)
    inbox = ws.drop_root / "staterbros" / "inbox"
    if text:
        (inbox / "staterbros-860-SB4410027.x12").write_text(text, encoding="utf-8")
    else:
        shutil.copy2(change, inbox / change.name)
    run_night(str(ws.root), stages=InProcess(), now=NIGHT2.isoformat(), use_gx=False)
    return ws, fixtures


def _lost(ws):
    rebuilt_store(ws.root)


def test_an_order_an_876_changed_ships_after_a_rebuild_as_without_it(tmp_path):
    kept, fixtures = _two_flow_nights(tmp_path / "kept")
    lost, _ = _two_flow_nights(tmp_path / "lost")
    night_lines, night_reserved = _rows(kept, LINES), _rows(kept, RESERVED)
    assert [r[:6] for r in night_lines] == [(1, "1", "GRC-301", "allocated", "IQ", "30"),
                                            (2, "2", "GRC-302", "deleted", "ID", "25"),
                                            (3, "", "GRC-303", "allocated", "IA", "20")], night_lines
    _lost(lost)
    # the lines and reservations the night left after the 876 (line 1 is the 876's 30 IQ, not the 875's 40 IA)
    assert _rows(lost, LINES) == night_lines
    assert _rows(lost, RESERVED) == night_reserved
    kept, found_kept, states_kept = shipped_day(kept, fixtures, SHIP_DAY)
    lost, found, states = shipped_day(lost, fixtures, SHIP_DAY)
    assert states == states_kept == {("staterbros", PO): "invoiced"}, found
    assert found == found_kept
    asn = _body(lost, "856", "BSN", "SB-SHP-02")
    assert [s[1:4] for s in asn if s[0] == "SN1"] == [["", "30", "CA"], ["", "20", "CA"]], asn
    assert asn == _body(kept, "856", "BSN", "SB-SHP-02")
    inv = _body(lost, "810", "BIG", PO)
    assert [s[1:5] for s in inv if s[0] == "IT1"] == [["1", "30", "CA", "18"], ["3", "20", "CA", "21.6"]], inv
    assert ["TDS", "97200"] in inv
    assert inv == _body(kept, "810", "BIG", PO)


PLAIN_860 = GROCER_860.replace("POC**DI*0**CA*27.6", "POC*2*DI*0**CA*27.6").replace("POC**CA*30**CA*18",
                                                                                  "POC*1*CA*30**CA*18")


@pytest.mark.parametrize("text", [GROCER_860, PLAIN_860], ids=["860-items-alone", "860-with-poc01"])
def test_an_order_an_860_changed_ships_after_a_rebuild_as_without_it(tmp_path, text):
    """The same with an 860 in place of the 876 (the apple juice deleted, the diced tomatoes cut to 30 with an F280 of
    0.25 a case): its POCs naming the items alone (the 865 echoing them with no POC01: it failed as the 876 did), or
    naming the lines by POC01 (the plain 860: it came back right before too)."""
    kept, fixtures = _two_flow_nights(tmp_path / "kept", text=text)
    lost, _ = _two_flow_nights(tmp_path / "lost", text=text)
    night_lines, night_reserved = _rows(kept, LINES), _rows(kept, RESERVED)
    assert [r[:6] for r in night_lines] == [(1, "1", "GRC-301", "allocated", "IQ", "30"),
                                            (2, "2", "GRC-302", "deleted", "ID", "25")], night_lines
    _lost(lost)
    assert _rows(lost, LINES) == night_lines
    assert _rows(lost, RESERVED) == night_reserved
    kept, found_kept, states_kept = shipped_day(kept, fixtures, SHIP_DAY)
    lost, found, states = shipped_day(lost, fixtures, SHIP_DAY)
    assert states == states_kept == {("staterbros", PO): "invoiced"}, found
    assert found == found_kept
    assert _body(lost, "856", "BSN", "SB-SHP-02") == _body(kept, "856", "BSN", "SB-SHP-02")
    inv = _body(lost, "810", "BIG", PO)
    assert [s[1:5] for s in inv if s[0] == "IT1"] == [["1", "30", "CA", "18"]], inv
    assert ["TDS", "53250"] in inv, inv  # 30 x 18.00 less 0.25 x 30
    assert inv == _body(kept, "810", "BIG", PO)


def test_named_by_item_names_an_865s_unnumbered_pocs_by_the_line_their_ids_name():
    """engine.lifecycle.restore.named_by_item on an 865 as parsers.outbox_documents reads it back: a POC with no POC01
    takes the line id of the stored line its product ids name (line 1 by its UA case code, the added line 3, which has
    no line id, by its number); one whose ids name no stored line (the deleted item, gone from the revision) or more
    than one stays unnamed; a POC with POC01 keeps it; the prices and units follow."""
    from engine.lifecycle.restore import SentAnswer, named_by_item
    from parsers.outbox_documents import read_sent

    sent = ("ISA*00*          *00*          *ZZ*ORDERBRIDGE    *ZZ*STATERBROS     *261126*0200*U*00401*000000004*0*P*>~"
            "GS*CA*ORDERBRIDGE*STATERBROS*20261126*0200*4*X*004010~ST*865*0004~BCA*00*AD*SB4410027***20261124~"
            "POC**CA*30**CA*18**UA*061414150301~ACK*IQ*30*CA~POC**DI*0**CA*27.6**UP*614141503025~ACK*ID*0*CA~"
            "POC**AI*20**CA*21.6**UP*614141503032~ACK*IA*20*CA~POC**CA*5**CA*1**UP*999~ACK*IA*5*CA~"
            "POC*7*CA*5**CA*1**UP*614141503032~ACK*IA*5*CA~SE*13*0004~GE*1*4~IEA*1*000000004~").encode("ascii")
    [ic] = read_sent(sent)
    [s] = ic.sets
    assert s.items == ((("UA", "061414150301"),), (("UP", "614141503025"),), (("UP", "614141503032"),),
                       (("UP", "999"),), (("UP", "614141503032"),))
    answer = SentAnswer("865", "k", "f", ic.date, s.purpose, s.ack_type, s.lines, s.prices, s.units, s.items)
    rows = [{"line_number": 1, "line_id": "1", "product_ids": [{"qualifier": "UA", "id": "061414150301"}]},
            {"line_number": 3, "line_id": "", "product_ids": [{"qualifier": "UP", "id": "614141503032"}],
             "upc": "614141503032"},
            {"line_number": 4, "line_id": "4", "product_ids": [], "upc": "999"},
            {"line_number": 5, "line_id": "5", "product_ids": [{"qualifier": "UP", "id": "999"}]}]
    got = named_by_item(answer, rows)
    assert [n for n, _q, _a in got.lines] == ["1", "", "3", "", "7"]
    assert [n for n, _p in got.prices] == ["1", "", "3", "", "7"] and got.units[0] == ("1", "CA")
    assert [a for _n, _q, a in got.lines] == [a for _n, _q, a in answer.lines]
    assert named_by_item(answer, []) == answer  # no stored lines: as read
