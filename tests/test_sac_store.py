"""The 850's SAC allowances and charges kept as data with their order (schemas.orders.ORDER_SACS, the order
store's "sacs" kind), and the reconciliation reading what a PO promised from there: every SAC, however many
(the SAC_NOT_APPLIED words name ten and count the rest). An order stored before SACs were kept has no SAC
table: its promises are read from its finding's words, as before (no ALLOWANCE_NOT_APPLIED lost on upgrade).
Retailers' 850s carry a dozen SACs and more (a promotional allowance per deal, a freight and a handling
charge, a defective allowance per line), heading and PO1 loops mixed."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.order_store import OrderStore
from engine.finance_inputs import allowances_of, findings_not_of, po_charges, stored_po_charges
from parsers.orders_850 import read_orders, read_orders_with_sacs
from parsers.x12_reader import read_interchanges
from rules.structure import check_structure
from schemas.findings import sacs_text
from schemas.orders import ORDER_SACS
from schemas.reconciliation import PO_ALLOWANCES, PO_CHARGES
from schemas.sac_words import sacs_in_words
from tests.support import GOOD_PO, x12_850

HEAD, LINES = GOOD_PO[:6], GOOD_PO[6:9]
# twelve allowances, 1.00 to 12.00 (SAC05 N2): ten in the heading, the last two in line 1's PO1 loop
CODES = ("C000", "C310", "F800", "A260", "B720", "C300", "D170", "E170", "F050", "F170", "H000", "I530")
TWELVE = [f"SAC*A*{code}***{(k + 1) * 100}" for k, code in enumerate(CODES)]


def _parsed(head_sacs: list[str], line_sacs: list[str] = ()):
    result = read_interchanges(x12_850(HEAD[:2] + head_sacs + HEAD[2:] + LINES[:2] + list(line_sacs) + LINES[2:]
                                       + ["CTT*2*18"], ))
    return result, list(result.transaction_sets())


def test_the_parser_keeps_each_sac_with_its_line_amount_percent_and_handling():
    result, sets = _parsed(["SAC*A*C310***0*1*2*****02***PROMOTIONAL ALLOWANCE", "SAC*N*D240",
                            "SAC*C*D240***2500*******06***FREIGHT"],
                           ["SAC*A*C000****3*2.5", "SAC*C*H850***-150***1.25****05"])
    orders, lines, sacs = read_orders_with_sacs(result, sets, partner="acme", source_sha256="abc")
    assert sacs.schema == ORDER_SACS
    assert (orders.num_rows, lines.num_rows) == (1, 2)
    got = [(r["line_number"], r["line_id"], r["kind"], r["code"], r["amount"], r["basis"], r["percent"], r["rate"],
            r["handling"], r["description"]) for r in sacs.to_pylist()]
    assert got == [  # SAC*N asks nothing: not kept
        (None, None, "A", "C310", Decimal("0"), "1", Decimal("2"), None, "02", "PROMOTIONAL ALLOWANCE"),
        (None, None, "C", "D240", Decimal("25.00"), None, None, None, "06", "FREIGHT"),
        (1, "1", "A", "C000", None, "3", Decimal("2.5"), None, None, None),
        (1, "1", "C", "H850", Decimal("-1.50"), None, None, Decimal("1.25"), "05", None)]
    r = sacs.to_pylist()[0]
    assert (r["partner"], r["po_number"], r["order_ref"], r["source_sha256"], r["st02"]) == (
        "acme", "PO-1", orders["order_ref"][0].as_py(), "abc", "0001")
    assert r["segment_position"] == 4  # ST, BEG, CUR, SAC
    # read_orders (inspect, tests) is what it was: orders and lines alone
    assert [t.num_rows for t in read_orders(result, sets, partner="acme")] == [1, 2]


def test_a_po_without_sacs_builds_an_empty_table():
    result, sets = _parsed([])
    assert read_orders_with_sacs(result, sets, partner="acme")[2].num_rows == 0


def test_the_store_keeps_the_sacs_beside_the_order_and_tells_an_order_stored_before(tmp_path):
    result, sets = _parsed(TWELVE[:2])
    orders, lines, sacs = read_orders_with_sacs(result, sets, partner="acme", source_sha256="new")
    store = OrderStore(tmp_path)
    store.save("acme", "new", orders, lines, sacs=sacs)
    store.save("acme", "none", orders, lines, sacs=ORDER_SACS.empty_table())  # a file whose POs sent none
    store.save("acme", "old", orders, lines)  # as every file was stored before SACs were kept
    store.save("acme", "big", orders, lines, sacs=sacs)
    store.save("acme", "big", orders, lines, part=1, sacs=sacs)  # a file read a piece at a time
    assert store.sac_keys("acme") == frozenset({"new", "none", "big"})
    assert store.has_sacs("acme", "new") and store.has_sacs("acme", "none") and not store.has_sacs("acme", "old")
    assert store.load_sacs("acme", "new").equals(sacs)
    assert store.load_sacs("acme", "none").num_rows == 0 and store.load_sacs("acme", "old").num_rows == 0
    assert store.load_sacs("acme", "big").num_rows == 4
    # the empty table is the file pq.write_table writes
    assert pq.read_table(tmp_path / "acme" / "none.sacs.parquet").schema == ORDER_SACS
    assert store.load("acme", "old")[0].equals(store.load("acme", "new")[0])


def _orders_row(orders: pa.Table, key: str, sha: str) -> pa.Table:
    return pa.table({"partner": ["acme"], "po_number": [key], "order_ref": [orders["order_ref"][0].as_py()],
                     "source_sha256": [sha]})


def test_twelve_sacs_are_twelve_promises_where_the_words_name_ten():
    result, sets = _parsed(TWELVE[:10], TWELVE[10:])
    words = [f for f in check_structure(result, sets) if f.code == "SAC_NOT_APPLIED"][0].message
    assert "and 2 more" in words and "I530" not in words  # the message for people names ten
    orders, _, sacs = read_orders_with_sacs(result, sets, partner="acme", source_sha256="sha")
    charges = stored_po_charges(sacs, _orders_row(orders, "PO-1", "sha"))
    assert charges.schema == PO_CHARGES
    assert [r["code"] for r in charges.to_pylist()] == list(CODES)
    assert sum(r["amount"] for r in charges.to_pylist()) == Decimal("78.00")
    assert {r["more"] for r in charges.to_pylist()} == {0}
    last = charges.to_pylist()[-1]
    assert (last["line_id"], last["words"], last["file"]) == ("1", "allowance I530 12.00 (line 1)", "")
    # each item worded as the finding words it
    for r in charges.to_pylist()[:10]:
        assert r["words"] in words
    allowances = allowances_of(charges)
    assert allowances.schema == PO_ALLOWANCES and allowances.num_rows == 12
    # the words of the same PO read back: ten, and two counted
    old = po_charges(pa.table({"partner": ["acme"], "po_number": ["PO-1"], "message": [words], "file": ["f"],
                               "sacs": [sacs_text(*sacs_in_words(words))]}))  # recorded before: migrated
    assert old.num_rows == 10 and old["more"].to_pylist() == [2] * 10


def test_a_stored_file_s_other_850s_and_a_replaced_po_are_not_the_order_s_promises():
    result, sets = _parsed(TWELVE[:3])
    orders, _, sacs = read_orders_with_sacs(result, sets, partner="acme", source_sha256="sha")
    # the order's current 850 came in another file (a replacement): this file's SACs are not its promises
    assert stored_po_charges(sacs, _orders_row(orders, "PO-1", "other")).num_rows == 0
    # keyed as the order is (a release key), whatever BEG03 says
    got = stored_po_charges(sacs, _orders_row(orders, "PO-1\x1e2", "sha"))
    assert set(got["po_number"].to_pylist()) == {"PO-1\x1e2"}


def test_the_words_are_read_only_for_orders_whose_sacs_are_not_stored():
    findings = pa.table({"partner": ["acme", "acme", "globex"], "po_number": ["PO-1", "PO-2", "PO-1"],
                         "message": ["a", "b", "c"], "file": ["f1", "f2", "f3"]})
    keys = pa.table({"partner": ["acme"], "po_number": ["PO-1"]})
    assert findings_not_of(findings, keys)["message"].to_pylist() == ["b", "c"]
    assert findings_not_of(findings, keys.slice(0, 0)) is findings


# --- end to end: intake stores the SACs, the reconciliation reads them ------------------------------------


def _twelve_sac_workspace(tmp_path, monkeypatch):
    """ACME-1000's 850 carries the twelve allowances (ten in the heading, two in line 1's loop); it is shipped
    and invoiced by the night and day of tests.test_shipment_charges (our 810 applies none of them)."""
    import tests.test_shipment_charges as harness

    real = harness.run_stages

    def run_stages(w, now, *a, **k):
        if now == harness.NIGHT1:
            po = w.drop_root / "acme" / "inbox" / "acme-po-01.x12"
            text = po.read_text()
            head, rest = text.split("BEG*00*SA*ACME-1000**20261126~\nCUR*BY*USD~\n", 1)
            rest = rest.replace("PID*F****Copy paper A4~\n", "PID*F****Copy paper A4~\n"
                                + "".join(f"{s}~\n" for s in TWELVE[10:]), 1)
            rest = rest.replace("SE*14*0001~", "SE*26*0001~", 1)
            po.write_text(head + "BEG*00*SA*ACME-1000**20261126~\nCUR*BY*USD~\n"
                          + "".join(f"{s}~\n" for s in TWELVE[:10]) + rest)
        return real(w, now, *a, **k)

    monkeypatch.setattr(harness, "run_stages", run_stages)
    ws, _ = harness.one_bol_two_pos(tmp_path, per="shipment", split=None)
    return ws


def _reconciled(ws, run_id: str) -> tuple[dict, list[dict]]:
    from connectors.state import StateStore
    from flows.reconcile import reconcile_run

    state = StateStore(ws.state_path)
    try:
        assert "SAC_NOT_APPLIED" in {f["code"] for f in state.findings()}
        reconcile_run(ws, ws.partners(), state, now=datetime(2026, 11, 28, 2), run_id=run_id)
        found = [x for x in state.stored_exceptions(active=True).to_pylist() if x["type"] == "ALLOWANCE_NOT_APPLIED"]
    finally:
        state.close()
    rows = pq.read_table(ws.reports_dir / run_id / "finance" / "data" / "charges.parquet").to_pylist()
    return {(r["po_number"], r["code"]): r for r in rows if r["kind"] == "A"}, found  # the freight: the profile's


def test_a_po_with_twelve_sacs_is_reconciled_whole(tmp_path, monkeypatch):
    """Every one of the twelve allowances is a promise not taken (the 810 carries none): 78.00 the retailer
    will deduct. Read from the words, the last two were counted, never priced: 55.00."""
    ws = _twelve_sac_workspace(tmp_path, monkeypatch)
    stored = sorted((ws.orders_dir / "acme").glob("*.sacs.parquet"))
    assert stored and sum(pq.read_table(p).num_rows for p in stored) == 12
    got, found = _reconciled(ws, "recon")
    mine = {code: r for (po, code), r in got.items() if po == "ACME-1000"}
    assert sorted(mine) == sorted(CODES)
    assert all(r["flag"] == "allowance_not_taken" for r in mine.values()), mine
    assert (mine["I530"]["promised_value"], mine["I530"]["line_ids"]) == (Decimal("12.00"), "1")
    (x,) = found
    assert (x["po_number"], x["amount_at_risk"]) == ("ACME-1000", Decimal("78.00"))
    assert "allowance I530 12.00 (line 1)" in x["message"] and "more allowances or charges" not in x["message"]


def test_an_order_stored_before_sacs_were_kept_reads_its_finding_s_words(tmp_path, monkeypatch):
    """The same night, its SAC table gone as if the 850 had been taken in before SACs were kept: the promises
    come from the SAC_NOT_APPLIED words, as they did (ten named, two counted): nothing an upgrade loses."""
    ws = _twelve_sac_workspace(tmp_path, monkeypatch)
    for p in (ws.orders_dir / "acme").glob("*.sacs*.parquet"):
        p.unlink()
    got, found = _reconciled(ws, "recon")
    mine = {code: r for (po, code), r in got.items() if po == "ACME-1000"}
    assert sorted(mine) == sorted(CODES[:10])
    assert all(r["flag"] == "allowance_not_taken" for r in mine.values()), mine
    (x,) = found
    assert (x["po_number"], x["amount_at_risk"]) == ("ACME-1000", Decimal("55.00"))
    assert "and 2 more allowances or charges the PO named" in x["message"]


def test_an_interchange_read_in_batches_keeps_the_sacs_a_whole_read_keeps():
    """A large interchange (engine.process_batches) gives each batch's SACs, their file positions the file's."""
    from tests.test_intake_batches import _batched_file, _group, _ic, _set, _whole_file
    from tests.test_intake_streaming import _po

    def po(k: int) -> list[str]:
        body = _po(f"PO-{k}")
        return [*body[:2], f"SAC*A*C310***{k}00", *body[2:-1], f"SAC*C*D240***{k}50*1*2", body[-1]]

    data = _ic([_group("PO", "701", [_set("850", f"{k:04d}", po(k)) for k in range(5)])], isa13=701)
    whole = [r for o in _whole_file(data) for r in o.sacs.to_pylist()]
    batched = [r for o in _batched_file(data, max_sets=2)[0] for r in o.sacs.to_pylist()]
    assert len(whole) == 10 and batched == whole
    assert [(r["po_number"], r["line_number"], r["code"], r["amount"]) for r in whole[2:4]] == [
        ("PO-1", None, "C310", Decimal("1.00")), ("PO-1", 2, "D240", Decimal("1.50"))]


def test_the_parser_keeps_the_agency_unit_quantity_and_deal_number():
    """SAC03/SAC04 (the agency and its code), SAC09/SAC10 (unit and quantity) and SAC13 (the deal or promotion
    number finance matches a deduction or bill back by) are kept; an 003010 PO's ITA alike (ITA02 agency, ITA11
    unit, ITA10 quantity, ITA05 allowance or charge number)."""
    result, sets = _parsed(["SAC*A*C310*VI*PROMO7*5000****CA*12**01*DEAL-4471**CO-OP"])
    _orders, _lines, sacs = read_orders_with_sacs(result, sets, partner="acme", source_sha256="abc")
    [r] = sacs.to_pylist()
    assert (r["code"], r["agency"], r["agency_code"], r["amount"], r["unit"], r["quantity"], r["handling"],
            r["reference"], r["description"]) == ("C310", "VI", "PROMO7", Decimal("50.00"), "CA", Decimal("12"),
                                                  "01", "DEAL-4471", "CO-OP")
    charges = stored_po_charges(sacs, pa.table({"partner": ["acme"], "po_number": ["PO-1"],
                                                "order_ref": [r["order_ref"]], "source_sha256": ["abc"]}))
    [c] = charges.to_pylist()
    assert (c["reference"], c["agency_code"]) == ("DEAL-4471", "VI:PROMO7")
    [a] = allowances_of(charges).to_pylist()
    assert (a["reference"], a["handling"]) == ("DEAL-4471", "01")


def test_an_003010_ita_keeps_its_allowance_number_as_the_reference():
    """ITA05 (allowance or charge number: "referencing an allowance, promotion, deal") is an ITA's reference,
    ITA02 its agency, ITA10/ITA11 its quantity and unit."""
    from tests.test_wild_850 import interchange

    body = ["BEG*00*SA*PO-ITA**261126", "ITA*A*VI*D240*01*DEAL-88**2500***24*CA", "DTM*002*261215",
            "N1*ST*Acme Store 2*92*0002", "PO1*1*12*EA*19.70**UP*614141100101", "CTT*1*12"]
    result = read_interchanges(interchange(body, version="003010", isa12="00301", gs04="261127"), file="ita.x12")
    _orders, _lines, sacs = read_orders_with_sacs(result, list(result.transaction_sets()), partner="acme",
                                                  source_sha256="x")
    [r] = sacs.to_pylist()
    assert (r["code"], r["handling"], r["reference"], r["agency"], r["agency_code"], r["quantity"], r["unit"],
            r["amount"]) == ("D240", "01", "DEAL-88", "VI", None, Decimal("24"), "CA", Decimal("25.00"))


def test_a_sac_table_stored_before_the_deal_number_was_kept_reads_it_as_null(tmp_path):
    """Stored SAC tables of earlier nights lack SAC03/04/09/10/13: they read as null (no migration)."""
    from schemas.orders import SACS_ADDED_LATER

    result, sets = _parsed(["SAC*A*C310***2500"])
    _orders, _lines, sacs = read_orders_with_sacs(result, sets, partner="acme", source_sha256="abc")
    old = sacs.select([n for n in ORDER_SACS.names if n not in SACS_ADDED_LATER])
    (tmp_path / "acme").mkdir()
    pq.write_table(old, tmp_path / "acme" / "abc.sacs.parquet")
    got = OrderStore(tmp_path).load_sacs("acme", "abc")
    assert got.schema == ORDER_SACS and got.num_rows == 1
    assert got["reference"].to_pylist() == [None] and got["amount"].to_pylist() == [Decimal("25.00")]


def test_an_860s_sacs_are_read_with_their_poc_and_stored_beside_its_change_tables(tmp_path):
    """An 860's SACs (heading, and in a POC loop: its POC01 line and POC02 type), SAC01 N kept (it takes a code
    off), stored beside the change tables ("change-sacs"); an 860 without SACs writes none and reads empty."""
    from parsers.orders_860 import read_changes_with_sacs
    from schemas.changes import CHANGE_SACS
    from tests.test_change_units_860 import x12_860

    body = ["BCH*04*SA*PO-1***20261127", "SAC*A*C310***0*1*3*****02", "SAC*N*D240",
            "POC*1*CA*10**EA*2.5**VN*X", "SAC*A*C000***500*******02*DEAL-9", "CTT*1"]
    result = read_interchanges(x12_860(body))
    headers, changes, sacs = read_changes_with_sacs(result, list(result.transaction_sets()), partner="acme",
                                                    source_sha256="chg")
    assert sacs.schema == CHANGE_SACS
    assert [(r["line_id"], r["kind"], r["code"], r["purpose"], r["change_type"], r["reference"])
            for r in sacs.to_pylist()] == [(None, "A", "C310", "04", None, None), (None, "N", "D240", "04", None, None),
                                           ("1", "A", "C000", "04", "CA", "DEAL-9")]
    assert set(sacs["order_ref"].to_pylist()) == set(headers["change_ref"].to_pylist())
    store = OrderStore(tmp_path)
    store.save_changes("acme", "chg", headers, changes, sacs=sacs)
    assert store.load_change_sacs("acme", "chg").to_pylist() == sacs.to_pylist()
    store.save_changes("acme", "plain", headers, changes, sacs=CHANGE_SACS.empty_table())
    assert not (tmp_path / "acme" / "plain.change-sacs.parquet").exists()
    assert store.load_change_sacs("acme", "plain").num_rows == 0
    assert store.sac_keys("acme", "change-sacs") == frozenset({"chg"}) and store.sac_keys("acme") == frozenset()
