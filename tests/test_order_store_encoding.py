"""How connectors.order_store writes a large table: with dictionaries (values that repeat: partner, PO number,
unit ...), except a column whose every row has its own value (file_segment, a line's segment ordinal in its
file), which is written plain; the rows read back are the same either way."""

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.order_store import DICTIONARY_ROWS, OrderStore
from schemas.orders import ORDER_LINES, ORDERS


def _lines(n: int) -> pa.Table:
    values = {f.name: pa.nulls(n, f.type) if f.nullable else pa.array(["x"] * n, f.type) if f.type == pa.string()
              else pa.array([1] * n, f.type) for f in ORDER_LINES}
    values.update(partner=pa.array(["acme"] * n), po_number=pa.array([f"PO-{i // 20}" for i in range(n)]),
                  order_ref=pa.array([f"1-1-{i // 20}" for i in range(n)]),
                  line_number=pa.array([i % 20 + 1 for i in range(n)], pa.int32()),
                  file_segment=pa.array(range(4, 4 + 2 * n, 2), pa.int32()))
    return pa.table(values, schema=ORDER_LINES)


def _encodings(path) -> dict[str, tuple[str, ...]]:
    meta = pq.ParquetFile(path).metadata.row_group(0)
    return {meta.column(i).path_in_schema: meta.column(i).encodings for i in range(meta.num_columns)}


def test_a_column_of_distinct_values_is_written_without_a_dictionary(tmp_path):
    lines = _lines(DICTIONARY_ROWS + 200)
    store = OrderStore(tmp_path)
    store.save("acme", "k1", ORDERS.empty_table(), lines)
    path = tmp_path / "acme" / "k1.lines.parquet"
    found = _encodings(path)
    assert "RLE_DICTIONARY" not in found["file_segment"]
    assert "RLE_DICTIONARY" in found["po_number"] and "RLE_DICTIONARY" in found["partner"]
    assert any("RLE_DICTIONARY" in e for p, e in found.items() if p.startswith("product_ids."))
    assert pq.read_table(path).equals(lines)
    assert store.load("acme", "k1")[1].equals(lines)


def test_a_small_table_has_no_dictionary_at_all(tmp_path):
    lines = _lines(40)
    OrderStore(tmp_path).save("acme", "k2", ORDERS.empty_table(), lines)
    path = tmp_path / "acme" / "k2.lines.parquet"
    assert not any("RLE_DICTIONARY" in e for e in _encodings(path).values())
    assert pq.read_table(path).equals(lines)
