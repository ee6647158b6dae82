"""A workspace's state store written before the order lifecycle (schema version 1: a JSON detail bag
per order, line_status for decided lines only, one row per document) opens as version 2: typed
columns, every document with its sets, the history with event kinds and clocks; and the next nights
run on it exactly as on a store that never knew version 1. Version 1 stores exist only as SQLite files
(PostgreSQL came at version 5): those tests are SQLite's own; the refusal of a newer store runs on both."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from datetime import date, datetime
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from connectors.order_store import OrderStore
from connectors.state import StateStore
from connectors.state_migrations import LATEST
from engine.process import Known, process_file
from flows.cli import app
from schemas.errors import StateError
from tests.support import REPO, SAMPLES, make_workspace, run_stages

FIXTURES = REPO / "tests" / "fixtures"
NIGHT1, NIGHT2, NIGHT3 = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2), datetime(2026, 11, 29, 2)


def v1_store(path, name: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.executescript((FIXTURES / name).read_text())
    db.close()


def test_a_v1_store_opens_as_the_latest_version_with_typed_orders(tmp_path):
    path = tmp_path / "state.sqlite"
    v1_store(path, "state-v1-night1.sql")
    db = sqlite3.connect(path)  # version 1 wrote a run's row when it finished
    db.execute("INSERT INTO runs VALUES ('20261127T020000', '2026-11-27T02:00:00', '2026-11-27T02:00:09', '{}')")
    db.commit()
    db.close()
    state = StateStore(path)
    assert state.schema_version == LATEST and len(state.workspace_id) == 32  # 2, then 3 (groups_in), 4, 5, 6
    assert "groups_in" in state._table_names()
    approved, rejected = state.order("acme", "ACME-1010"), state.order("acme", "ACME-1011")
    assert (approved.state, approved.person.verdict, approved.person.by, approved.person.reason) == (
        "approved", "approved", "Dana", "promo")
    assert (rejected.state, rejected.person.by, rejected.person.reason) == ("rejected_by_person", "Lee", "credit")
    assert approved.hold_codes == ("DISCOUNT_OVER_THRESHOLD",) and approved.hold_reasons
    held = {o.po_number for o in state.orders(states=["held"])}
    assert held == {"GLOBEX-2010", "INITECH-3001", "INITECH-3011"}  # "pending_approval" in version 1
    globex = state.order("globex", "GLOBEX-2000")
    assert (globex.state, globex.revision, globex.answered_revision, globex.ack_type) == ("acknowledged", 1, 1, "AC")
    assert globex.value > 0 and globex.arrival > 0 and globex.lines_key and globex.order_ref
    lines = {ln.line_number: ln for ln in state.order_lines("globex", "GLOBEX-2000")}
    assert (lines[4].state, lines[4].ack, lines[4].allocated, lines[4].backordered) == ("backordered", "BP+IB", 24, 12)
    assert lines[1].state == "allocated" and lines[1].ordered == Decimal(12)
    # every document kept, now with its sets; history with kinds, states and clocks
    docs = state.documents("globex")
    assert len(docs) == 7 and all(d.doc_key and d.status == "delivered" for d in docs)
    events = [(h["event"], h["from_state"], h["to_state"], h["clock"]) for h in
              state.order_history("acme", "ACME-1010")]
    assert events == [("po_received", None, "received", "run"), ("held", "received", "held", "run"),
                      ("approved_by_person", "held", "approved", "wall")]
    sent = [h for h in state.order_history("globex", "GLOBEX-2000") if h["document_id"]]
    assert [(h["event"], state.documents_for_order("globex", "GLOBEX-2000")[-1]["doc_type"]) for h in sent] == [
        ("acknowledged", "855")]
    [run] = state.runs()
    assert (run["status"], run["kind"], run["clock"]) == ("finished", "nightly", "2026-11-27T02:00:00")
    # numbers go on from where version 1 left them
    assert state.numbers_used()[("acme", "ISA")] == 6 and ("_orderbridge", "ARRIVAL") not in state.numbers_used()
    state.close()
    assert StateStore(path).schema_version == LATEST  # opening again migrates nothing


def test_a_v1_store_after_860s_keeps_revisions_cancellations_and_answered_changes(tmp_path):
    path = tmp_path / "state.sqlite"
    v1_store(path, "state-v1-night2.sql")
    state = StateStore(path)
    globex = state.order("globex", "GLOBEX-2000")
    assert (globex.state, globex.revision, globex.answered_revision) == ("acknowledged", 2, 2)
    cancelled = state.order("initech", "INITECH-3000")
    assert cancelled.state == "cancelled"
    assert {ln.state for ln in state.order_lines("initech", "INITECH-3000")} == {"cancelled"}
    assert {c.status for c in state.pending_changes(statuses=None)} == {"answered", "refused"}
    kinds = [h["event"] for h in state.order_history("globex", "GLOBEX-2000")]
    assert kinds[:2] == ["po_received", "allocated"] or kinds[:2] == ["po_received", "acknowledged"]
    assert "change_received" in kinds and "change_applied" in kinds
    linked = [h for h in state.order_history("globex", "GLOBEX-2000") if h["event"] == "change_applied"]
    assert linked[0]["document_id"]  # the 865 version 1 sent when it applied the change


def _v1_workspace(root):
    """A workspace as version 1 left it after night 1 and the approvals: profiles, the stored order
    tables (the same Parquet files version 1 wrote, rebuilt from the same inputs) and the old store."""
    ws = make_workspace(root, partners=())
    store = OrderStore(ws.orders_dir)
    profiles = ws.partners()
    for pid in ("acme", "globex", "initech"):
        (ws.drop_root / pid / "inbox").mkdir(parents=True, exist_ok=True)
        for f in sorted((SAMPLES / pid).iterdir()):
            data = f.read_bytes()
            sha = hashlib.sha256(data).hexdigest()
            out = process_file(data, file=f.name, sha256=sha, profile=profiles[pid], known=Known(),
                               today=date(2026, 11, 27))
            if out.orders.num_rows:
                store.save(pid, sha, out.orders, out.lines)
    v1_store(ws.state_path, "state-v1-night1.sql")
    return ws


def _day2(ws):
    for folder in (REPO / "sample_files" / "drops-day2").iterdir():
        for f in folder.iterdir():
            shutil.copy2(f, ws.drop_root / folder.name / "inbox" / f.name)


def _contents(ws) -> dict[str, bytes]:
    state = StateStore(ws.state_path)
    try:
        return {d.file_name: d.content for d in state.documents()}
    finally:
        state.close()


@pytest.mark.parametrize("nights", [1, 2])
def test_the_next_nights_on_a_migrated_store_equal_those_on_a_new_store(tmp_path, nights):
    migrated = _v1_workspace(tmp_path / "migrated")
    fresh = make_workspace(tmp_path / "fresh")
    run_stages(fresh, NIGHT1)
    runner = CliRunner()
    assert runner.invoke(app, ["approve", "ACME-1010", "--partner", "acme", "--by", "Dana", "--note", "promo",
                               "-w", str(fresh.root)]).exit_code == 0
    assert runner.invoke(app, ["reject", "ACME-1011", "--partner", "acme", "--by", "Lee", "--reason", "credit",
                               "-w", str(fresh.root)]).exit_code == 0
    assert _contents(migrated) == _contents(fresh)  # night 1: version 1 and version 2 sent the same bytes
    for ws in (migrated, fresh):
        _day2(ws)
        run_stages(ws, NIGHT2)
        if nights == 2:
            run_stages(ws, NIGHT3)
    docs = _contents(fresh)
    assert _contents(migrated) == docs and any("-865-" in name for name in docs)
    a, b = StateStore(migrated.state_path), StateStore(fresh.state_path)
    assert a.numbers_used() == b.numbers_used()
    assert [(o.po_number, o.state, o.revision) for o in a.orders()] == [(o.po_number, o.state, o.revision)
                                                                         for o in b.orders()]
    assert a.reservations() == b.reservations()
    assert a.order("acme", "ACME-1010").state == "acknowledged"


def test_a_store_newer_than_this_orderbridge_is_refused(store_target):
    """On both back ends: terminal, said at once, and the store is left as it was."""
    path = store_target()
    store = StateStore(path)
    store._q("UPDATE meta SET value='99' WHERE key='schema_version'")
    store.close()
    with pytest.raises(StateError, match="newer") as info:
        StateStore(path)
    assert not info.value.transient


def test_documents_version_1_held_are_released_after_the_migration(tmp_path):
    # REL part 1 (before the lifecycle) held a document none of the profile's delimiter sets fits:
    # status 'held', no file name, {functional_id, bodies} as content. Two of them must migrate
    # (file names stay unique) and be sent once the profile offers a set that fits.
    from connectors.local import LocalDrop
    from flows.documents import deliver_partner
    from parsers.x12_reader import read_interchanges
    from schemas.profile import load_profiles

    path = tmp_path / "state.sqlite"
    v1_store(path, "state-v1-night1.sql")
    db = sqlite3.connect(path)
    for po in ("A*B>C", "D*E>F"):
        body = [["BAK", "00", "AC", po, "20261126", "", "", "", "", "20261127"], ["CTT", "0"]]
        db.execute("INSERT INTO documents (partner, doc_type, doc_key, file_name, isa13, gs06, st02, content, status,"
                   " created_at, source_sha256, po_number, run_id) VALUES ('acme', '855', ?, '', '', '', '', ?, 'held',"
                   " '2026-11-27T02:00:00', 'sha', ?, 'r')",
                   (f"855:{po}:k:ref", json.dumps({"functional_id": "PR", "bodies": [body]}).encode(), po))
    db.commit()
    db.close()
    state = StateStore(path)
    held = state.held_documents("acme")
    assert [(h.document.doc_type, h.document.sets[0].po_number) for h in held] == [("855", "A*B>C"), ("855", "D*E>F")]
    assert state.last_number("acme", "ISA") == 6
    drop = LocalDrop(tmp_path / "drop")
    assert deliver_partner(load_profiles(REPO / "partners")["acme"], state, drop, now=NIGHT2) == 2
    sent = sorted((tmp_path / "drop" / "outbox").iterdir())
    assert [p.name for p in sent] == ["acme-855-000000007.x12", "acme-855-000000008.x12"]
    baks = [next(r for r in read_interchanges(p.read_bytes()).segments.elements.to_pylist() if r[0] == "BAK")[3]
            for p in sent]
    assert baks == ["A*B>C", "D*E>F"] and state.held_documents("acme") == []


def test_a_version_9_store_keeps_partners_ta1s_after_the_migration(store_target):
    """On both back ends: a store before TA1_ACKS (partner_acks without acked_isa13, interchange_status,
    interchange_note) gets the columns, keeps its 997 rows, and a partner's TA1 recorded then reads back
    as it was read (the TA1 R that rejects our interchange's documents: engine.partner_acks)."""
    from connectors.state import COLUMNS_ADDED_IN
    from connectors.state_migrations import RETUNED_INDEXES, TA1_ACKS
    from tests.test_partner_acks import interchange, read, ta1s

    target = store_target()
    store = StateStore(target)
    acks, _ = read(interchange([["AK1*IN*300", "AK2*810*0001", "AK5*A", "AK9*A*1*1*1"]]),
                   received_at=datetime(2026, 11, 27, 3, 0))
    store.record_partner_acks(acks, run_id="r1")
    with store.transaction():  # what a version 9 store looks like
        for table, column, _ in COLUMNS_ADDED_IN[TA1_ACKS]:
            store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(RETUNED_INDEXES),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST >= TA1_ACKS
        assert {"acked_isa13", "interchange_status", "interchange_note"} <= set(store._columns("partner_acks"))
        ta1, _ = ta1s([("000000300", "R", "022")], received_at=datetime(2026, 11, 27, 4, 0))
        store.record_partner_acks(ta1, run_id="r2")
        kept = store.partner_acks()
        assert kept.select(["ack_type", "acked_gs06", "acked_isa13", "interchange_status", "interchange_note"]) \
            .to_pylist() == [
            {"ack_type": "997", "acked_gs06": "300", "acked_isa13": None, "interchange_status": None,
             "interchange_note": None},
            {"ack_type": "TA1", "acked_gs06": None, "acked_isa13": "000000300", "interchange_status": "R",
             "interchange_note": "022"}]
        assert kept.slice(1).to_pylist()[0]["reasons"] == ta1.to_pylist()[0]["reasons"]
    finally:
        store.close()


def test_a_version_10_store_keeps_its_shipped_lines_and_gets_their_stores(store_target):
    """On both back ends: a store before STORE_MARKS (shipment_lines without mark_for_store) gets the column; the
    lines shipped before keep their rows with no store (none counted against a store's SDQ quantity), a line
    recorded after with its store is what shipped_to_stores gives."""
    from connectors.state import COLUMNS_ADDED_IN
    from connectors.state_migrations import NET_WEIGHTS, RECORDED_AMOUNTS, STORE_MARKS, TA1_ACKS

    target = store_target()
    store = StateStore(target)
    row = "INSERT INTO shipment_lines (warehouse, shipment_id, position, partner, po_number, line_number, line_id," \
          " quantity, unit{}) VALUES ('east', ?, 1, 'acme', 'PO-1', 4, '4', ?, 'EA'{})"
    with store.transaction():  # what a version 10 store looks like, with a line it shipped
        store._q("DROP INDEX shipment_lines_store")  # version 31's, on a column version 11 added
        for table, column, _ in COLUMNS_ADDED_IN[STORE_MARKS] + COLUMNS_ADDED_IN[NET_WEIGHTS] + \
                COLUMNS_ADDED_IN[RECORDED_AMOUNTS]:
            store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
        store._q(row.format("", ""), ("S1", "4"))
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(TA1_ACKS),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST >= STORE_MARKS
        assert "mark_for_store" in store._columns("shipment_lines")
        assert [tuple(r) for r in store._q("SELECT shipment_id, quantity, mark_for_store FROM shipment_lines")] == [
            ("S1", "4", None)]
        assert store.shipped_to_stores([("acme", "PO-1")]) == []
        with store.transaction():
            store._q(row.format(", mark_for_store", ", '0101'"), ("S2", "2"))
        assert [tuple(r) for r in store.shipped_to_stores([("acme", "PO-1"), ("acme", "PO-9")])] == [
            ("acme", "PO-1", "4", "0101", "2", "EA")]
    finally:
        store.close()


def test_a_version_11_store_keeps_its_shipped_lines_and_gets_their_net_weights(store_target):
    """On both back ends: a store before NET_WEIGHTS (shipment_lines without net_weight / net_weight_unit) gets
    the columns; a line shipped before keeps its row with no net weight (a catch-weight line of it is not billed
    by a weight nobody confirmed), a line recorded after with its weight is what net_weights gives."""
    from decimal import Decimal

    from connectors.state import COLUMNS_ADDED_IN
    from connectors.state_migrations import NET_WEIGHTS, RECORDED_AMOUNTS, STORE_MARKS

    target = store_target()
    store = StateStore(target)
    row = "INSERT INTO shipment_lines (warehouse, shipment_id, position, partner, po_number, line_number, line_id," \
          " quantity, unit{}) VALUES ('east', ?, 1, 'acme', 'PO-1', 1, '1', ?, 'CA'{})"
    with store.transaction():  # what a version 11 store looks like, with a line it shipped
        for table, column, _ in COLUMNS_ADDED_IN[NET_WEIGHTS] + COLUMNS_ADDED_IN[RECORDED_AMOUNTS]:
            store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
        store._q(row.format("", ""), ("S1", "3"))
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(STORE_MARKS),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == RECORDED_AMOUNTS + 27 == NET_WEIGHTS + 28
        assert {"net_weight", "net_weight_unit"} <= set(store._columns("shipment_lines"))
        assert store.net_weights([("acme", "PO-1")]) == [("east", "S1", "PO-1", 1, None, "")]
        with store.transaction():
            store._q(row.format(", net_weight, net_weight_unit", ", '42.35', 'LB'"), ("S2", "3"))
        assert store.net_weights([("acme", "PO-1"), ("acme", "PO-9")]) == [
            ("east", "S1", "PO-1", 1, None, ""), ("east", "S2", "PO-1", 1, Decimal("42.35"), "LB")]
    finally:
        store.close()


def test_a_version_12_store_keeps_its_recorded_lines_and_gets_their_amounts(store_target):
    """On both back ends: a store before RECORDED_AMOUNTS (recorded_lines without amount) gets the column; a line
    recorded before keeps its row with no amount (its value: quantity x price), a line recorded after keeps what
    it billed by weight."""
    from datetime import datetime
    from decimal import Decimal

    import pyarrow as pa

    from connectors.state import COLUMNS_ADDED_IN
    from connectors.state_migrations import NET_WEIGHTS, RECORDED_AMOUNTS
    from schemas.reconciliation import RECORDED_LINES

    target = store_target()
    store = StateStore(target)
    with store.transaction():  # what a version 12 store looks like, with an 810 line another system sent
        for table, column, _ in COLUMNS_ADDED_IN[RECORDED_AMOUNTS]:
            store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
        store._q("INSERT INTO recorded_lines (partner, sha256, position, doc_type, document_ref, po_number, line_id,"
                 " quantity, unit, unit_price, file, recorded_at, recorded_by) VALUES ('acme', 'a', 3, '810', 'INV-1',"
                 " 'PO-1', '1', '10', 'EA', '2.5', 'old.x12', '2026-11-27T02:00:00', 'ops')")
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(NET_WEIGHTS),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == RECORDED_AMOUNTS + 27
        assert "amount" in store._columns("recorded_lines")
        row = {f.name: None for f in RECORDED_LINES}
        row.update(partner="acme", doc_type="810", document_ref="INV-2", po_number="PO-1", line_id="1",
                   quantity=Decimal(3), unit="CA", unit_price=Decimal("3.49"), amount=Decimal("147.80"),
                   file="new.x12", sha256="b", position=4)
        store.record_sent_lines(pa.Table.from_pylist([row], schema=RECORDED_LINES), by="ops", note="",
                                at=datetime(2026, 11, 28, 2))
        kept = store.recorded_lines()
        assert [(r["document_ref"], r["quantity"], r["amount"]) for r in kept.to_pylist()] == [
            ("INV-1", Decimal(10), None), ("INV-2", Decimal(3), Decimal("147.80"))]
    finally:
        store.close()


def test_a_version_13_store_keeps_its_invoice_lines_and_gets_the_weights_they_billed(store_target):
    """On both back ends: a store before BILLED_WEIGHTS (invoice_lines without net_weight / net_weight_unit) gets
    the columns; a line invoiced before keeps its row with no weight (status works it out as it did), a line
    invoiced after keeps the weight and unit our 810 billed it by."""
    from decimal import Decimal

    from connectors.state import COLUMNS_ADDED_IN
    from connectors.state_migrations import BILLED_WEIGHTS, BUYER_GS_IDS, RECORDED_AMOUNTS

    target = store_target()
    store = StateStore(target)
    head = ("INSERT INTO invoices (invoice_number, partner, po_number, invoice_date, merchandise, charges, total,"
            " doc_key, created_at) VALUES (?, 'acme', 'PO-1', '2026-11-28', '147.8', '0', '147.8', ?, ?)")
    line = ("INSERT INTO invoice_lines (invoice_number, line_number, line_id, quantity, unit, unit_price,"
            " amount{}) VALUES (?, 1, '1', '3', 'CA', '3.49', '147.8'{})")
    with store.transaction():  # what a version 13 store looks like, with a catch-weight line it invoiced
        for table, column, _ in COLUMNS_ADDED_IN[BILLED_WEIGHTS] + COLUMNS_ADDED_IN[BUYER_GS_IDS]:
            store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
        store._q(head, ("INV1", "810:INV1", "2026-11-28T02:00:00"))
        store._q(line.format("", ""), ("INV1",))
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(RECORDED_AMOUNTS),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == BILLED_WEIGHTS + 26 == RECORDED_AMOUNTS + 27
        assert {"net_weight", "net_weight_unit"} <= set(store._columns("invoice_lines"))
        with store.transaction():
            store._q(head, ("INV2", "810:INV2", "2026-11-29T02:00:00"))
            store._q(line.format(", net_weight, net_weight_unit", ", '42.35', 'LB'"), ("INV2",))
        got = {v.invoice_number: v.lines for v in store.invoices_for_order("acme", "PO-1")}
        assert [(ln.quantity, ln.amount, ln.net_weight, ln.net_weight_unit) for ln in got["INV1"]] == [
            (Decimal(3), Decimal("147.8"), None, "")]
        assert [(ln.quantity, ln.amount, ln.net_weight, ln.net_weight_unit) for ln in got["INV2"]] == [
            (Decimal(3), Decimal("147.8"), Decimal("42.35"), "LB")]
    finally:
        store.close()


def test_a_version_14_store_gets_the_serials_table_and_keeps_a_serial_once_per_item(store_target):
    """On both back ends: a store before SERIALS (no shipped_serials) gets the table; a serial shipped is found by
    serial (per item: another item's unit may carry the same serial), and listed for its order."""
    from connectors.state import COLUMNS_ADDED_IN
    from connectors.state_migrations import (
        BILLED_WEIGHTS,
        BUYER_GS_IDS,
        ORDER_TYPES,
        OUR_GS_IDS,
        RETURNED_SERIALS,
        SERIALS,
        SHIPMENT_METHODS,
        SUBSTITUTES,
    )

    target = store_target()
    store = StateStore(target)
    with store.transaction():  # what a version 14 store looks like (no orders.gs02, no shipped_serials)
        store._q("DROP TABLE shipped_serials")
        store._q("DROP TABLE returned_serials")
        for index in ("orders_contract", "orders_agreement"):  # version 36's, on a column version 21 added
            store._q(f"DROP INDEX {index}")
        for table, column, _ in (COLUMNS_ADDED_IN[BUYER_GS_IDS] + COLUMNS_ADDED_IN[OUR_GS_IDS]
                                  + COLUMNS_ADDED_IN[ORDER_TYPES] + COLUMNS_ADDED_IN[SHIPMENT_METHODS]):
            store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(BILLED_WEIGHTS),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == OUR_GS_IDS + 21 == RETURNED_SERIALS + 22 == SUBSTITUTES + 23 \
            and SUBSTITUTES == SERIALS + 1 == BUYER_GS_IDS + 2 == BILLED_WEIGHTS + 3
        assert "shipped_serials" in store._table_names() and store.shipped_serials(["CX-01"]) == {}
        with store.transaction():
            store._many("INSERT INTO shipped_serials (serial, sku, warehouse, shipment_id, partner, po_number,"
                        " line_id, run_id) VALUES (?, ?, 'east', 'S1', 'ingram', 'PO-1', ?, 'n1')",
                        [("CX-01", "SKU-1028", "1"), ("CX-02", "SKU-1028", "1"), ("CX-01", "SKU-2000", "2")])
        found = store.shipped_serials(["CX-01", "ZZ"])
        assert list(found) == ["CX-01"] and sorted(found["CX-01"]) == [("SKU-1028", "S1", "ingram", "PO-1"),
                                                                       ("SKU-2000", "S1", "ingram", "PO-1")]
        assert store.serials_of_order("ingram", "PO-1") == [("east", "S1", "1", "SKU-1028", "CX-01"),
                                                            ("east", "S1", "1", "SKU-1028", "CX-02"),
                                                            ("east", "S1", "2", "SKU-2000", "CX-01")]
    finally:
        store.close()


def test_a_version_17_store_gets_the_returned_serials_table_and_a_serial_returned_may_ship_again(store_target):
    """On both back ends: a store before RETURNED_SERIALS (no returned_serials) gets the table and its index; a serial
    it had shipped is marked returned (`orderbridge serial-return`): its row moves to returned_serials with who, when
    and why, it is no longer shipped (so it may ship again), and its order still lists it, marked returned."""
    from connectors.state import COLUMNS_ADDED_IN
    from connectors.state_migrations import ORDER_TYPES, OUR_GS_IDS, RETURNED_SERIALS, SHIPMENT_METHODS, SUBSTITUTES
    from tests.support_pg import index_names

    target = store_target()
    store = StateStore(target)
    with store.transaction():  # what a version 17 store looks like, with two serials it shipped
        store._q("DROP TABLE returned_serials")
        for index in ("orders_contract", "orders_agreement"):  # version 36's, on a column version 21 added
            store._q(f"DROP INDEX {index}")
        for table, column, _ in (COLUMNS_ADDED_IN[OUR_GS_IDS] + COLUMNS_ADDED_IN[ORDER_TYPES]
                                 + COLUMNS_ADDED_IN[SHIPMENT_METHODS]):
            store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
        store._many("INSERT INTO shipped_serials (serial, sku, warehouse, shipment_id, partner, po_number, line_id,"
                    " run_id) VALUES (?, 'SKU-1028', 'east', 'S1', 'ingram', 'PO-1', '1', 'n1')",
                    [("CX-01",), ("CX-02",)])
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(SUBSTITUTES),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == OUR_GS_IDS + 21 == RETURNED_SERIALS + 22 == SUBSTITUTES + 23
        assert "returned_serials" in store._table_names() and "returned_serials_po" in index_names(store)
        assert store.returned_serials("CX-01", "SKU-1028") == []
        assert store.return_serial("CX-01", "SKU-1028", by="Dana", reason="RMA-7", at="2026-12-01T09:00:00") == (
            "east", "S1", "ingram", "PO-1", "1")
        assert store.return_serial("CX-01", "SKU-1028", by="Lee", reason="again", at="2026-12-01T10:00:00") is None
        assert list(store.shipped_serials(["CX-01", "CX-02"])) == ["CX-02"]
        assert store.returned_serials("CX-01", "SKU-1028") == [
            ("east", "S1", "ingram", "PO-1", "2026-12-01T09:00:00", "Dana", "RMA-7")]
        assert store.serials_of_order("ingram", "PO-1") == [("east", "S1", "1", "SKU-1028", "CX-01"),
                                                            ("east", "S1", "1", "SKU-1028", "CX-02")]
        assert store.returned_serials_of_order("ingram", "PO-1") == [
            ("east", "S1", "1", "SKU-1028", "CX-01", "2026-12-01T09:00:00", "Dana", "RMA-7")]
    finally:
        store.close()


def test_a_version_14_store_keeps_its_lines_and_gets_the_item_ordered_on_them(store_target):
    """On both back ends: a store before SUBSTITUTES (order_lines without ordered_sku) gets the column; a line
    stored before reads back with no item ordered apart from its sku, a line written after keeps the item the
    buyer ordered when it is decided on a substitute."""
    from dataclasses import replace

    from connectors.state import COLUMNS_ADDED_IN
    from connectors.state_migrations import (
        BILLED_WEIGHTS,
        BUYER_GS_IDS,
        ORDER_TYPES,
        OUR_GS_IDS,
        RETURNED_SERIALS,
        SHIPMENT_METHODS,
        SUBSTITUTES,
    )
    from schemas.lifecycle import OrderLines

    target = store_target()
    store = StateStore(target)
    with store.transaction():  # what a version 14 store looks like, with a line it decided
        for index in ("orders_contract", "orders_agreement"):  # version 36's, on a column version 21 added
            store._q(f"DROP INDEX {index}")
        for table, column, _ in (COLUMNS_ADDED_IN[SUBSTITUTES] + COLUMNS_ADDED_IN[BUYER_GS_IDS]
                                 + COLUMNS_ADDED_IN[OUR_GS_IDS] + COLUMNS_ADDED_IN[ORDER_TYPES]
                                 + COLUMNS_ADDED_IN[SHIPMENT_METHODS]):
            store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
        store._q("DROP TABLE shipped_serials")
        store._q("DROP TABLE returned_serials")
        store._q("INSERT INTO order_lines (partner, po_number, line_number, line_id, sku, state, ack, ordered, unit)"
                 " VALUES ('acme', 'PO-1', 1, '1', 'SKU-1001', 'accepted', 'IA', '12', 'EA')")
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(BILLED_WEIGHTS),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == OUR_GS_IDS + 21 == RETURNED_SERIALS + 22 == SUBSTITUTES + 23 \
            and SUBSTITUTES == BUYER_GS_IDS + 2 == BILLED_WEIGHTS + 3
        assert "ordered_sku" in store._columns("order_lines")
        [old] = store.order_lines("acme", "PO-1")
        assert (old.sku, old.ordered_sku) == ("SKU-1001", "")
        from schemas.lifecycle import Plan

        with store.transaction():
            store.apply(Plan(lines=(OrderLines("acme", "PO-1", (replace(old, ordered_sku="SKU-1008"),)),)))
        [new] = store.order_lines("acme", "PO-1")
        assert (new.sku, new.ordered_sku) == ("SKU-1001", "SKU-1008")
        assert store.line_table_for([("acme", "PO-1")])["ordered_sku"].to_pylist() == ["SKU-1008"]
    finally:
        store.close()


def test_a_version_19_store_gets_file_takes_and_a_file_marked_is_taken_again(store_target):
    """On both back ends: a store before RETAKES (no file_takes) gets the table and its index; a file it had
    recorded is marked to be taken again (`orderbridge retake`): its row moves to file_takes with who, when and
    why, its interchanges and groups are forgotten, it is due (takes_due) until a run records it again, and the
    run that first took it still lists it (files_of_run)."""
    from connectors.state import COLUMNS_ADDED_IN
    from connectors.state_migrations import ORDER_TYPES, OUR_GS_IDS, RETAKES, SHIPMENT_METHODS
    from tests.support_pg import index_names

    target = store_target()
    store = StateStore(target)
    with store.transaction():  # what a version 19 store looks like, with a file it had quarantined
        store._q("DROP TABLE file_takes")
        for index in ("orders_contract", "orders_agreement"):  # version 36's, on a column version 21 added
            store._q(f"DROP INDEX {index}")
        for table, column, _ in COLUMNS_ADDED_IN[ORDER_TYPES] + COLUMNS_ADDED_IN[SHIPMENT_METHODS]:
            store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(OUR_GS_IDS),))
        store.record_file("acme", "ab" * 32, "two.x12", 900, "2026-11-27T02:00:00", "quarantined",
                          archive_path="20261127-abababababab-two.x12", run_id="n1", error_count=1)
        store.mark_disposed("acme", "ab" * 32, "2026-11-27T02:00:00")
        store.record_interchange("acme", "ACMERETAIL", "000000007", "ab" * 32)
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == ORDER_TYPES + 19 == RETAKES + 20 == OUR_GS_IDS + 21
        assert "file_takes" in store._table_names() and "file_takes_run" in index_names(store)
        assert [f["name"] for f in store.files_named("acme", "abababab")] == ["two.x12"]
        assert store.what_file_did("acme", "ab" * 32) == []
        moved = store.retake_file("acme", "ab" * 32, by="Ann", note="limit raised", at="2026-11-27T09:00:00")
        assert (moved["take"], moved["status"], moved["run_id"], moved["asked_by"], moved["note"]) == (
            1, "quarantined", "n1", "Ann", "limit raised")
        assert store.file_record("acme", "ab" * 32) is None and store.interchanges("acme") == set()
        assert [t["name"] for t in store.takes_due("acme")] == ["two.x12"]
        assert [(f["name"], f["status"]) for f in store.files_of_run("n1")] == [("two.x12", "quarantined")]
        store.record_file("acme", "ab" * 32, "two.x12", 900, "2026-11-28T02:00:00", "processed", run_id="n2")
        assert [t["name"] for t in store.takes_due("acme")] == ["two.x12"]  # recorded, its move still due
        store.mark_disposed("acme", "ab" * 32, "2026-11-28T02:00:00")
        assert store.takes_due("acme") == [] and [t["take"] for t in store.file_takes("acme", "ab" * 32)] == [1]
    finally:
        store.close()


