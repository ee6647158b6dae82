"""The benches `make bench` runs still run (at a tiny size): a schema change that breaks one is caught
here, not on the night someone measures. Nothing is timed or compared: each must finish and print its
figures."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support import REPO


def bench(*args: str, timeout: int = 600) -> str:
    out = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_the_console_bench_builds_its_store_and_prints_every_figure():
    lines = [json.loads(x) for x in bench("bench/bench_console.py", "300").splitlines() if x.startswith("{")]
    figures = {x["figure"] for x in lines}
    assert {"store", "orderbridge status PO (new process, start-up included)"} <= figures
    store = next(x for x in lines if x["figure"] == "store")
    assert store["orders"] == 300 and store["order_lines"] == 300 * 20


def test_the_night_bench_runs_a_tiny_night_and_ships_half_of_it():
    rows = [line.split() for line in bench("bench/bench_run.py", "20").splitlines()]
    night = next(r for r in rows if r[:2] == ["20", "400"])  # POs, lines, ... accepted, sent
    assert night[8] == "20" and int(night[9]) >= 20  # every PO accepted; its 855s (and 997s) sent
    shipping = next(r for r in rows if len(r) == 9 and r[0] == "20" and r[1] != "400")
    assert shipping[1] == "10" and shipping[3] == "10" and shipping[6] == "10"  # 10 POs shipped: 856s, 810s


def test_the_bench_night_ships_half_of_its_orders_in_the_same_run():
    out = bench("bench/bench_night.py", "--lines", "400", "--multiples", "1", "--no-prefect")
    rows = {r["night"]: r for r in json.loads(next(x for x in out.splitlines() if x.startswith("{")))["night"]}
    empty, night = rows["empty"], rows["1x"]
    assert (empty["shipped_pos"], empty["sent_856"], empty["sent_810"]) == (0, 0, 0)
    assert night["pos"] == 20 and night["lines"] == 400
    # POs 0, 2, ... 18 confirmed by the east DC before the run: each shipped with its 856 and its 810
    assert night["to_ship"] == night["shipped_pos"] == night["sent_856"] == night["sent_810"] == 10
    assert {"ship", "invoice"} <= set(night["stages"])
    assert "1x: 10 of 20 POs shipped (half: 10), 10 856s and 10 810s sent: as expected" in out


def test_the_reconciliation_bench_reconciles_a_tiny_night():
    out = [json.loads(x) for x in bench("bench/bench_reconcile_stage.py", "20").splitlines() if x.startswith("{")]
    assert len(out) == 1 and out[0]["pos"] == 20 and out[0]["lines"] == 400 and out[0]["exceptions"] > 0


def test_the_late_reconciliation_bench_prints_each_steps_cpu_and_memory():
    """`make bench`'s reconciliation 20 days late (every line not shipped late), step by step."""
    out = json.loads(bench("bench/profile_stage.py", "reconcile", "20", "--late", "20", "--steps").splitlines()[-1])
    assert out["stage"] == "reconcile" and out["exceptions"] > 0
    steps = out["steps"]
    assert {"load_inputs", "reconcile", "book", "save_reconciliation", "write_reports", "write_cumulative",
            "write_cumulative/stored_exceptions", "write_cumulative/write_reports"} <= set(steps)
    assert all({"calls", "cpu_s", "peak_mb", "rss_after_mb"} <= set(v) for v in steps.values())
    assert out["peak_rss_mb"] >= max(v["peak_mb"] for v in steps.values()) > 0


def test_the_ship_bench_prints_the_856_and_810_steps_cpu_and_memory():
    """The ship stage (856s, then 810s) of a tiny night, step by step: what the next attempt at its speed reads."""
    out = json.loads(bench("bench/profile_stage.py", "ship", "20", "--steps").splitlines()[-1])
    assert out["stage"] == "ship" and set(out["inside"]) == {"ship", "invoice"}
    steps = out["steps"]
    assert {"_ship_file", "_ship_file/plan_shipments", "_ship_file/apply/_write_shipments", "_ship_file/verify",
            "_invoice_run", "_invoice_run/prepare_invoices", "_invoice_run/apply/_write_invoices",
            "_invoice_run/apply/_update_lines"} <= set(steps)
    assert all({"calls", "cpu_s", "peak_mb", "rss_after_mb"} <= set(v) for v in steps.values())
    assert steps["_invoice_run"]["calls"] == 1 and steps["_ship_file"]["calls"] >= 1


@pytest.mark.parametrize("shape", ["one", "six"])
def test_the_big_drop_bench_takes_in_a_tiny_interchange_read_in_batches(tmp_path, shape):
    out = bench("bench/bench_bigdrop.py", "--shape", shape, "--mb", "2", "--stream-mb", "0.4", "--batch-sets", "50",
                "--work", str(tmp_path / "w"))
    drop, intake = out.splitlines()[-2:]
    assert drop.startswith(f"bigdrop  {shape}: ") and " in 1 files " in drop
    assert f"({1 if shape == 'one' else 6} interchanges, " in drop
    assert "peak RSS (process tree)" in intake and "files processed 1 " in intake and "errors 0 " in intake
    pos = int(drop.split("interchanges, ")[1].split(" POs")[0].replace(",", ""))
    assert f"orders {pos:,} " in intake


