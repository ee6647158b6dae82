"""Serial numbers shipped, checked like everything else a confirmation says. IT distributors (Ingram Micro, TD
SYNNEX, D&H, Best Buy) and hospitals refuse or charge back an ASN whose serials are missing, repeated or miscounted,
so for a partner whose 856 lists each unit's serial ([fulfilment.asn] serial_numbers) a confirmation line is held
(an error in the ops report, no 856) when: its item is marked serialised (items.csv) and it gives none; it gives
another number of serials than its units (eaches); a serial is given twice in the file, or already shipped (kept in
the state store, per item, across runs); a serial is no serial (empty, a blank or separator inside, too long for
REF02). Before, none of this was checked: the 856 went with whatever the warehouse sent. A 3PL's 945 gives a W12's
serials as N9*SE / REF*SE in its loop, read as the CSV's column and checked the same way."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa
import pytest

from rules.shipments import serial_checks
from schemas.shipments import SHIPMENT_LINES, serial_problem


def _lines(*rows: dict) -> pa.Table:
    """Checked confirmation lines (what rules.shipments.check_shipments returns) of ``rows``."""
    base = {"source_kind": "csv", "source_file": "c.csv", "isa13": "CSV", "gs06": "", "st02": "",
            "partner": "ingram", "po_number": "PO-1", "ship_date": date(2026, 11, 27), "unit": "EA"}
    full = [{**base, "row_number": k + 2, **r} for k, r in enumerate(rows)]
    table = pa.Table.from_pylist(full, schema=SHIPMENT_LINES)
    return table.append_column("item_sku", pa.array([r.get("sku") for r in full], pa.string())).append_column(
        "line_eaches", pa.array([r.get("per", 1) for r in full], pa.int64()))


def _row(sid: str, line: str, sku: str, qty: int, serials: str | None, carton: str = "C1", **more) -> dict:
    return {"shipment_id": sid, "line_id": line, "sku": sku, "quantity": Decimal(qty), "carton_id": carton,
            "serial_numbers": serials, **more}


def _codes(found) -> list[tuple]:
    return [(i, f.code, f.location.row, f.location.value) for i, f in found]


def test_serials_missing_miscounted_repeated_or_shipped_before_are_errors_at_their_rows():
    lines = _lines(_row("S1", "1", "SKU-1028", 2, "CX-01 CX-02"),  # right
                   _row("S1", "2", "SKU-1028", 3, "CX-03 CX-04", carton="C2"),  # one short
                   _row("S2", "3", "SKU-1028", 1, None),  # a serialised item without any
                   _row("S2", "4", "SKU-1026", 2, None),  # an item not serialised: none needed
                   _row("S3", "5", "SKU-1028", 2, "CX-02 CX-09"),  # CX-02 again (row 2)
                   _row("S3", "6", "SKU-2000", 1, "CX-01"),  # another item's CX-01: its own unit
                   _row("S4", "7", "SKU-1028", 2, "CX-77 CX-77"),  # twice in its row
                   _row("S5", "8", "SKU-1028", 1, "CX-50"),  # shipped on an earlier night
                   _row("S6", "9", "SKU-1028", 2, "CX-60 CX-61", partner="acme"),  # a partner without serials
                   _row("IM-OLD", "10", "SKU-1028", 1, "CX-51", carton="C9"))  # IM-OLD sent again: not this code
    found = serial_checks(lines, {"ingram": 30}, {"SKU-1028"},
                          {"CX-50": [("SKU-1028", "IM-OLD", "ingram", "PO-0")], "CX-09": [("SKU-9", "X", "a", "P")],
                           "CX-51": [("SKU-1028", "IM-OLD", "ingram", "PO-0")]})
    assert _codes(found) == [
        (1, "SHIPMENT_SERIAL_COUNT_MISMATCH", 3, "2"),
        (2, "SHIPMENT_SERIALS_MISSING", 4, None),
        (4, "SHIPMENT_SERIAL_DUPLICATE", 6, "CX-02"),
        (6, "SHIPMENT_SERIAL_DUPLICATE", 8, "CX-77"),
        (7, "SHIPMENT_SERIAL_SHIPPED_BEFORE", 9, "CX-50")]
    assert {f.severity for _i, f in found} == {"error"}
    messages = [f.message for _i, f in found]
    assert "2 serial number(s) for 3 unit(s)" in messages[0] and "1 expected" in messages[1]
    assert "also on row 2 of this confirmation" in messages[2] and "twice in this row" in messages[3]
    assert "already shipped on shipment IM-OLD (ingram PO PO-0)" in messages[4]
    # nothing for a partner whose 856 lists no serials
    assert serial_checks(lines, {}, {"SKU-1028"}) == []


def test_a_line_in_cases_counts_its_eaches_and_a_serial_that_is_no_serial_is_named():
    lines = _lines(_row("S1", "1", "SKU-1028", 1, "A1 A2 A3 A4 A5 A6", unit="CA", per=6),  # a case of 6: right
                   _row("S1", "2", "SKU-1028", 1, "B1 B2", unit="CA", per=6),  # a case of 6 with 2
                   _row("S1", "3", "SKU-1028", 1, "X" * 31))  # longer than 004010's REF02
    assert _codes(serial_checks(lines, {"ingram": 30}, set())) == [
        (1, "SHIPMENT_SERIAL_COUNT_MISMATCH", 3, "2"), (2, "SHIPMENT_SERIAL_INVALID", 4, "X" * 31)]
    assert serial_checks(lines.slice(2), {"ingram": 50}, set()) == []  # 005010: REF02 takes 50
    assert serial_problem("CX-01") is None and serial_problem("5CD1234XYZ/A") is None
    for bad in ("", "CX 01", "CX-01,CX-02", "CX;02", "CX|03", "CX\t04", "CX\x0705", "CXé06"):
        assert serial_problem(bad), bad


def test_a_carton_of_a_line_without_serials_when_its_other_cartons_give_them_is_missing_them():
    """An item not marked serialised, its line in two cartons, one scanned and one not: the unscanned carton's
    units would go on the 856 without serials beside the others' (a distributor counts REF*SE against SN1)."""
    lines = _lines(_row("S1", "1", "SKU-1026", 2, "NB-1 NB-2", carton="C1"),
                   _row("S1", "1", "SKU-1026", 2, None, carton="C2"),
                   _row("S2", "1", "SKU-1026", 1, None, carton="C3"))  # another shipment: none given there
    found = serial_checks(lines, {"ingram": 30}, set())
    assert _codes(found) == [(1, "SHIPMENT_SERIALS_MISSING", 3, None)]
    assert "the line's other rows of the shipment give serials" in found[0][1].message


def test_items_csv_reads_serialised_as_a_spreadsheet_writes_it_and_refuses_another_word():
    from connectors.reference import read_reference_csv
    from schemas.errors import ConfigError
    from schemas.reference import ITEMS, OPTIONAL_COLUMNS

    head = "sku,gtin,unit,case_pack,min_order_qty,status,serialised\n"
    rows = "".join(f"S{k},0061414110000{k},EA,1,1,active,{v}\n" for k, v in enumerate(("yes", "No", "TRUE", "0", "")))
    items = read_reference_csv((head + rows).encode(), name="items.csv", schema=ITEMS,
                               optional=OPTIONAL_COLUMNS["items"] | {"upc", "vendor_part", "description"})
    assert items["serialised"].to_pylist() == [True, False, True, False, None]
    with pytest.raises(ConfigError, match="serialised"):
        read_reference_csv((head + "S9,00614141100009,EA,1,1,active,maybe\n").encode(), name="items.csv",
                           schema=ITEMS, optional=OPTIONAL_COLUMNS["items"] | {"upc", "vendor_part", "description"})
