"""What the short-stock sweep (tests/test_rg95_short_stock.py) left: a snapshot partition holding one (warehouse,
SKU) in two rows (written by hand, or a file left beside the loader's) stopped the decide stage for every partner
(SnapshotError: duplicate (warehouse, sku) rows) without naming them: no order answered that night. Its rows are now
summed as the loader sums an export's lots, and the night's stock line names each row (file, warehouse, SKU, on
hand, reserved) for ops to check a row written twice."""

from __future__ import annotations

import pyarrow as pa

from tests.support import run_stages
from tests.test_rg95_short_stock import ACE_ACKS, BOSCOVS_ACKS, KOHLS_ACKS, NIGHT, _acks, _copy, _workspace


def _second_file(ws, rows: list[tuple[str, str, int, int]]) -> None:
    """A second parquet file in the night's partition (2026-11-24), written by hand beside the loader's."""
    import pyarrow.parquet as pq

    from connectors.snapshots import partition_dir

    pq.write_table(pa.table({"warehouse": [r[0] for r in rows], "sku": [r[1] for r in rows],
                             "on_hand": pa.array([r[2] for r in rows], pa.int64()),
                             "reserved": pa.array([r[3] for r in rows], pa.int64())}),
                   partition_dir(ws.inventory_dir / "snapshots", NIGHT.date().replace(day=24)) / "by-hand.parquet")


def test_a_snapshot_with_one_item_in_two_rows_is_summed_named_and_the_night_answers(tmp_path):
    """The loader's file has EAST's 30 air fryers; a file written by hand beside it says 12 more of them at EAST (4
    reserved). Decide used to stop for every partner; now the rows are summed (38 free: Kohl's 24, Ace 12, Boscov's
    2 and the rest on the receipt) and the night names both rows."""
    from flows.night import _stock_summed_line

    ws = _workspace(tmp_path / "ws", _copy(tmp_path))
    _second_file(ws, [("EAST", "RG95-01", 12, 4)])
    _results, run = run_stages(ws, NIGHT)
    assert run.stock_summed == (("by-hand.parquet", "EAST", "RG95-01", 12, 4),
                                ("part-0.parquet", "EAST", "RG95-01", 30, 0))
    assert _stock_summed_line(run) == (
        "1 warehouse item written in more than one row in the snapshot of 2026-11-24, summed as lots (EAST RG95-01: "
        "by-hand.parquet 12 on hand 4 reserved + part-0.parquet 30 on hand 0 reserved): a row written twice counts "
        "its stock twice, fix the file and load the day again (orderbridge inventory load)")
    free: dict = {}  # units placed from stock per buyer and SKU (the allocation has a row per warehouse tried)
    for r in run.allocation.to_pylist():
        free[(r["partner"], r["sku"])] = free.get((r["partner"], r["sku"]), 0) + int(r["allocated"])
    assert free[("kohls", "RG95-01")] == 24 and free[("ace", "RG95-01")] == 12
    assert free[("boscovs", "RG95-01")] == 2
    assert _acks(ws, "kohls", "K9500101") == KOHLS_ACKS
    assert _acks(ws, "ace", "ACE9500201")[:2] == [ACE_ACKS[0], ["ACK", "IA", "12", "EA", "068", "20261130"]]
    assert _acks(ws, "boscovs", "BOS9500301")[0] == BOSCOVS_ACKS[0]


def test_a_snapshot_without_repeated_rows_says_nothing(tmp_path):
    from flows.night import _stock_summed_line

    ws = _workspace(tmp_path / "ws", _copy(tmp_path))
    _second_file(ws, [("EAST", "RG95-99", 5, 0)])  # another item in another file: nothing summed
    _results, run = run_stages(ws, NIGHT)
    assert run.stock_summed == () and _stock_summed_line(run) == ""


def test_the_night_prints_the_summed_rows_after_the_decide_line(tmp_path):
    from typer.testing import CliRunner

    from flows.cli import app

    ws = _workspace(tmp_path / "ws", _copy(tmp_path))
    _second_file(ws, [("EAST", "RG95-01", 12, 4)])
    res = CliRunner().invoke(app, ["run", "-w", str(ws.root), "--no-prefect", "--no-gx", "--now", NIGHT.isoformat()])
    lines = res.stderr.splitlines()
    at = next(k for k, ln in enumerate(lines) if " decide: " in ln)
    assert "FAILED" not in lines[at], lines[at]
    assert " stock: 1 warehouse item written in more than one row" in lines[at + 1], lines[at + 1]
