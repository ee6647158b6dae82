"""connectors.item_index: the orders a line of which named an item as its PO sent it, from the stored order-line
tables, kept up to date a stored table at a time (one written since is read, one gone is dropped)."""

from __future__ import annotations

import shutil

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.item_index import ItemIndex, item_key
from schemas.orders import ORDER_LINES


def _save(root, key: str, po: str, **ids: str) -> None:
    """A stored lines table as connectors.order_store writes it, of the columns the index reads."""
    (root / "acme").mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"partner": ["acme"], "po_number": [po], "upc": [ids.get("UP")], "gtin": [None],
                             "buyer_part": [ids.get("BP") or ids.get("IN")],
                             "product_ids": [[{"qualifier": q, "id": v} for q, v in ids.items()]]},
                            schema=pa.schema([ORDER_LINES.field(n) for n in ("partner", "po_number", "upc", "gtin",
                                                                             "buyer_part", "product_ids")])),
                   root / "acme" / f"{key}.lines.parquet")


def test_item_keys_match_as_people_quote_them():
    assert item_key(" gx770033 ") == "GX770033"
    assert item_key("00614141100101") == item_key("614141100101") == "614141100101"
    assert item_key("0000") == "0" and item_key("") == ""


def test_the_index_follows_the_stored_tables_and_is_kept(tmp_path):
    store = tmp_path / "orders"
    _save(store, "a", "PO-1", BP="BUY-1", UP="614141100101")
    index = ItemIndex(tmp_path / "orders", tmp_path / "derived")
    assert index.orders_naming("buy-1") == [("acme", "PO-1")]
    assert index.orders_naming("00614141100101") == [("acme", "PO-1")]
    assert index.orders_naming("BUY-1", partner="globex") == [] and index.orders_naming("  ") == []
    kept = (tmp_path / "derived" / "item-ids-v1.arrow").read_bytes()
    assert index.orders_naming("BUY-1") == [("acme", "PO-1")]  # nothing new: the index is not written again
    assert (tmp_path / "derived" / "item-ids-v1.arrow").read_bytes() == kept
    _save(store, "b", "PO-2", IN="BUY-1")  # a night later: its table alone is read
    assert index.orders_naming("BUY-1") == [("acme", "PO-1"), ("acme", "PO-2")]
    for p in (tmp_path / "orders" / "acme").glob("a.*"):
        p.unlink()
    assert index.orders_naming("BUY-1") == [("acme", "PO-2")] and index.orders_naming("614141100101") == []
    shutil.rmtree(tmp_path / "derived")  # derived data: read again from the stored tables
    assert ItemIndex(tmp_path / "orders", tmp_path / "derived").orders_naming("buy-1") == [("acme", "PO-2")]
    (tmp_path / "derived" / "item-ids-v1.arrow").write_bytes(b"not arrow")  # unreadable: read again
    assert ItemIndex(tmp_path / "orders", tmp_path / "derived").orders_naming("buy-1") == [("acme", "PO-2")]
