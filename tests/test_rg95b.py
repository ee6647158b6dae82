"""What the short-stock sweep (tests/test_rg95_short_stock.py) left: a snapshot partition holding one (warehouse,
SKU) in two rows (written by hand, or a file left beside the loader's) stopped the decide stage for every partner
(SnapshotError: duplicate (warehouse, sku) rows) without naming them: no order answered that night. Its rows are now
summed as the loader sums an export's lots, and the night's stock line names each row (file, warehouse, SKU, on
hand, reserved) for ops to check a row written twice.

A DC whose export was not loaded for the night's snapshot day was only named on a `stock:` line: allocation counted it
empty, so the orders routed there were answered IB/IR for stock that may be there. Its last stock loaded (at most
workspace.toml's [inventory] stock_carry_days before, 3 by default) is now allocated, less what it shipped since, and
the stock line names its day."""

from __future__ import annotations

import pyarrow as pa

from tests.retailer_support import segments
from tests.support import run_stages
from tests.test_rg95_short_stock import (
    ACE_ACKS,
    BOSCOVS_ACKS,
    KOHLS_ACKS,
    NIGHT,
    TWO_DCS,
    _acks,
    _copy,
    _two_dcs,
    _workspace,
)


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


def _west_of(day: str) -> str:
    """TWO_DCS with WEST's row loaded for ``day`` alone (its export of the 24th not loaded)."""
    return "".join(r.replace("2026-11-24", day) if ",WEST," in r else r for r in TWO_DCS.splitlines(keepends=True))


def test_a_dc_missing_from_the_day_s_snapshot_is_allocated_from_its_last_stock_named_with_its_day(tmp_path):
    """WEST's export of the 24th was not loaded; the 23rd's was (10 air fryers). The night allocates WEST's 10 as on
    the 23rd: the answers are those of both DCs loaded (Ace, routed to WEST, BP 6 + IB 6; it used to be told IB 12:
    WEST counted empty), and the stock line names the day used."""
    from flows.night import _stock_carried_line, _stock_missing_line

    ws, run = _two_dcs(tmp_path, _west_of("2026-11-23"))
    assert run.stock_carried == (("WEST", NIGHT.date().replace(day=23)),) and run.stock_missing == ()
    assert _stock_missing_line(run) == ""
    assert _stock_carried_line(run) == (
        "no stock of WEST in the snapshot of 2026-11-24 (its export was not loaded for the day): allocated from its "
        "last stock loaded, WEST's of 2026-11-23, less what shipped since; load the day's export (orderbridge "
        "inventory load)")
    rows = [(r["partner"], r["warehouse"], int(r["allocated"])) for r in run.allocation.to_pylist()
            if r["sku"] == "RG95-01" and r["allocated"]]
    assert sorted(rows) == [("ace", "WEST", 6), ("kohls", "EAST", 20), ("kohls", "WEST", 4)]
    assert _acks(ws, "kohls", "K9500101") == KOHLS_ACKS
    assert _acks(ws, "ace", "ACE9500201") == ACE_ACKS
    assert _acks(ws, "boscovs", "BOS9500301") == BOSCOVS_ACKS


def test_a_dc_s_stock_older_than_the_carry_limit_is_not_used(tmp_path):
    """WEST's last export is of the 20th, 4 days before the snapshot: beyond the default 3, so WEST is still the
    missing DC the stock line names, late (and with stock_carry_days = 4 it is carried). A DC none of whose stock was
    loaded in [inventory] stock_untracked_days (31: a 3PL whose stock we do not track) is neither: its routed orders
    are served from the others, as before
    (tests/test_rg95_short_stock.py::test_a_dc_missing_from_the_night_s_stock_is_named_...)."""
    from flows.workspace import STOCK_UNTRACKED_DAYS

    ws, run = _two_dcs(tmp_path, _west_of("2026-11-20"))
    assert run.stock_carried == () and run.stock_missing == ("WEST",)
    (ws.root / "workspace.toml").write_text("[inventory]\nstock_carry_days = 4\n", encoding="utf-8")
    from flows.decide import load_inventory

    assert load_inventory(ws, NIGHT.date()).carried == (("WEST", NIGHT.date().replace(day=20)),)
    assert load_inventory(ws, NIGHT.date()).late == ()
    snap = NIGHT.date().replace(day=24)
    long_ago = snap.fromordinal(snap.toordinal() - 1 - STOCK_UNTRACKED_DAYS).isoformat()  # the day before the window
    ws, run = _two_dcs(tmp_path / "long", _west_of(long_ago))
    assert run.stock_missing == ("WEST",) and run.stock_carried == () and run.stock_late == ()


