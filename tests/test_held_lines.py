"""The order lines a held shipment carries (schema version HELD_LINES: the held_lines table, written by the ship stage
from engine.lifecycle.shipping.held_lines), read with the findings that held it
(connectors.finance_store.held_shipment_findings) so engine.reconcile.held_on_lines names the held shipment only on
those lines. A shipment held before the store kept its lines (or a row naming no line) is named on every line of its
PO still to ship, as before. The night itself: tests/test_shipgaps3.py
test_a_held_shipment_is_named_only_on_the_lines_it_carries."""

from __future__ import annotations

import pyarrow as pa

from schemas.findings import Detail, finding
from schemas.lifecycle import FindingRecord

HELD = "shipment S-1 held: no 856, nothing consumed; the warehouse must send a corrected confirmation"
SAID = "S-1 held (SHIPMENT_SKU_MISMATCH: m)"


def _held(sid: str = "S-1", po: str = "PO-1") -> FindingRecord:
    return FindingRecord(finding("SHIPMENT_SKU_MISMATCH", "m", seg="W12", detail=Detail(shipment_id=sid)),
                         "acme", po, HELD.replace("S-1", sid), "shipments")


def test_a_held_finding_is_read_once_per_line_its_shipment_carried_in_that_run(store_target):
    """On both back ends: S-1's finding is read on lines 2 and 3 of PO-1 and line 1 of PO-2 (its rows in the run
    that held it; a row naming no line: line None); S-2, whose lines were not kept, once with its own PO and no
    line; lines S-1 carried in another run are not this finding's."""
    from connectors.state import StateStore

    store = StateStore(store_target())
    try:
        store.add_findings([_held()], run_id="n1")
        store.add_held_lines([("acme", "S-1", "PO-1", 3), ("acme", "S-1", "PO-1", 2), ("acme", "S-1", "PO-2", None)],
                             run_id="n1")
        store.add_held_lines([("acme", "S-1", "PO-1", 7)], run_id="n2")
        store.add_findings([_held("S-2", "PO-3")], run_id="n2")
        held = store.held_shipment_findings()
        assert held.schema.field("line_number").type == pa.int32()
        assert [(r["shipment_id"], r["po_number"], r["line_number"]) for r in held.to_pylist()] == [
            ("S-1", "PO-1", 2), ("S-1", "PO-1", 3), ("S-1", "PO-2", None), ("S-2", "PO-3", None)]
    finally:
        store.close()


def test_a_store_before_held_lines_gets_the_table_and_its_held_findings_read_as_before(store_target):
    """On both back ends: a version RESEND_LOOKUPS store migrates to HELD_LINES (the table and its index); a held
    finding recorded before reads with its own PO and no line (named on every line of its PO, as before)."""
    from connectors.state import StateStore
    from connectors.state_migrations import FINDING_DETAIL, HELD_LINES, LATEST, RESEND_LOOKUPS
    from tests.support_pg import index_names

    target = store_target()
    store = StateStore(target)
    store.add_findings([_held()], run_id="n1")
    with store.transaction():  # what a version 29 store looks like
        store._q("DROP TABLE held_lines")
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(RESEND_LOOKUPS),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == HELD_LINES + 10 == RESEND_LOOKUPS + 11 == FINDING_DETAIL + 12
        assert "held_lines" in store._table_names() and "held_lines_shipment" in index_names(store)
        assert [(r["po_number"], r["line_number"]) for r in store.held_shipment_findings().to_pylist()] == \
            [("PO-1", None)]
    finally:
        store.close()


def _lines(numbers: list[int]) -> pa.Table:
    n = len(numbers)
    return pa.table({"partner": ["acme"] * n, "po_number": ["PO-1"] * n, "line_number": pa.array(numbers, pa.int32()),
                     "shipped_quantity": [0] * n, "acknowledged_quantity": [5] * n, "ordered_quantity": [5] * n,
                     "cancelled_at": pa.nulls(n, pa.timestamp("s"))})


def _findings(rows: list[tuple[str, str, int | None]]) -> pa.Table:
    return pa.table({"partner": ["acme"] * len(rows), "po_number": [r[1] for r in rows],
                     "code": ["SHIPMENT_SKU_MISMATCH"] * len(rows), "message": ["m"] * len(rows),
                     "shipment_id": [r[0] for r in rows], "line_number": pa.array([r[2] for r in rows], pa.int32())})


NOTHING = pa.table({"partner": pa.array([], pa.string()), "shipment_id": pa.array([], pa.string())})


def test_held_on_lines_names_a_held_shipment_on_the_lines_it_carries():
    from engine.reconcile import held_on_lines

    assert held_on_lines(_lines([1, 2, 3]), _findings([("S-1", "PO-1", 3)]), NOTHING).to_pylist() == [
        None, None, SAID]
    assert held_on_lines(_lines([1, 2, 3]), _findings([("S-1", "PO-1", 1), ("S-1", "PO-1", 3)]),
                         NOTHING).to_pylist() == [SAID, None, SAID]


def test_held_on_lines_names_one_kept_without_its_lines_on_every_line_of_its_po():
    """A row with no line (held before the store kept its lines, a confirmation row naming none): every line of the
    PO still to ship, as before; beside another shipment named on its own line, in the findings' order."""
    from engine.reconcile import held_on_lines

    other = SAID.replace("S-1", "S-2")
    assert held_on_lines(_lines([1, 2]), _findings([("S-1", "PO-1", None), ("S-2", "PO-1", 2)]),
                         NOTHING).to_pylist() == [SAID, f"{SAID}; {other}"]
    released = pa.table({"partner": ["acme"], "shipment_id": ["S-1"]})
    assert held_on_lines(_lines([1, 2]), _findings([("S-1", "PO-1", None), ("S-2", "PO-1", 2)]),
                         released).to_pylist() == [None, other]