def test_a_version_20_store_keeps_its_orders_and_gets_their_order_type(store_target):
    """On both back ends: a store before ORDER_TYPES (orders without order_type) gets the column; an order recorded
    before has none (invoiced as shipped, as before: no memo type matches ""), one recorded after keeps its BEG02,
    which the invoice stage reads (billing_orders) and finds memo orders by (memo_orders)."""
    from connectors.state import COLUMNS_ADDED_IN
    from connectors.state_migrations import ORDER_TYPES, RETAKES, SHIPMENT_METHODS

    target = store_target()
    store = StateStore(target)
    insert = ("INSERT INTO orders (partner, po_number, state, revision, answered_revision{}) VALUES"
              " ('signet', ?, 'shipped', 1, 0{})")
    with store.transaction():  # what a version 20 store looks like, with an order it shipped
        for index in ("orders_contract", "orders_agreement"):  # version 36's, on a column version 21 added
            store._q(f"DROP INDEX {index}")
        for table, column, _ in COLUMNS_ADDED_IN[ORDER_TYPES] + COLUMNS_ADDED_IN[SHIPMENT_METHODS]:
            store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
        store._q(insert.format("", ""), ("SJ-1",))
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(RETAKES),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == ORDER_TYPES + 19 == RETAKES + 20
        assert "order_type" in store._columns("orders")
        with store.transaction():
            store._q(insert.format(", order_type", ", ?"), ("SJ-2", "CN"))
            store._q(insert.format(", order_type", ", ?"), ("SJ-3", "SA"))
        assert [store.order("signet", po).order_type for po in ("SJ-1", "SJ-2", "SJ-3")] == ["", "CN", "SA"]
        assert sorted(r[-1] for r in store.billing_orders([("signet", "SJ-1"), ("signet", "SJ-2")])) == ["", "CN"]
        assert [r.po_number for r in store.memo_orders({"signet": ("CN",)}, ["shipped"])] == ["SJ-2"]
        assert store.memo_orders({"signet": ("CN",)}, ["invoiced"]) == []
        assert store.memo_orders({"signet": ()}, ["shipped"]) == []
    finally:
        store.close()