def test_the_stock_carry_limit_must_be_whole_days(tmp_path):
    import pytest

    from flows.workspace import STOCK_CARRY_DAYS, Workspace
    from schemas.errors import ConfigError

    ws = Workspace(tmp_path)
    assert ws.stock_carry_days == STOCK_CARRY_DAYS == 3
    ws.config_path.write_text("[inventory]\nstock_carry_days = \"two\"\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="stock_carry_days"):
        _ = ws.stock_carry_days


def test_orders_routed_to_a_dc_whose_export_is_late_are_held_for_a_person_not_answered_ir(tmp_path):
    """WEST's last export loaded is of the 20th, 4 days before the snapshot (beyond stock_carry_days): Ace's PO, routed
    to WEST by its N1*SF, used to be answered IB 12 (and IR where no receipt covered it) for stock WEST may hold. It
    is now held for a person (no answer sent until approved) with a finding naming the DC; the buyers not routed
    there are answered from EAST as before."""
    from tests.retailer_support import findings_and_states

    ws, run = _two_dcs(tmp_path, _west_of("2026-11-20"))
    assert run.stock_missing == ("WEST",) and run.stock_carried == ()
    assert run.stock_late == (("WEST", NIGHT.date().replace(day=20)),)
    found = [f for f in findings_and_states(ws, lambda f: (f["code"], f["po_number"], f["message"]))[0]
             if f[0] == "STOCK_NOT_LOADED"]
    assert found == [("STOCK_NOT_LOADED", "ACE9500201",
                      "PO ACE9500201 ships from WEST (its N1*SF), whose stock export was not loaded for the snapshot "
                      "of 2026-11-24: its last, of 2026-11-20, is older than [inventory] stock_carry_days allows. "
                      "Held for a person rather than answered for stock we cannot see: load the DC's export "
                      "(orderbridge inventory load), then approve the order (orderbridge approvals).")]
    assert run.outcomes[("ace", "ACE9500201")] == "held"
    # nothing answered to Ace yet (no IB, no IR): its profile sends no 855 for an order held
    assert not [s for s in segments(ws, "ace", "855") if s[0] == "BAK" and s[3] == "ACE9500201"]
    assert not [r for r in run.allocation.to_pylist() if r["partner"] == "ace" and int(r["allocated"])]
    # Kohl's (not routed) is answered from EAST's 20 as before: BP 20, the rest on the receipt
    assert _acks(ws, "kohls", "K9500101")[1:3] == [["ACK", "BP", "20", "EA", "068", "20261130"],
                                                   ["ACK", "IB", "4", "EA", "068", "20261204"]]


def test_a_carried_dc_s_stock_is_less_what_it_shipped_since_its_day():
    """WEST's stock is of the 23rd, the snapshot of the 24th: what WEST shipped on the 23rd (not in the snapshot's
    shipped-since count, which starts on the 24th) is taken off its stock too; EAST's shipments are not."""
    from datetime import date

    from flows.decide import Inventory, _shipped_before

    class State:
        def shipped_since(self, day):
            rows = [("WEST", "A", 5, date(2026, 11, 23)), ("WEST", "A", 2, date(2026, 11, 24)),
                    ("EAST", "A", 9, date(2026, 11, 23))]
            out: dict = {}
            for w, s, q, d in rows:
                if d >= day:
                    out[(w, s)] = out.get((w, s), 0) + q
            return [{"warehouse": w, "sku": s, "quantity": q} for (w, s), q in sorted(out.items())]

    inv = Inventory(pa.table({}), pa.table({}), date(2026, 11, 24), carried=(("WEST", date(2026, 11, 23)),))
    assert _shipped_before(State(), inv) == [{"warehouse": "WEST", "sku": "A", "quantity": 5}]
    assert _shipped_before(State(), Inventory(pa.table({}), pa.table({}), date(2026, 11, 24))) == []
