"""Small builders for canonical ORDERS / ORDER_LINES tables in business-rule tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from connectors.reference import load_reference
from schemas.orders import ORDER_LINES, ORDERS, PRODUCT_QUALIFIERS

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "sample_files" / "reference"
TODAY = date(2026, 11, 27)

_QUALIFIER_OF = {"upc": "UP", "gtin": "UK", "ean": "EN", "vendor_part": "VN", "buyer_part": "BP"}


def reference():
    return load_reference(REFERENCE_DIR)


def order(**overrides) -> dict:
    row = {
        "partner": "acme",
        "order_ref": "000000101-1-0001",
        "po_number": "PO-1",
        "purpose": "00",
        "order_type": "SA",
        "po_date": date(2026, 11, 20),
        "version": "004010",
        "currency": "USD",
        "terms_type": "08",
        "terms_discount_percent": Decimal("2"),
        "terms_discount_days": 10,
        "terms_net_days": 30,
        "requested_delivery_date": date(2026, 12, 10),
        "requested_ship_date": date(2026, 12, 5),
        "ship_not_before": date(2026, 12, 1),
        "ship_no_later": date(2026, 12, 8),
        "ship_to_id_qualifier": "92",
        "ship_to_id": "0001",
        "line_count": 1,
        "source_file": "acme_850_1.x12",
        "isa13": "000000101",
        "gs06": "1",
        "st02": "0001",
        "st_file_segment": 3,
    }
    row.update(overrides)
    return row


def line(**overrides) -> dict:
    """A PO1 line for SKU-1001 by UPC; pass upc/gtin/ean/vendor_part/buyer_part to change the ids."""
    row = {
        "partner": "acme",
        "order_ref": "000000101-1-0001",
        "po_number": "PO-1",
        "line_number": 1,
        "line_id": "1",
        "quantity": Decimal("10"),
        "unit": "EA",
        "unit_price": Decimal("19.70"),
        "upc": "614141100101",
        "source_file": "acme_850_1.x12",
        "isa13": "000000101",
        "gs06": "1",
        "st02": "0001",
        "segment_position": 12,
        "file_segment": 14,
    }
    row.update(overrides)
    if "product_ids" not in overrides:
        row["product_ids"] = [
            {"qualifier": _QUALIFIER_OF[c], "id": row[c]} for c in _QUALIFIER_OF if row.get(c) is not None
        ]
    return row


def orders_table(*rows: dict) -> pa.Table:
    return pa.Table.from_pylist(list(rows) or [order()], schema=ORDERS)


def lines_table(*rows: dict) -> pa.Table:
    return pa.Table.from_pylist(list(rows) or [line()], schema=ORDER_LINES)


assert set(_QUALIFIER_OF.values()) <= set(PRODUCT_QUALIFIERS)
