"""Snapshot store: round trip, latest partition, and SnapshotError for missing/corrupt/mistyped data."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from allocation_support import AS_OF, receipts, snapshot

from connectors.snapshots import latest_as_of, load_receipts, load_snapshot, write_receipts, write_snapshot
from schemas.errors import SnapshotError


def test_round_trip(tmp_path):
    table = snapshot({("W2", "B"): 4, ("W1", "A"): 7}, reserved={("W1", "A"): 1})
    write_snapshot(tmp_path, table)
    loaded = load_snapshot(tmp_path, AS_OF)
    assert loaded.to_pylist() == sorted(table.to_pylist(), key=lambda r: (r["warehouse"], r["sku"]))
    assert loaded.schema.names == ["as_of", "warehouse", "sku", "on_hand", "reserved"]
    rec = receipts(("W1", "A", 5, date(2024, 3, 9)))
    assert load_receipts(write_receipts(tmp_path / "r.parquet", rec)).equals(rec)


def test_latest_as_of_picks_the_newest_partition(tmp_path):
    write_snapshot(tmp_path, snapshot({("W1", "A"): 1}))
    (tmp_path / "as_of=2024-04-02").mkdir()
    (tmp_path / "notes").mkdir()
    assert latest_as_of(tmp_path) == date(2024, 4, 2)
    with pytest.raises(SnapshotError, match="no as_of"):
        latest_as_of(tmp_path / "notes")


def test_missing_partition_names_the_path(tmp_path):
    write_snapshot(tmp_path, snapshot({("W1", "A"): 1}))
    with pytest.raises(SnapshotError, match="partition missing") as info:
        load_snapshot(tmp_path, date(2024, 3, 2))
    assert "as_of=2024-03-02" in str(info.value)


def test_empty_partition(tmp_path):
    (tmp_path / "as_of=2024-03-01").mkdir()
    with pytest.raises(SnapshotError, match="no parquet file"):
        load_snapshot(tmp_path, AS_OF)


def test_corrupt_file(tmp_path):
    part = tmp_path / "as_of=2024-03-01"
    part.mkdir()
    (part / "part-0.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(SnapshotError, match="parquet") as info:
        load_snapshot(tmp_path, AS_OF)
    assert "part-0.parquet" in str(info.value)


@pytest.mark.parametrize(
    ("column", "values", "problem"),
    [
        ("on_hand", pa.array([1.5]), "on_hand"),
        ("on_hand", pa.array(["7"]), "on_hand"),
        ("reserved", pa.array([None], pa.int64()), "nulls"),
    ],
)
def test_wrong_types_or_nulls(tmp_path, column, values, problem):
    table = pa.table({"warehouse": ["W1"], "sku": ["A"], "on_hand": pa.array([7]), "reserved": pa.array([0])})
    table = table.set_column(table.schema.get_field_index(column), column, values)
    part = tmp_path / "as_of=2024-03-01"
    part.mkdir()
    pq.write_table(table, part / "part-0.parquet")
    with pytest.raises(SnapshotError, match=problem):
        load_snapshot(tmp_path, AS_OF)


def test_missing_column_and_narrow_ints(tmp_path):
    part = tmp_path / "as_of=2024-03-01"
    part.mkdir()
    pq.write_table(
        pa.table(
            {
                "warehouse": ["W1"],
                "sku": ["A"],
                "on_hand": pa.array([7], pa.int32()),
                "reserved": pa.array([0], pa.int16()),
            }
        ),
        part / "part-0.parquet",
    )
    assert load_snapshot(tmp_path, AS_OF).column("on_hand").type == pa.int64()
    pq.write_table(pa.table({"warehouse": ["W1"], "sku": ["A"]}), part / "part-0.parquet")
    with pytest.raises(SnapshotError, match="'on_hand' missing"):
        load_snapshot(tmp_path, AS_OF)


def test_receipts_missing_or_mistyped(tmp_path):
    with pytest.raises(SnapshotError, match="missing"):
        load_receipts(tmp_path / "nope.parquet")
    pq.write_table(
        pa.table({"warehouse": ["W1"], "sku": ["A"], "quantity": [5], "eta": ["2024-03-09"]}),
        tmp_path / "r.parquet",
    )
    with pytest.raises(SnapshotError, match="eta"):
        load_receipts(tmp_path / "r.parquet")


def test_engine_refuses_a_mistyped_or_duplicated_snapshot():
    from allocation_support import TODAY, lines

    from engine.allocate import allocate
    from schemas.allocation import AllocationPolicy

    bad = snapshot({("W1", "A"): 1}).set_column(3, "on_hand", pa.array([1.0]))
    with pytest.raises(SnapshotError, match="on_hand"):
        allocate(
            lines({"sku": "A", "quantity": 1}), bad, receipts(), {"ACME": AllocationPolicy()}, today=TODAY
        )
    dup = pa.concat_tables([snapshot({("W1", "A"): 1}), snapshot({("W1", "A"): 2})])
    with pytest.raises(SnapshotError, match="duplicate"):
        allocate(
            lines({"sku": "A", "quantity": 1}), dup, receipts(), {"ACME": AllocationPolicy()}, today=TODAY
        )
