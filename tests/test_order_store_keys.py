"""connectors.order_store: a stored order table's pieces are found whatever its key holds (the key
carries control numbers as the partner sent them: an ST02 is alphanumeric and may hold "[" or "*")."""

from __future__ import annotations

import pyarrow as pa
import pytest

from connectors.order_store import OrderStore
from schemas.errors import StateError
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
    for columns in (["po_number", "partner"], ["line_number", "product_ids", "po_number"], ["po_number", "po_number"]):
        path = tmp_path / "p" / "k.lines.parquet"
        ours, theirs = _read_file(path, columns), pq.read_table(path, columns=columns)
        assert ours.column_names == columns and ours.schema.equals(theirs.schema, check_metadata=True)
        assert ours.equals(theirs) and [c.num_chunks for c in ours.columns] == [c.num_chunks for c in theirs.columns]
    orders, picked = store.load_columns("p", "k", ["po_number"], ["line_number", "po_number"])
    assert orders.equals(_orders("1").select(["po_number"]))
    assert picked.equals(lines.select(["line_number", "po_number"]))
    with pytest.raises(StateError):  # a column the file lacks: as when pq.read_table refused it
        store.load_columns("p", "k", ["po_number", "nope"], ["po_number"])


def test_pieces_are_found_as_the_escaped_glob_found_them(tmp_path):
    """_parts lists the folder and compares names as text: the same files, in the same order, as the
    escaped glob it replaced, for keys holding glob characters, keys stored nowhere, pieces without
    their first file, and names that only look like pieces."""
    import glob

    def globbed(partner: str, key: str, kind: str) -> list:
        first = store._path(partner, key, kind)
        more = sorted(first.parent.glob(f"{glob.escape(key)}.{kind}.part[0-9][0-9][0-9][0-9][0-9][0-9].parquet"))
        return [first] + more if more and first.exists() else more or [first]

    store = OrderStore(tmp_path)
    folder = tmp_path / "p"
    folder.mkdir()
    keys = ["k", "k-1-[1]", "k-1-*", "k-1-?x", "k-1-[!a]", "k-1-]", "k.orders", "only-pieces", "missing"]
    for key in keys[:-1]:
        names = [f"{key}.orders.part000010.parquet", f"{key}.orders.part000001.parquet",
                 f"{key}.orders.part12345.parquet", f"{key}.orders.part1234567.parquet",
                 f"{key}.orders.part00000\u0661.parquet", f"{key}.orders.part00000a.parquet",
                 f".tmp-{key}.orders.part000002.parquet", f"{key}.ORDERS.part000003.parquet",
                 f"{key}.lines.part000001.parquet", f"{key}x.orders.part000004.parquet",
                 f"x{key}.orders.part000005.parquet", f"{key}.orders.part000006.parquetx"]
        if key != "only-pieces":
            names.append(f"{key}.orders.parquet")
        for name in names:
            (folder / name).touch()
    (folder / "k.orders.part000007.parquet").mkdir()  # a folder named like a piece: the glob listed it too
    for partner in ("p", "nobody"):
        for key in keys:
            for kind in ("orders", "lines", "changes"):
                assert store._parts(partner, key, kind) == globbed(partner, key, kind), (partner, key, kind)
    assert [p.name for p in store._parts("p", "k-1-*", "orders")] == [
        "k-1-*.orders.parquet", "k-1-*.orders.part000001.parquet", "k-1-*.orders.part000010.parquet"]


def test_a_piece_written_after_the_folder_was_listed_is_read(tmp_path):
    """The folder is listed once while it does not change (its time as when listed); a piece written since
    changes that time and is read, and one written within the same clock tick as a listing (the folder's
    time left as it was) is read too: a listing that close to the folder's time is not kept."""
    import os
    import time

    store = OrderStore(tmp_path)
    store.save("p", "k", _orders("first"), ORDER_LINES.empty_table())
    folder = tmp_path / "p"
    old = time.time_ns() - 60 * 10**9
    os.utime(folder, ns=(old, old))  # a folder last changed a minute ago: its listing is kept
    assert store.load("p", "k")[0]["po_number"].to_pylist() == ["first"]
    store.save("p", "k", _orders("second"), ORDER_LINES.empty_table(), part=1)
    assert store.load("p", "k")[0]["po_number"].to_pylist() == ["first", "second"]

    now = time.time_ns()
    os.utime(folder, ns=(now, now))  # changed just now: a listing now is not kept ...
    assert OrderStore(tmp_path).load("p", "k")[0]["po_number"].to_pylist() == ["first", "second"]
    store.save("p", "k", _orders("third"), ORDER_LINES.empty_table(), part=2)
    os.utime(folder, ns=(now, now))  # ... as a piece written in the same tick leaves the folder's time as it was
    assert store.load("p", "k")[0]["po_number"].to_pylist() == ["first", "second", "third"]


def test_tables_read_with_the_current_schema_whatever_metadata_they_were_stored_with(tmp_path):
    """A stored table reads as its cast to the current schema did (values, chunks, the schema's and each field's
    metadata), whether stored with that schema's metadata, without it, or with a column of another type."""
    import pyarrow.parquet as pq

    from connectors.order_store import _as, _read_file

    store = OrderStore(tmp_path)
    store.save("p", "k", _orders("now"), ORDER_LINES.empty_table())
    folder = tmp_path / "p"
    pq.write_table(_orders("bare").replace_schema_metadata(None), folder / "bare.orders.parquet")
    pq.write_table(_orders("bare").replace_schema_metadata(None), folder / "bare.lines.parquet")  # (not read)
    wide = _orders("typed").set_column(ORDERS.get_field_index("line_count"), "line_count",
                                       pa.array([0], pa.int16()))
    pq.write_table(wide, folder / "typed.orders.parquet")
    for key in ("k", "bare", "typed"):
        raw = _read_file(folder / f"{key}.orders.parquet", schema=ORDERS)
        ours, cast = _as(raw, ORDERS), raw.cast(ORDERS)
        assert ours.schema.equals(ORDERS, check_metadata=True) and ours.equals(cast)
        assert [ours.schema.field(i).metadata for i in range(len(ORDERS))] == \
            [cast.schema.field(i).metadata for i in range(len(ORDERS))]
        assert [c.num_chunks for c in ours.columns] == [c.num_chunks for c in cast.columns]
        assert store.load_orders("p", key).equals(cast)
