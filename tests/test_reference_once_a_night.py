"""The reference data read once a night (connectors.reference.load_reference kept per content): each stage of a
night asks for it (decide, each warehouse's ship stage, invoice, reconcile), and a wholesaler's catalog of 50,000
items cost ~1.4 s CPU each time. Parsed and checked once while its files hold the same bytes; read again when one
is changed between stages, even in place at the same size and modification time; bad data never kept."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from connectors import reference
from connectors.reference import load_reference
from schemas.errors import ConfigError
from tests.support import REPO, demo_night_with_warehouses, drop_confirmations, state_rows

SAMPLE = REPO / "sample_files" / "reference"
NIGHT2 = "2026-11-28T02:00:00"


@pytest.fixture(autouse=True)
def _fresh():
    reference.forget_reference()
    yield
    reference.forget_reference()


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "reference"
    shutil.copytree(SAMPLE, folder)
    return folder


def _parses() -> int:
    return sum(reference.READS.values())


def _rewrite_in_place(path: Path, old: str, new: str) -> None:
    """``path`` with ``old`` written over by ``new`` (the same length) in place: the same inode, size and
    modification time (as an editor saving within the filesystem's timestamp tick would leave it)."""
    assert len(old) == len(new)
    st = path.stat()
    data = path.read_bytes()
    assert data.count(old.encode()) == 1
    with path.open("r+b") as fh:
        fh.write(data.replace(old.encode(), new.encode()))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = path.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (st.st_ino, st.st_size, st.st_mtime_ns)


def _description(ref, sku: str) -> str:
    rows = ref.items.to_pylist()
    return next(r["description"] for r in rows if r["sku"] == sku)


def test_the_same_files_are_parsed_once_and_the_same_data_handed_back(tmp_path):
    folder = _folder(tmp_path)
    before = _parses()
    first = load_reference(folder)
    assert load_reference(folder) is first and load_reference(str(folder)) is first
    assert _parses() == before + 1


def test_a_file_rewritten_in_place_at_the_same_size_and_time_is_read_again(tmp_path):
    folder = _folder(tmp_path)
    first = load_reference(folder)
    _rewrite_in_place(folder / "items.csv", "Copy paper A4 80g", "Copy paper A4 90g")
    again = load_reference(folder)
    assert again is not first
    assert _description(first, "SKU-1001") == "Copy paper A4 80g"
    assert _description(again, "SKU-1001") == "Copy paper A4 90g"
    assert load_reference(folder) is again  # and kept from then on


def test_an_optional_file_added_or_removed_is_read_again(tmp_path):
    folder = _folder(tmp_path)
    first = load_reference(folder)
    assert first.item_units.num_rows == 0
    (folder / "item_units.csv").write_text("sku,unit,eaches\nSKU-1002,CA,6\n", encoding="utf-8")
    added = load_reference(folder)
    assert added.item_units.num_rows == 1
    (folder / "item_units.csv").unlink()
    removed = load_reference(folder)
    assert removed.item_units.num_rows == 0 and removed is not added


def test_bad_data_is_never_kept_and_the_good_data_before_it_not_handed_back(tmp_path):
    folder = _folder(tmp_path)
    load_reference(folder)
    prices = folder / "prices.csv"
    good = prices.read_text(encoding="utf-8")
    prices.write_text(good + "acme,SKU-1001,abc,USD,2026-01-01,\n", encoding="utf-8")
    for _ in range(2):  # the same error each time: not the data kept from before, not silence
        with pytest.raises(ConfigError, match="unit_price"):
            load_reference(folder)
    prices.write_text(good, encoding="utf-8")
    assert load_reference(folder).prices.num_rows > 0


def test_a_missing_file_is_an_error_each_time(tmp_path):
    folder = _folder(tmp_path)
    load_reference(folder)
    (folder / "customers.csv").unlink()
    for _ in range(2):
        with pytest.raises(ConfigError, match="cannot read reference file"):
            load_reference(folder)


def test_two_folders_of_the_same_content_are_kept_apart(tmp_path):
    """The files' names are part of what a load says (a control character replaced, a case item's row): a
    folder's data is its own even when another holds the same bytes."""
    one, two = _folder(tmp_path / "a"), _folder(tmp_path / "b")
    a, b = load_reference(one), load_reference(two)
    assert a is not b
    assert load_reference(one) is a and load_reference(two) is b


def test_only_the_newest_folders_are_kept(tmp_path):
    folders = [_folder(tmp_path / str(n)) for n in range(reference.KEEP_FOLDERS + 1)]
    first = load_reference(folders[0])
    for folder in folders[1:]:
        load_reference(folder)
    assert len(reference._KEPT) == reference.KEEP_FOLDERS
    assert load_reference(folders[0]) is not first  # the oldest was let go


@pytest.fixture
def night2_workspace(tmp_path):
    """Night 1 of the demo run, the warehouses' confirmations waiting: night 2 decides, ships, invoices and
    reconciles."""
    from flows.workspace import open_workspace

    ws = open_workspace(demo_night_with_warehouses(tmp_path / "ws"))
    drop_confirmations(ws)
    return ws


def _run(ws, now: str) -> None:
    from typer.testing import CliRunner

    from flows.cli import app
    from flows.exit_status import ExitStatus

    res = CliRunner().invoke(app, ["run", "-w", str(ws.root), "--no-prefect", "--no-gx", "--now", now])
    assert res.exit_code in (ExitStatus.OK, ExitStatus.INPUT_ERRORS), res.output


@pytest.fixture
def counted(monkeypatch):
    """Each load_reference call of the night: (the stage's call number, what it was handed)."""
    calls: list = []
    real = reference.load_reference

    def counting(folder):
        out = real(folder)
        calls.append(out)
        return out

    monkeypatch.setattr(reference, "load_reference", counting)
    return calls


def test_a_night_parses_its_reference_data_once(night2_workspace, counted):
    ws = night2_workspace
    before = _parses()
    _run(ws, NIGHT2)
    assert len(counted) >= 4  # decide, each warehouse's ship stage, invoice, reconcile asked for it
    assert _parses() == before + 1
    assert all(ref is counted[0] for ref in counted)
    [(shipped,)] = state_rows(ws, "SELECT COUNT(*) FROM shipment_lines")
    assert shipped > 0  # the night shipped: its ship stages used the data


def test_a_file_changed_between_stages_is_read_again(night2_workspace, counted, monkeypatch):
    """items.csv saved after the decide stage (in place, the same size and time): the stages after it read the
    new one."""
    from flows import steps

    ws = night2_workspace
    real = steps.decide_run

    def decide_then_edit(*args, **kwargs):
        out = real(*args, **kwargs)
        _rewrite_in_place(ws.reference_dir / "items.csv", "Copy paper A4 80g", "Copy paper A4 90g")
        return out

    monkeypatch.setattr(steps, "decide_run", decide_then_edit)
    before = _parses()
    _run(ws, NIGHT2)
    assert _parses() == before + 2
    seen = [_description(ref, "SKU-1001") for ref in counted]
    assert seen[0] == "Copy paper A4 80g" and seen[-1] == "Copy paper A4 90g"
    assert len({id(ref) for ref in counted}) == 2
