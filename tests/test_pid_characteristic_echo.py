"""A PO1 loop's free-form PIDs as sent (ORDER_LINES pids_sent: PID02, the product/process characteristic of code list
750 such as 08 product, 73 vendor colour, 74 vendor size, 75 buyer's colour, and PID05) echoed where we echo the
line's description (the 856's item loop, the 810's IT1 loop): rg34 found `PID*F*08***X` came back as `PID*F****X`
and a colour PID beside the description was not carried. A line whose description PID is plain (PID*F****X) and
alone keeps its single PID byte for byte; a line with only colour or size PIDs (no description) still gets none
(tests/test_rg21_dollar_department.py). Our 855 writes no PID: nothing to echo there. Princess Auto's rg38
fixtures."""

from __future__ import annotations

import shutil
from datetime import datetime

from tests.retailer_support import of_its_own, po_segments, segments, shipped_night
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg38"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)
PO = "pa-850-PA0099412.x12"
LINE2_PID = "PID*F****HITCH PIN SET~"
SENT_PIDS = "PID*F*08***HITCH PIN SET~\nPID*F*73***BLACK~"


def _night(tmp_path, pids: str):
    """Princess Auto's PO with line 2's PID replaced by ``pids``, taken, shipped and invoiced."""
    fixtures = tmp_path / "rg38"
    shutil.copytree(FIXTURES, fixtures)
    po = fixtures / "drops" / "princessauto" / PO
    sent = po.read_text(encoding="utf-8")
    assert sent.count(LINE2_PID) == 1 and "SE*18*0001" in sent
    po.write_text(sent.replace(LINE2_PID, pids).replace("SE*18*0001", f"SE*{17 + pids.count('~')}*0001"),
                  encoding="utf-8")
    shipped = fixtures / "shipments" / "east-shipments-20261201.csv"
    rows = shipped.read_text(encoding="utf-8").splitlines(keepends=True)
    shipped.write_text("".join(r for r in rows if r.startswith(("Shipment ID", "PA-SHP-01"))), encoding="utf-8")
    return shipped_night(of_its_own(fixtures, tmp_path / "ws", {"princessauto": [po.name]}, warehouses=WAREHOUSES),
                         fixtures, NIGHT, SHIP_DAY, messages=True)


def _pids(segs: list[list[str]]) -> list[list[str]]:
    return [s for s in segs if s[0] == "PID"]


def test_a_line_s_pid02_and_its_colour_pid_are_echoed_as_sent(tmp_path):
    """Line 2 described as PID*F*08***HITCH PIN SET with PID*F*73***BLACK beside it: the 856 item and the 810 line
    carry both, as sent; line 1's plain PID*F****RATCHET STRAP 4PK as ever."""
    ws, found, states = _night(tmp_path, SENT_PIDS)
    assert [f[0] for f in found] == ["ASN_LATE"] and states == {("princessauto", "PA0099412"): "invoiced"}
    expected = [["PID", "F", "", "", "", "RATCHET STRAP 4PK"], ["PID", "F", "08", "", "", "HITCH PIN SET"],
                ["PID", "F", "73", "", "", "BLACK"]]
    inv = po_segments(segments(ws, "princessauto", "810"), "PA0099412", "BIG")
    assert _pids(inv) == expected
    line2 = inv.index(["IT1", "2", "36", "EA", "3.9", "", "VP", "ODR-3812", "BP", "8374438"])
    assert [s[0] for s in inv[line2:line2 + 5]] == ["IT1", "TXI", "TXI", "PID", "PID"]
    asn = po_segments(segments(ws, "princessauto", "856"), "PA-SHP-01", "BSN")
    assert _pids(asn) == expected
    # the segment counts (SE01) hold the added PIDs: every document read back by our reader
    for kind in ("856", "810"):
        for path in (ws.drop_root / "princessauto" / "outbox").glob(f"princessauto-{kind}-*.x12"):
            from parsers.x12_reader import read_interchanges

            assert not [f for f in read_interchanges(path.read_bytes(), file=path.name).findings
                        if f.severity == "error"], path.name


def test_a_plain_description_pid_is_echoed_as_before(tmp_path):
    """The fixture as sent (PID*F****X on each line): one PID per line, as ever (the column stays null)."""
    ws, _found, _states = _night(tmp_path, LINE2_PID)
    expected = [["PID", "F", "", "", "", "RATCHET STRAP 4PK"], ["PID", "F", "", "", "", "HITCH PIN SET"]]
    assert _pids(po_segments(segments(ws, "princessauto", "810"), "PA0099412", "BIG")) == expected
    assert _pids(po_segments(segments(ws, "princessauto", "856"), "PA-SHP-01", "BSN")) == expected


