"""connectors.order_store: a stored order table's pieces are found whatever its key holds (the key
carries control numbers as the partner sent them: an ST02 is alphanumeric and may hold "[" or "*")."""

from __future__ import annotations

import pyarrow as pa

from connectors.order_store import OrderStore
from schemas.orders import ORDER_LINES, ORDERS


def _orders(po: str) -> pa.Table:
    return pa.Table.from_pylist([{"partner": "p", "order_ref": "r", "po_number": po, "source_file": "f",
                                  "isa13": "1", "gs06": "1", "st02": "1", "line_count": 0}], schema=ORDERS)


def test_pieces_of_a_key_with_glob_characters_are_all_read(tmp_path):
    store = OrderStore(tmp_path)
    for key in ("abc-1-[1]", "abc-1-*", "abc-1-?x"):
        store.save("p", key, _orders(f"{key} first"), ORDER_LINES.empty_table())
        store.save("p", key, _orders(f"{key} second"), ORDER_LINES.empty_table(), part=1)
        orders, _lines = store.load("p", key)
        assert orders["po_number"].to_pylist() == [f"{key} first", f"{key} second"]


def test_a_stored_file_reads_as_read_table_reads_it(tmp_path):
    """load reads each file without pq.read_table's dataset layer: same schema (metadata too), chunks, values."""
    import pyarrow.parquet as pq

    from connectors.order_store import _read_file

    store = OrderStore(tmp_path)
    lines = pa.Table.from_pylist([{"partner": "p", "order_ref": "r", "po_number": "1", "line_number": n,
                                   "source_file": "f", "isa13": "1", "gs06": "1", "st02": "1",
                                   "segment_position": n, "file_segment": n,
                                   "product_ids": [{"qualifier": "VP", "id": f"X{n}"}] if n % 2 else None}
                                  for n in range(5)], schema=ORDER_LINES)
    store.save("p", "k", _orders("1"), lines)
    for kind in ("orders", "lines"):
        path = tmp_path / "p" / f"k.{kind}.parquet"
        ours, theirs = _read_file(path), pq.read_table(path, use_threads=False)
        assert ours.schema.equals(theirs.schema, check_metadata=True)
        assert ours.equals(theirs) and [c.num_chunks for c in ours.columns] == [c.num_chunks for c in theirs.columns]
    assert store.load("p", "k")[1].equals(lines)
