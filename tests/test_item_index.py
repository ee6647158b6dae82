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


def test_an_item_an_860_deleted_from_an_order_no_longer_names_it(tmp_path):
    """GX770000 is line 1 of GLOBEX-2000 and of GLOBEX-2010; the day-2 860 deletes GLOBEX-2000's line 1 (POC DI).
    The order's first lines table still names the item: the search looked at it and kept finding GLOBEX-2000.
    Only the order's current revision counts: a line deleted from it no longer names the order."""
    from datetime import datetime

    from connectors.state import StateStore
    from flows.status_view import orders_naming
    from tests.support import REPO, make_workspace, run_stages

    ws = make_workspace(tmp_path / "ws")
    run_stages(ws, datetime(2026, 11, 27, 2))
    state = StateStore(ws.state_path)
    named = [o.po_number for o in orders_naming(ws, state, "gx770000")]
    assert sorted(named) == ["GLOBEX-2000", "GLOBEX-2010"]
    assert [o.po_number for o in orders_naming(ws, state, "GX770033")] == ["GLOBEX-2000"]
    assert "GLOBEX-2000" not in [o.po_number for o in orders_naming(ws, state, "VP-1011")]
    for f in (REPO / "sample_files" / "drops-day2" / "globex").iterdir():
        shutil.copy2(f, ws.drop_root / "globex" / "inbox" / f.name)
    run_stages(ws, datetime(2026, 11, 28, 2))
    assert [ln.state.value for ln in state.order_lines("globex", "GLOBEX-2000") if ln.line_number == 1] == ["deleted"]
    assert [o.po_number for o in orders_naming(ws, state, "gx770000")] == ["GLOBEX-2010"]
    assert [o.po_number for o in orders_naming(ws, state, "GX770033")] == ["GLOBEX-2000"]  # a changed line still does
    assert "GLOBEX-2000" in [o.po_number for o in orders_naming(ws, state, "VP-1011")]  # a line the 860 added