def test_the_big_drop_bench_takes_in_a_tiny_interchange_with_an_isx_read_in_batches(tmp_path):
    """--isx: one 007040 interchange with an ISX naming '?' and a released '*' in every ship-to name."""
    out = bench("bench/bench_bigdrop.py", "--shape", "one", "--isx", "--mb", "1", "--stream-mb", "0.4",
                "--batch-sets", "50", "--work", str(tmp_path / "w"), "--keep")
    drop, intake = out.splitlines()[-2:]
    assert drop.startswith("bigdrop  one isx: ") and " in 1 files (1 interchanges, " in drop
    assert "files processed 1 " in intake and "errors 0 " in intake
    pos = int(drop.split("interchanges, ")[1].split(" POs")[0].replace(",", ""))
    assert f"orders {pos:,} " in intake
    [big] = (tmp_path / "w" / "drop" / "acme").rglob("big-0000.x12")
    assert big.read_bytes().count(b"N1*ST*Acme Distribution?*Center*92*DC01~") == pos


def test_the_big_drop_bench_takes_in_a_tiny_drop_read_in_pieces(tmp_path):
    out = bench("bench/bench_bigdrop.py", "--mb", "2", "--stream-mb", "0.4", "--work", str(tmp_path / "w"))
    drop, intake = out.splitlines()[-2:]
    assert drop.startswith("bigdrop") and " in 2 files " in drop
    assert "peak RSS (process tree)" in intake and "files processed 2 " in intake and "errors 0 " in intake
    pos = int(drop.split("interchanges, ")[1].split(" POs")[0].replace(",", ""))
    assert f"orders {pos:,} " in intake


def test_the_reconcile_history_bench_runs_nights_with_new_orders_and_reconciles_them_all():
    out = [json.loads(x) for x in bench("bench/bench_reconcile_history.py", "20", "--nights", "2").splitlines()
           if x.startswith("{")]
    assert [r["night"] for r in out] == [1, 2]
    # each night's 400 lines taken in as new orders (renumbered: none a duplicate), every one reconciled again
    assert [r["lines_reconciled"] for r in out] == [400, 800]
    assert out[1]["documents"] == 2 * out[0]["documents"] > 0 and out[0]["their_997_sets"] > 0
    assert all(r["cpu_s"] >= 0 and r["peak_rss_mb"] >= r["rss_before_mb"] > 0 for r in out)


def test_the_aged_night_bench_runs_nights_that_ship_yesterday_s_open_orders_and_take_their_changes():
    out = [json.loads(x) for x in bench("bench/bench_aged_night.py", "20", "--nights", "2").splitlines()
           if x.startswith("{")]
    assert [r["night"] for r in out] == [1, 2]
    first, second = out[0]["store"], out[1]["store"]
    # night 1 ships half its 20 POs; night 2 half of its own and the 10 night 1 left open
    assert (first["shipments"], second["shipments"]) == (10, 30)
    assert second["pending_changes"] == 10 and out[0]["their_997_sets"] > 0  # its 860s and the 997s it gets
    assert sum(second["orders"].values()) == 40
    stages = {"intake", "decide", "ship", "invoice", "deliver", "reconcile", "reports"}
    assert all(stages <= set(r["stage_cpu_s"]) and r["peak_rss_mb"] > 0 and r["store_mb"] > 0 for r in out)


def test_the_big_order_bench_runs_one_po_of_each_shape_to_its_invoices():
    rows = [line.split() for line in bench("bench/bench_bigorder.py", "--lines", "40", "--sdq", "6x3",
                                           "--change", "30").splitlines()]
    nights = {r[0]: r for r in rows if r and r[0].startswith(("po-", "sdq-", "change-"))}
    assert list(nights) == ["po-40", "sdq-6x3", "change-30-850", "change-30-860"]
    # every night exits 0; the PO (and the changed one the second night) acknowledged, shipped twice and invoiced
    assert all(r[2] == "0" for r in nights.values())
    assert [nights[k][13] for k in nights] == ["invoiced", "invoiced", "acknowledged", "invoiced"]
    assert "'856': 2" in " ".join(nights["po-40"]) and "'810': 2" in " ".join(nights["change-30-860"])


def test_the_releases_by_ref_bench_finds_every_tenth_release_of_its_blanket():
    out = json.loads(bench("bench/bench_releases_by_ref.py", "20").strip().splitlines()[-1])
    # every tenth of the 20 releases names the blanket by REF*CT: found through the index, no stored table read
    assert out["releases"] == 20 and out["found"] == 2 and out["tables_read"] == 0 and out["seconds"] >= 0


def test_the_blanket_refs_fill_bench_migrates_an_old_store_and_fills_its_releases():
    out = json.loads(bench("bench/bench_blanket_refs_fill.py", "20").strip().splitlines()[-1])
    # a version 35 store: the lookup reads the stored tables before the fill and finds the same 2 releases after
    assert out["orders_unread"] == 0 and out["orders_filled"] >= 20
    assert out["lookup_before"]["found"] == out["lookup_after"]["found"] == 2
