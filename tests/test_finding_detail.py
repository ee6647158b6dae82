"""A finding's detail (schemas.findings.Detail): the facts its words state that code acts on, kept as data in the
findings table's shipment_id, qualifier and our_810s columns (schema version FINDING_DETAIL) and read from there,
never from the words: the shipment a ship-stage finding held (engine.reconcile.held_on_lines), the DTM qualifier a
DTM02 finding is about (engine.csv_findings), what our 810s bill for each SAC a SAC_NOT_APPLIED finding names
(engine.finance_inputs.po_charges)."""

from __future__ import annotations

import pyarrow as pa

from schemas.findings import Detail, detail_values, finding, our_810s_of, sacs_text
from schemas.lifecycle import FindingRecord
from schemas.sac_words import sacs_in_words

HELD = "shipment S-1 held: no 856, nothing consumed; the warehouse must send a corrected confirmation"


def _records() -> list[FindingRecord]:
    held = finding("SHIPMENT_SKU_MISMATCH", "Shipment S-1 line 1: SKU-9 is not the line's item.", seg="W12",
                   detail=Detail(shipment_id="S-1"))
    sac = finding("SAC_NOT_APPLIED", "The PO asks ...", seg="SAC",
                  detail=Detail(our_810s=("on our 810s", "not on our 810s")))
    return [FindingRecord(held, "acme", "PO-1", HELD, "shipments"),
            FindingRecord(sac, "acme", "PO-2", "none (warning)", "intake")]


def test_a_detail_is_stored_in_its_columns_and_read_back(store_target):
    from connectors.state import FINDING_DETAIL_COLUMNS, StateStore

    store = StateStore(store_target())
    try:
        store.add_findings(_records(), run_id="n1")
        stored = store._q(f"SELECT po_number, {', '.join(FINDING_DETAIL_COLUMNS)} FROM findings ORDER BY id")
        assert [tuple(r) for r in stored] == [("PO-1", "S-1", None, None),
                                              ("PO-2", None, None, "on our 810s; not on our 810s")]
        held = store.held_shipment_findings().to_pylist()
        assert held == [{"partner": "acme", "po_number": "PO-1", "code": "SHIPMENT_SKU_MISMATCH",
                         "message": "Shipment S-1 line 1: SKU-9 is not the line's item.", "shipment_id": "S-1",
                         "line_number": None}]  # (no held_lines kept for S-1: tests/test_held_lines.py)
        assert our_810s_of(stored[1][3]) == ("on our 810s", "not on our 810s") and our_810s_of(None) is None
    finally:
        store.close()


def test_a_store_before_finding_detail_gets_the_columns_and_its_held_shipments(store_target):
    """On both back ends: a version 26 store migrates; a ship-stage finding recorded before gets the shipment its
    consequence named (read once, by the migration), so the reconciliation still reads it held; nothing else."""
    from connectors.state import COLUMNS_ADDED_IN, StateStore
    from connectors.state_migrations import ACK_TIMED_BY, FINDING_DETAIL, LATEST

    target = store_target()
    store = StateStore(target)
    with store.transaction():  # what a version 26 store looks like, with the findings it recorded
        store._many("INSERT INTO findings (id, run_id, stage, partner, po_number, code, severity, message,"
                    " consequence) VALUES (?, 'n1', ?, 'acme', ?, ?, 'error', 'm', ?)",
                    [(1, "shipments", "PO-1", "SHIPMENT_SKU_MISMATCH", HELD),
                     (2, "shipments", "PO-2", "ASN_NOT_BUILT", "shipment held: no 856, nothing consumed"),
                     (3, "shipments", "PO-3", "SHIPMENT_ID_DUPLICATE", "shipment S-3 not recorded again"),
                     (4, "intake", "PO-4", "PO_LINE_PRICE", "line IR")])
        for table, column, _ in COLUMNS_ADDED_IN[FINDING_DETAIL]:
            store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(ACK_TIMED_BY),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == FINDING_DETAIL + 12 == ACK_TIMED_BY + 14
        assert {"shipment_id", "qualifier", "our_810s"} <= set(store._columns("findings"))
        assert [tuple(r) for r in store._q("SELECT id, shipment_id, qualifier, our_810s FROM findings ORDER BY id")
                ] == [(1, "S-1", None, None), (2, None, None, None), (3, None, None, None), (4, None, None, None)]
        assert [(r["po_number"], r["shipment_id"]) for r in store.held_shipment_findings().to_pylist()] == \
            [("PO-1", "S-1")]
    finally:
        store.close()


def test_a_detail_is_not_in_what_a_report_writes():
    f = finding("SAC_NOT_APPLIED", "m", seg="SAC", detail=Detail(our_810s=("on our 810s",)))
    assert "detail" not in f.to_dict()
    assert detail_values(Detail()) == (None, None, None, None)
    assert detail_values(f.detail) == (None, None, "on our 810s", None)


def test_held_on_lines_reads_the_shipment_of_each_finding():
    from engine.reconcile import held_on_lines

    lines = pa.table({"partner": ["acme", "acme"], "po_number": ["PO-1", "PO-2"], "shipped_quantity": [0, 0],
                      "acknowledged_quantity": [5, 5], "ordered_quantity": [5, 5],
                      "cancelled_at": pa.nulls(2, pa.timestamp("s"))})
    held = pa.table({"partner": ["acme"], "po_number": ["PO-1"], "code": ["SHIPMENT_SKU_MISMATCH"],
                     "message": ["m"], "shipment_id": ["S 1 held: A"]})
    shipped = pa.table({"partner": pa.array([], pa.string()), "shipment_id": pa.array([], pa.string())})
    assert held_on_lines(lines, held, shipped).to_pylist() == ["S 1 held: A held (SHIPMENT_SKU_MISMATCH: m)", None]


