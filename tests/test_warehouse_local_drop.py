"""A warehouse's local drop honours its profile's ``[drop.local]`` as a partner's does (flows.shipments.
warehouse_drops, through the real shipments run, flows.night.run_shipments): names ending in one of its
``temp_suffixes`` (a DC export still writing ``*.uploading``) are never read, and a file changed less than
``settle_seconds`` ago is read only once it stays the same that long."""

from __future__ import annotations

import os
import shutil
from datetime import datetime

import pytest

from connectors.local import LocalDrop
from flows import night
from flows import shipments as shipping
from flows.exit_status import ExitStatus, for_run
from flows.workspace import open_workspace
from schemas.warehouses import load_warehouses
from tests.support import REPO, run_stages, shipping_workspace

NIGHT1, DAY1 = datetime(2026, 11, 27, 2), datetime(2026, 11, 27, 14, 30)
EAST_CSV = REPO / "sample_files" / "warehouse-drops" / "east" / "east-shipments-20261127.csv"
LOCAL = '[drop]\nkind = "local"\n'


@pytest.fixture(scope="module")
def night1(tmp_path_factory):
    ws = shipping_workspace(tmp_path_factory.mktemp("whlocal") / "ws")
    run_stages(ws, NIGHT1)
    return ws.root


@pytest.fixture
def ws(night1, tmp_path):
    shutil.copytree(night1, tmp_path / "ws")
    return open_workspace(tmp_path / "ws")


def _east_local(ws, table: str) -> None:
    path = ws.root / "warehouses" / "east.toml"
    text = path.read_text()
    assert LOCAL in text
    path.write_text(text.replace(LOCAL, LOCAL + "\n[drop.local]\n" + table))


def test_a_warehouse_local_drop_takes_its_profiles_drop_local_settings(ws):
    _east_local(ws, 'settle_seconds = 7.5\ntemp_suffixes = [".uploading"]\n')
    drop = shipping.warehouse_drops(ws)(ws.warehouses()["east"])
    assert isinstance(drop, LocalDrop) and (drop.settle_seconds, drop.temp_suffixes) == (7.5, (".uploading",))
    north = shipping.warehouse_drops(ws)(ws.warehouses()["north"])  # the defaults, as a partner's
    assert (north.settle_seconds, north.temp_suffixes) == (2.0, (".tmp", ".part", ".filepart"))
    assert load_warehouses(REPO / "warehouses")["east"].drop.local.settle_seconds == 2.0


def test_a_dc_export_still_being_written_under_its_temporary_suffix_is_not_read(ws):
    _east_local(ws, 'settle_seconds = 0.0\ntemp_suffixes = [".uploading"]\n')
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "east-later.csv.uploading").write_bytes(EAST_CSV.read_bytes()[:200])  # half written
    skipped = night.run_shipments(str(ws.root), stages=night.InProcess(delays=[]), now=DAY1.isoformat())
    assert skipped.get("skipped") == "no confirmation or invoice waiting"
    (inbox / EAST_CSV.name).write_bytes(EAST_CSV.read_bytes())
    summary = night.run_shipments(str(ws.root), stages=night.InProcess(delays=[]), now=DAY1.isoformat())
    east = {w["warehouse"]: w for w in summary["warehouses"]}["east"]
    assert (east["failure"], east["files"], east["shipments"]) == ("", 1, 3)
    assert sorted(p.name for p in inbox.iterdir()) == ["east-later.csv.uploading"]  # left to finish
    assert not (ws.warehouse_drop_root / "east" / "quarantine" / "east-later.csv.uploading").exists()


def test_a_file_still_changing_in_a_warehouse_local_drop_waits_for_a_later_run(ws, monkeypatch):
    _east_local(ws, "settle_seconds = 5.0\n")
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    path = inbox / EAST_CSV.name
    path.write_bytes(EAST_CSV.read_bytes()[:300])
    naps: list[float] = []

    def still_writing(seconds: float) -> None:  # the export goes on writing while we wait
        naps.append(seconds)
        path.write_bytes(EAST_CSV.read_bytes()[:300 + 100 * len(naps)])

    monkeypatch.setitem(LocalDrop.__init__.__kwdefaults__, "sleep", still_writing)  # the drops' wait
    summary = night.run_shipments(str(ws.root), stages=night.InProcess(delays=[]), now=DAY1.isoformat())
    assert naps and set(naps) == {5.0}
    assert summary.get("skipped") == "no confirmation or invoice waiting"  # nothing settled: no run
    assert path.exists() and not any((ws.warehouse_drop_root / "east" / f / path.name).exists()
                                     for f in ("processed", "quarantine"))
    path.write_bytes(EAST_CSV.read_bytes())  # the export finished, a while ago
    os.utime(path, (1_700_000_000, 1_700_000_000))
    summary = night.run_shipments(str(ws.root), stages=night.InProcess(delays=[]), now=DAY1.isoformat())
    east = {w["warehouse"]: w for w in summary["warehouses"]}["east"]
    assert (east["failure"], east["files"], east["shipments"]) == ("", 1, 3)
    assert len(naps) == 1  # a file that settled long ago is read without waiting


def test_confirmations_in_a_folder_no_warehouse_profile_names_are_said_never_left_unsaid(ws):
    """A DC's export dropped in warehouse-drop/south/ (a warehouse set up before its profile, a folder misnamed):
    never read, and nothing said so, run after run (`orderbridge ship`: "nothing to do"; the night: exit 0). Now
    the shipments run's skip says where the files wait, and a run has a failed warehouse for it (exit 3): its
    row names the missing profile and the files; they stay where they are."""
    inbox = ws.warehouse_drop_root / "south" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / EAST_CSV.name).write_bytes(EAST_CSV.read_bytes())
    skipped = night.run_shipments(str(ws.root), stages=night.InProcess(delays=[]), now=DAY1.isoformat())
    assert skipped["skipped"].startswith("no confirmation or invoice waiting; 1 file(s) wait in ")
    assert "south.toml does not exist" in skipped["skipped"]
    (ws.warehouse_drop_root / "east" / "inbox").mkdir(parents=True, exist_ok=True)
    (ws.warehouse_drop_root / "east" / "inbox" / EAST_CSV.name).write_bytes(EAST_CSV.read_bytes())
    summary = night.run_shipments(str(ws.root), stages=night.InProcess(delays=[]), now=DAY1.isoformat())
    rows = {w["warehouse"]: w for w in summary["warehouses"]}
    assert [w["warehouse"] for w in summary["warehouses"]] == ["east", "north", "south"]
    assert (rows["east"]["failure"], rows["east"]["shipments"]) == ("", 3)
    assert "south.toml does not exist, and 1 file(s) wait in " in rows["south"]["failure"]
    assert for_run(summary) == ExitStatus.INCOMPLETE
    assert [p.name for p in inbox.iterdir()] == [EAST_CSV.name]