def test_a_version_21_store_keeps_its_shipments_and_gets_their_transport_method(store_target):
    """On both back ends: a store before SHIPMENT_METHODS (shipments without transport_method) gets the column; a
    shipment recorded before has none (billing works its CAD01 out again from the carrier and the PO's TD5, as
    before), one recorded after keeps the TD504 its 856 wrote (the warehouse's own R rail), which billing reads
    (shipments, billing_shipments)."""
    from connectors.state import COLUMNS_ADDED_IN
    from connectors.state_migrations import ORDER_TYPES, SHIPMENT_METHODS
    from schemas.lifecycle import Plan
    from schemas.shipment_records import ShipmentRecord, ShippedLine

    target = store_target()
    store = StateStore(target)
    with store.transaction():  # what a version 21 store looks like, with a shipment it recorded
        for table, column, _ in COLUMNS_ADDED_IN[SHIPMENT_METHODS]:
            store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
        store._q("INSERT INTO shipments (warehouse, shipment_id, partner, ship_date, carrier_scac, billing) VALUES"
                 " ('east', 'S-OLD', 'acme', '2026-12-01', 'ODFL', 'shipment')")
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(ORDER_TYPES),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == SHIPMENT_METHODS + 18 == ORDER_TYPES + 19
        assert "transport_method" in store._columns("shipments")
        line = ShippedLine("PO-1", 1, "1", "SKU-1", Decimal(2), "EA")
        new = [ShipmentRecord("east", sid, "acme", date(2026, 12, 1), (line,), carrier_scac=scac,
                              transport_method=method)
               for sid, scac, method in (("S-NEW", "ODFL", "R"), ("S-WILL", "", ""))]
        store.apply(Plan(shipments=tuple(new)), at="2026-12-01T08:00:00", run_id="r1")
        assert {(r.shipment_id, r.carrier_scac, r.transport_method) for r in store.shipments()} == {
            ("S-OLD", "ODFL", ""), ("S-NEW", "ODFL", "R"), ("S-WILL", "", "")}
        heads, _ = store.billing_shipments(["acme"])
        assert sorted(zip(heads["shipment_id"].to_pylist(), heads["transport_method"].to_pylist(),
                          strict=True)) == [("S-NEW", "R"), ("S-OLD", None), ("S-WILL", None)]
    finally:
        store.close()