# --- a DTM02 finding's qualifier (engine.csv_findings: the CSV column of the date it is about) ---------------------

def test_a_date_finding_names_its_qualifier_and_its_column_is_read_from_it():
    """rules.business.places gives each DTM02 finding the DTM01 it is about; a CSV order's finding is placed in that
    date's column by it, not by the qualifiers its message names (a window too long names none: no column before)."""
    from datetime import date

    from engine.csv_findings import _field
    from rules.business.places import check_dates
    from schemas.rule_settings import RuleSettings

    orders = pa.table({"partner": ["acme"], "po_number": ["PO-1"], "source_file": ["po.csv"], "isa13": ["CSV"],
                       "gs06": ["1"], "st02": ["2"], "order_ref": ["r"], "po_date": [date(2026, 11, 1)],
                       "ship_not_before": [date(2026, 12, 1)], "ship_no_later": [date(2028, 6, 1)]})
    found = check_dates(orders, today=date(2026, 11, 27), settings=RuleSettings())
    window = [f for f in found if "longer than" in f.message]
    assert window and {(f.location.element, f.detail.qualifier) for f in window} == {("DTM02", "038")}
    assert _field(window[0], ()) == "ship_no_later"
    said = finding("DATE_IN_PAST", "DTM 001 (cancel after) 2026-12-01 and DTM 038 (ship no later) 2026-12-01.",
                   seg="DTM", element="DTM02", value="2026-12-01", detail=Detail(qualifier="001"))
    assert _field(said, ()) == "cancel_after"  # the words' last would be 038's


# --- SAC_NOT_APPLIED: what our 810s bill for each SAC named -------------------------------------------------------

def test_a_sac_finding_says_in_its_detail_what_our_810s_bill_and_finance_reads_it():
    from engine.finance_inputs import po_charges
    from tests.support import x12_850
    from tests.test_acks_and_outputs import run
    from tests.test_sac_not_applied import HEAD, LINES

    out = run(x12_850(HEAD[:2] + ["SAC*A*C000***112500*******02", "SAC*A*B720***5000*******01"] + HEAD[2:] + LINES
                      + ["CTT*2*18"]))
    [f] = [f for f in out.findings if f.code == "SAC_NOT_APPLIED"]
    assert f.detail.our_810s == ("on our 810s", "not on our 810s")
    stored = detail_values(f.detail)[2]
    read = po_charges(pa.table({"partner": ["acme"], "po_number": ["PO-1"], "message": [f.message], "file": ["t"],
                                "our_810s": [stored], "sacs": [detail_values(f.detail)[3]]}))
    assert [(r["code"], r["handling"], r["words"]) for r in read.to_pylist()] == [
        ("C000", "02", "allowance C000 1125.00, handling 02 off invoice"),
        ("B720", "01", "allowance B720 50.00, handling 01 bill back")]
    # the detail, not a pattern of the words, says what is the 810 note: one of a charge of our own is cut whole
    said = ("The PO asks for allowances or charges we apply to no price or 855; each says whether our 810s carry it: "
            "charge D240 15.00, by our 810s as our charge (line A (line 2)); allowance C310 2 %, not on our 810s. "
            "Agree the others with the partner.")
    read = po_charges(pa.table({"partner": ["acme"], "po_number": ["PO-1"], "message": [said], "file": ["t"],
                                "our_810s": ["by our 810s as our charge; not on our 810s"],
                                "sacs": [sacs_text(*sacs_in_words(said, ("by our 810s as our charge",
                                                                          "not on our 810s")))]}))
    assert [(r["code"], r["line_id"], r["words"]) for r in read.to_pylist()] == [
        ("D240", "A (line 2)", "charge D240 15.00 (line A (line 2))"), ("C310", None, "allowance C310 2 %")]


# --- words made from data, not rewritten: a warehouse's resent interchange ------------------------------------------

def test_a_duplicate_interchange_is_told_in_the_words_its_reader_asks_for():
    """engine.process.duplicate_envelopes says what happens to a resent copy in the words its caller gives
    (``resent``: a warehouse's 945s, engine.warehouse_acks), naming the earlier file, instead of the warehouse side
    rewriting its "this copy is not processed." afterwards; a partner's copy reads as before."""
    from datetime import date

    from engine.process import EarlierUse, Known, duplicate_envelopes
    from parsers.x12_reader import read_interchanges
    from tests.support import GOOD_PO, x12_850

    result = read_interchanges(x12_850(GOOD_PO, isa13=7), file="again.x12")
    [ic] = result.interchanges
    key = (ic.sender, ic.control_number)
    known = Known(interchanges=frozenset({key}), interchange_uses={key: EarlierUse("2026-11-26T02:00:00", "first.x12")})
    [plain] = duplicate_envelopes(result, [ic], [], known, today=date(2026, 11, 27))
    assert plain.message.endswith("was received in an earlier file; this copy is not processed.")
    [told] = duplicate_envelopes(result, [ic], [], known, today=date(2026, 11, 27), resent="nothing ships again.")
    assert told.message == plain.message.replace("in an earlier file; this copy is not processed.",
                                                 "in an earlier file (first.x12); nothing ships again.")