def test_a_line_s_pids_are_kept_as_sent():
    """ORDER_LINES pids_sent per line: null for a plain description PID alone or beside other plain ones (an English
    and a French one: the first is written, as before), or none, or a colour or size alone; the description's PID*F and
    every other PID*F with a PID02, in order, where one has a PID02, and only where the line's description is a PID*F
    (a PID*X description: none kept, written as today)."""
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges

    data = (FIXTURES / "drops" / "princessauto" / PO).read_bytes()
    pid = {"characteristic": None, "description": "HITCH PIN SET", "language": None}
    for pids, kept, description in (
            (LINE2_PID, None, "HITCH PIN SET"),
            (SENT_PIDS, [{"characteristic": "08", "description": "HITCH PIN SET", "language": None},
                         {"characteristic": "73", "description": "BLACK", "language": None}], "HITCH PIN SET"),
            ("PID*F*08***HITCH PIN SET~", [{"characteristic": "08", "description": "HITCH PIN SET", "language": None}],
             "HITCH PIN SET"),
            ("PID*F*73***BLACK~\nPID*F****HITCH PIN SET~", [{"characteristic": "73", "description": "BLACK",
                                                             "language": None}, pid], "HITCH PIN SET"),
            # each description with its language (PID09) as sent
            ("PID*F*08***HITCH PIN SET****EN~\nPID*F*08***GOUPILLE D'ATTELAGE****FR~",
             [{"characteristic": "08", "description": "HITCH PIN SET", "language": "EN"},
              {"characteristic": "08", "description": "GOUPILLE D'ATTELAGE", "language": "FR"}], "HITCH PIN SET"),
            ("PID*F*73***BLACK~", None, None),
            ("PID*F****HITCH PIN SET****EN~\nPID*F****GOUPILLE D'ATTELAGE****FR~", None, "HITCH PIN SET"),
            ("PID*F****HITCH PIN SET~\nPID*F****BLACK STEEL~\nPID*F*73***BLACK~", [pid, {"characteristic": "73",
                                                                                  "description": "BLACK",
                                                                                  "language": None}],
             "HITCH PIN SET"),
            ("PID*X*08*VI*HPS*HITCH PIN SET~\nPID*F*73***BLACK~", None, "HITCH PIN SET")):
        sent = data.replace(LINE2_PID.encode(), pids.encode()).replace(
            b"SE*18*", b"SE*%d*" % (17 + pids.count("~")))
        result = read_interchanges(sent, file="pa.x12")
        assert not [f for f in result.findings if f.severity == "error"], pids
        lines = read_orders(result, list(result.transaction_sets()), partner="princessauto")[1]
        assert lines["pids_sent"].to_pylist() == [None, kept], pids
        assert lines["description"].to_pylist() == ["RATCHET STRAP 4PK", description], pids


def test_the_856_writers_row_and_columnar_write_the_pids_alike():
    """build_856 (one shipment's segments) and build_856_texts (a night's shipments as text) write an item's PIDs
    as sent alike, each counted in SE01, each with its language (PID09) where the PO said it; an item without them
    keeps its one PID*F****description."""
    from dataclasses import replace

    from engine.asn import build_856, shipped_quantities
    from engine.asn_columnar import build_856_texts
    from engine.envelope import envelope_for, joined_body, usual_delimiters
    from schemas.fulfilment import AsnSettings
    from tests.shipping_support import NOW, PROFILES, sample_shipment

    base = sample_shipment()
    po1 = base.orders[0]
    c1 = po1.packs[0]
    sent = replace(c1.items[1], pids=(("08", "ITEM 2", "EN"), ("08", "ARTICLE 2", "FR"), ("73", "NAVY", "")))
    shipment = replace(base, orders=(replace(po1, packs=(replace(c1, items=(c1.items[0], sent)), *po1.packs[1:])),
                                     *base.orders[1:]))
    asn = AsnSettings(structure="SOPI")
    body = build_856(shipment, asn, created=NOW, expected=shipped_quantities(shipment))
    assert _pids(body) == [["PID", "F", "", "", "", "ITEM 1"], ["PID", "F", "08", "", "", "ITEM 2", "", "", "", "EN"],
                           ["PID", "F", "08", "", "", "ARTICLE 2", "", "", "", "FR"],
                           ["PID", "F", "73", "", "", "NAVY"], ["PID", "F", "", "", "", "ITEM 1"],
                           ["PID", "F", "", "", "", "ITEM 1"]]
    delimiters = usual_delimiters(envelope_for(PROFILES["acme"]))
    text = build_856_texts([shipment], asn, *delimiters, created=NOW, expected=[shipped_quantities(shipment)])[0]
    assert text == (joined_body(body, *delimiters), len(body))


