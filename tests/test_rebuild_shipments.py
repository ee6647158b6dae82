"""`state rebuild` makes the shipments and invoices again: the demo's two nights (night 2 ships ACME-1001 in part,
INITECH-3010, UMB-6001 from the east warehouse's CSV and half of GLOBEX-2001, billed per order, from the north 3PL's
945; ACME, INITECH and UMBRELLA are invoiced per shipment), the store deleted and rebuilt, compared with the store
that was never lost; then a third night on both: the rest of ACME-1001 line 4 (a carton we number: SSCC serial 7)
and the rest of GLOBEX-2001 (its 810 bills the whole order, 48 EA, not the 24 shipped since the rebuild), and the
east warehouse sending night 2's file again (a duplicate: nothing ships twice). Before, the rebuilt store held no
shipment or invoice: the shipped orders came back as their 855 left them and GLOBEX-2001's 810 billed 24 EA."""

from __future__ import annotations

import pytest

from flows.night import InProcess, run_night
from tests.crash_harness import NIGHTS, drop_night, new_workspace
from tests.support import rebuilt_store, write_settled
from tests.test_state_rebuild import _rows

NIGHT3 = "2026-11-29T02:00:00"
SHIPMENTS = ("SELECT warehouse, shipment_id, partner, ship_date, stock_warehouse, source_kind, source_file,"
             " source_sha256, ship_time, carrier_scac, service_level, tracking_number, bill_of_lading, departed_at,"
             " asn_due_at, asn_at, late, billing, transport_method FROM shipments")
CARTONS = "SELECT warehouse, shipment_id, level, label, sscc, serial, pallet, po_number, weight FROM cartons"
SHIPPED = "SELECT * FROM shipment_lines"
INVOICES = ("SELECT invoice_number, partner, po_number, invoice_date, warehouse, shipment_id, currency, merchandise,"
            " charges, total, created_at FROM invoices")
INVOICED = "SELECT * FROM invoice_lines"
LINES = ("SELECT partner, po_number, line_number, state, allocated, backordered, rejected, shipped, invoiced"
         " FROM order_lines")
RESERVED = "SELECT partner, po_number, line_number, warehouse, sku, quantity FROM reservations"
# held orders come back received (people's decisions are in no file: decided again by the next night)
ORDERS = "SELECT partner, po_number, state, revision FROM orders WHERE state NOT IN ('held', 'received')"
VERDICTS = "SELECT partner, po_number, doc_type, document_ref, file, status FROM document_acks"
TABLES = (SHIPMENTS, CARTONS, SHIPPED, INVOICES, INVOICED, LINES, RESERVED)


def _night3(ws) -> None:
    """The rest of ACME-1001 line 4 (east, a carton we number), the rest of GLOBEX-2001 (north), night 2's east file
    sent again."""
    east = ws / "warehouse-drop" / "east"
    head = (east / "quarantine" / "east-shipments-20261127.csv").read_text().splitlines()[0]
    write_settled(east / "inbox" / "east-shipments-20261128.csv", (
        head + "\nSHP-1010,2026-11-28,15:00,UPSN,G2,1Z999AA10123456899,BOL-6010,ACME-1001,4,SKU-1002,2,EA,C-1010,"
        "1.5,LB,\n").encode())
    write_settled(east / "inbox" / "east-shipments-again.csv",
                  (east / "quarantine" / "east-shipments-20261127.csv").read_bytes())
    north = ws / "warehouse-drop" / "north"
    sent = next((north / "archive").glob("*.x12")).read_bytes().decode()
    again = (sent.replace("000000452", "000000453").replace("*452*", "*453*").replace("GE*1*452", "GE*1*453")
             .replace("DO-88001", "DO-88002")
             .replace("SHP-2001", "SHP-2002").replace("20261127", "20261128").replace("261127", "261128")
             .replace("00007339400000050018", "00007339400000050025"))
    write_settled(north / "inbox" / "north-945-20261128.x12", again.encode())


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    """(kept, lost, rebuilt rows, the rebuild's output): the demo's two nights; ``lost`` a copy whose store was
    deleted and rebuilt; then night 3 on both."""
    root = tmp_path_factory.mktemp("rebuild-ship")
    kept = new_workspace(root / "kept")
    for n in (0, 1):
        drop_night(kept, n)
        run_night(str(kept), stages=InProcess(), now=NIGHTS[n][1], use_gx=False)
    lost = root / "lost"
    output = rebuilt_store(lost, copy_of=kept)
    rebuilt = {sql: (_rows(kept, sql), _rows(lost, sql)) for sql in (*TABLES, ORDERS, VERDICTS)}
    for ws in (kept, lost):
        _night3(ws)
        run_night(str(ws), stages=InProcess(), now=NIGHT3, use_gx=False)
    return kept, lost, rebuilt, output