def test_a_line_an_860_adds_keeps_its_pids_as_sent(tmp_path):
    """The 850 orders line 1 only; an 860 adds line 2 (POC*2*AI) described PID*F*08***HITCH PIN SET with
    PID*F*73***BLACK: the POC loop's PIDs are read as a PO1 loop's (ORDER_CHANGES pids_sent) and its 856 and 810
    write both as sent."""
    from tests.test_860_line_tax_exempt import _changed_night

    ws, found, states = _changed_night(tmp_path, ["POC*2*AI*36*36*EA*3.9**VP*ODR-3812*BP*8374438",
                                                  "PID*F*08***HITCH PIN SET", "PID*F*73***BLACK"], line2_in_850=False)
    assert states == {("princessauto", "PA0099412"): "invoiced"}, found
    expected = [["PID", "F", "", "", "", "RATCHET STRAP 4PK"], ["PID", "F", "08", "", "", "HITCH PIN SET"],
                ["PID", "F", "73", "", "", "BLACK"]]
    assert _pids(po_segments(segments(ws, "princessauto", "810"), "PA0099412", "BIG")) == expected
    assert _pids(po_segments(segments(ws, "princessauto", "856"), "PA-SHP-01", "BSN")) == expected


def test_order_lines_stored_before_pid_languages_were_kept_read_them_as_none(tmp_path):
    """ORDER_LINES stored before PID_SENT had its language (PID09): pids_sent a list of (characteristic,
    description) structs. Loaded, each PID reads as it was kept, its language null (what is written is as before:
    PID*F*08***HITCH PIN SET), in ORDER_LINES' schema; connectors.order_store gives the struct its new field (an
    Arrow cast does so from pyarrow 19 only), its lists, sliced or null, kept."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from connectors.order_store import OrderStore, _struct_fields_filled
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges
    from schemas.orders import ORDER_LINES, PID_SENT

    data = (FIXTURES / "drops" / "princessauto" / PO).read_bytes()
    sent = data.replace(LINE2_PID.encode(), SENT_PIDS.encode()).replace(b"SE*18*", b"SE*19*")
    result = read_interchanges(sent, file="pa.x12")
    orders, lines = read_orders(result, list(result.transaction_sets()), partner="princessauto")
    store = OrderStore(tmp_path)
    store.save("princessauto", "old", orders, lines)
    path = tmp_path / "princessauto" / "old.lines.parquet"
    old_type = pa.list_(pa.struct([f for f in PID_SENT if f.name != "language"]))
    table = pq.read_table(path)
    at = table.column_names.index("pids_sent")
    old = table.set_column(at, "pids_sent", table["pids_sent"].cast(old_type))
    pq.write_table(old, path)
    assert pq.read_table(path).schema.field("pids_sent").type == old_type
    loaded = store.load("princessauto", "old")[1]
    assert loaded.schema == ORDER_LINES
    assert loaded["pids_sent"].to_pylist() == [None, [
        {"characteristic": "08", "description": "HITCH PIN SET", "language": None},
        {"characteristic": "73", "description": "BLACK", "language": None}]]
    # the filling itself, without Arrow's cast: chunks sliced, null lists and empty ones
    kept = pa.array([[{"characteristic": "08", "description": "X"}], None, [], [{"characteristic": None,
                                                                                  "description": "Y"}]], old_type)
    column = pa.table({"pids_sent": pa.chunked_array([kept.slice(1), kept.slice(0, 1)])})
    filled = _struct_fields_filled(column, ORDER_LINES)
    assert filled.schema.field("pids_sent").type == ORDER_LINES.field("pids_sent").type
    assert filled["pids_sent"].to_pylist() == [None, [], [{"characteristic": None, "description": "Y",
                                                           "language": None}],
                                               [{"characteristic": "08", "description": "X", "language": None}]]


def test_a_line_an_860_adds_keeps_each_pid_s_language(tmp_path):
    """An 860 adding line 2 (POC*2*AI) described in English and French, PID*F*08 with PID09 EN and FR: the POC
    loop's PIDs are kept with their languages (ORDER_CHANGES pids_sent) and its 856 and 810 write each with its own."""
    from tests.test_860_line_tax_exempt import _changed_night

    ws, found, states = _changed_night(tmp_path, ["POC*2*AI*36*36*EA*3.9**VP*ODR-3812*BP*8374438",
                                                  "PID*F*08***HITCH PIN SET****EN",
                                                  "PID*F*08***GOUPILLE D'ATTELAGE****FR"], line2_in_850=False)
    assert states == {("princessauto", "PA0099412"): "invoiced"}, found
    expected = [["PID", "F", "", "", "", "RATCHET STRAP 4PK"],
                ["PID", "F", "08", "", "", "HITCH PIN SET", "", "", "", "EN"],
                ["PID", "F", "08", "", "", "GOUPILLE D'ATTELAGE", "", "", "", "FR"]]
    assert _pids(po_segments(segments(ws, "princessauto", "810"), "PA0099412", "BIG")) == expected
    assert _pids(po_segments(segments(ws, "princessauto", "856"), "PA-SHP-01", "BSN")) == expected