@pytest.mark.parametrize("sql", TABLES, ids=("shipments", "cartons", "shipment_lines", "invoices", "invoice_lines",
                                             "order_lines", "reservations"))
def test_the_rebuilt_store_holds_the_shipments_and_invoices_the_nights_left(nights, sql):
    _, _, rebuilt, _ = nights
    kept, lost = rebuilt[sql]
    assert kept and lost == kept


def test_what_was_made_again_is_what_the_partners_got(nights):
    _, _, rebuilt, said = nights
    shipments = {(r[0], r[1], r[2], r[-2]) for r in rebuilt[SHIPMENTS][1]}
    assert shipments == {("east", "SHP-1001", "acme", "invoiced"), ("east", "SHP-1002", "initech", "invoiced"),
                         ("east", "SHP-1006", "umbrella", "invoiced"), ("north", "SHP-2001", "globex", "order")}
    # our SSCCs (serials 1-6 under 0614141) and the 3PL's own, as the 856s carried them
    assert sorted(r[5] for r in rebuilt[CARTONS][1] if r[5] is not None) == [1, 2, 3, 4, 5, 6]
    assert ("north", "SHP-2001", "P", "00007339400000050018", "007339400000050018", None, "", "GLOBEX-2001", "18") \
        in rebuilt[CARTONS][1]
    assert {r[0] for r in rebuilt[INVOICES][1]} == {"INV0000001", "INV0000002", "INV0000003"}
    assert ("initech", "INITECH-3010", "invoiced", 1) in rebuilt[ORDERS][1]
    assert rebuilt[ORDERS][1] == rebuilt[ORDERS][0]
    assert "4 shipment(s) and 3 invoice(s) made again" in said
    assert "billed per order were shipped and not invoiced yet" not in said  # GLOBEX-2001's shipment waits as kept


def test_each_856_and_810_verdict_names_its_po_and_shipment_or_invoice(nights):
    _, _, rebuilt, _ = nights
    kept, lost = rebuilt[VERDICTS]
    fulfilled = {r for r in lost if r[2] in ("856", "810")}
    assert {(r[1], r[3]) for r in fulfilled} == {
        ("ACME-1001", "SHP-1001"), ("ACME-1001", "INV0000002"), ("INITECH-3010", "SHP-1002"),
        ("INITECH-3010", "INV0000003"), ("UMB-6001", "SHP-1006"), ("UMB-6001", "INV0000001"),
        ("GLOBEX-2001", "SHP-2001")}
    assert fulfilled == {r for r in kept if r[2] in ("856", "810")}


def test_the_next_night_sends_nothing_twice_and_bills_the_order_shipped_in_part_whole(nights):
    kept, lost, _, _ = nights
    outbox = {p.relative_to(lost).as_posix(): p.read_bytes() for p in lost.glob("drop/*/outbox/*")}
    assert outbox == {p.relative_to(kept).as_posix(): p.read_bytes() for p in kept.glob("drop/*/outbox/*")}
    for sql in (*TABLES, ORDERS):
        assert _rows(lost, sql) == _rows(kept, sql), sql
    invoices = {r[0]: r for r in _rows(lost, INVOICES)}
    # night 3: ACME-1001's last 2 EA (per shipment) and GLOBEX-2001's whole order, 48 EA, once it shipped complete
    assert sorted(invoices) == ["INV0000001", "INV0000002", "INV0000003", "INV0000004", "INV0000005"]
    globex = next(r for r in invoices.values() if r[2] == "GLOBEX-2001")
    assert {(r[1], r[3]) for r in _rows(lost, INVOICED) if r[0] == globex[0]} == {(1, "48")}
    # the carton we numbered on night 3 takes serial 7: none is used twice
    assert [r[5] for r in _rows(lost, CARTONS) if r[1] == "SHP-1010"] == [7]
    # night 2's file sent again is a duplicate: its shipments are not recorded (nor their 856s sent) again
    assert len([r for r in _rows(lost, SHIPMENTS) if r[1] == "SHP-1001"]) == 1
    dup = _rows(lost, "SELECT code FROM findings WHERE code = 'FILE_DUPLICATE' AND message LIKE '%east-shipments%'")
    assert dup == {("FILE_DUPLICATE",)}
