"""One VAN mailbox, many partners: a file in the workspace's mailbox/inbox/ holding several partners' interchanges is
cut before intake (parsers.x12_mailbox), each interchange written byte for byte into its owner's drop inbox
(engine.mailbox) under a name keeping its lineage, and taken there by a real night: each partner's 850s answered by
its own 997 and 855 to its own ids. An unknown sender's interchange is kept in mailbox/quarantine/ with an error
finding (a failures-report row); a rerun after a crash writes nothing twice."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest

from engine.mailbox import owners, piece_name, route
from parsers.x12_mailbox import split_interchanges

REPO = Path(__file__).resolve().parents[1]
DROPS = REPO / "sample_files" / "drops"
HEADER = b"$$ADD ID=OBRIDGE1 BID='EDI850 GLOBEX'\r\n"
NAME = "van-20261127.edi"


def _parts() -> dict[str, bytes]:
    """acme's (`*`, `~`+LF), globex's (`|`, `~`+CRLF, 005010) and initech's (`^`, LF terminator) 850s, and an
    interchange from ZZ/STRANGERCO, a sender no profile has."""
    acme2 = (DROPS / "acme" / "acme-po-02.x12").read_bytes()
    return {"acme": (DROPS / "acme" / "acme-po-01.x12").read_bytes(),
            "globex": (DROPS / "globex" / "globex-po-01.x12").read_bytes(),
            "initech": (DROPS / "initech" / "initech-po-01.x12").read_bytes(),
            "unknown": acme2.replace(b"ACMERETAIL     ", b"STRANGERCO     ", 1)}


def _mailbox_file() -> bytes:
    p = _parts()
    return p["acme"] + HEADER + p["globex"] + p["initech"] + p["unknown"]


# --- the cut -------------------------------------------------------------------------------------------------------
def test_each_interchange_is_cut_out_byte_for_byte_whatever_its_delimiters_and_the_header_between_is_a_gap():
    data, p = _mailbox_file(), _parts()
    split = split_interchanges(data)
    assert [data[x.start:x.end] for x in split.pieces] == [p["acme"], p["globex"], p["initech"], p["unknown"]]
    assert [(x.sender_qualifier, x.sender, x.control) for x in split.pieces] == [
        ("ZZ", "ACMERETAIL", "000001001"), ("01", "123456789", "000002001"), ("12", "5125550100", "000003001"),
        ("ZZ", "STRANGERCO", "000001002")]
    assert all(x.has_trailer for x in split.pieces)
    assert [g.text for g in split.gaps] == [HEADER.decode().strip()]


def test_an_isa_inside_a_mailbox_header_line_or_a_segment_value_starts_no_interchange():
    p = _parts()
    data = b"$$ADD ID=OBRIDGE1 BID='ISA*850 FROM SPS'\n" + p["acme"].replace(b"N1*ST*", b"N1*ST*VISA*", 1)
    split = split_interchanges(data)
    assert [data[x.start:x.end] for x in split.pieces] == [data[data.index(b"ISA*00"):]]
    assert [g.text for g in split.gaps] == ["$$ADD ID=OBRIDGE1 BID='ISA*850 FROM SPS'"]


def test_an_interchange_cut_short_runs_to_the_next_isa_and_goes_to_its_owner_to_say_so():
    p = _parts()
    cut = p["acme"][: p["acme"].index(b"\nGE*") + 1]
    split = split_interchanges(cut + p["globex"])
    assert [(x.sender, x.has_trailer, x.end - x.start) for x in split.pieces] == [
        ("ACMERETAIL", False, len(cut)), ("123456789", True, len(p["globex"]))]


def test_a_file_with_no_interchange_has_no_piece_and_its_text_is_one_gap():
    split = split_interchanges(b"PO,ITEM,QTY\n1,ABC,2\n")
    assert split.pieces == () and [g.text for g in split.gaps] == ["PO,ITEM,QTY\n1,ABC,2"]


# --- the routes ----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def profiles():
    from schemas.profile import load_profiles

    return load_profiles(REPO / "partners")


def test_each_piece_goes_to_the_profile_sending_from_its_isa05_isa06_and_an_unknown_sender_to_quarantine(profiles):
    split = split_interchanges(_mailbox_file())
    routes = route(NAME, split.pieces, profiles)
    assert [(r.partner, r.name) for r in routes] == [
        ("acme", "van-20261127.edi.ic1of4.000001001.x12"), ("globex", "van-20261127.edi.ic2of4.000002001.x12"),
        ("initech", "van-20261127.edi.ic3of4.000003001.x12"), ("", "van-20261127.edi.ic4of4.000001002.x12")]
    unrouted = routes[3].finding
    assert unrouted.code == "MAILBOX_INTERCHANGE_UNROUTED" and unrouted.severity == "error"
    assert unrouted.location.isa13 == "000001002" and unrouted.location.value == "STRANGERCO"
    assert "ZZ/STRANGERCO" in unrouted.message and "mailbox/quarantine/" in unrouted.message


def test_two_profiles_sending_from_one_id_are_told_apart_by_isa07_isa08_else_the_piece_is_unrouted(profiles):
    acme = profiles["acme"]
    twin = acme.model_copy(update={"id": "acme2", "x12": acme.x12.model_copy(update={"our_id": "OBRIDGE2"})})
    piece = split_interchanges(_parts()["acme"]).pieces[0]
    assert owners(piece, {"acme": acme, "acme2": twin}) == ["acme"]
    same = acme.model_copy(update={"id": "acme3"})
    routes = route(NAME, [piece], {"acme": acme, "acme3": same})
    assert routes[0].partner == "" and "acme and acme3" in routes[0].finding.message


def test_a_partner_whose_drop_is_on_sftp_is_routed_as_any_other(profiles):
    """Its intake takes the local inbox beside its server (tests/sftp/test_sftp_mailbox_partner.py)."""
    acme = profiles["acme"]
    remote = acme.model_copy(update={"drop": acme.drop.model_copy(update={"kind": "sftp"})})
    routes = route(NAME, split_interchanges(_parts()["acme"]).pieces, {"acme": remote})
    assert (routes[0].partner, routes[0].finding) == ("acme", None)


def test_a_mailbox_file_still_being_written_or_under_a_temporary_name_is_left_for_a_later_night(tmp_path):
    from connectors.state import StateStore
    from flows import mailbox
    from flows.workspace import open_workspace

    ws = open_workspace(tmp_path / "ws")
    (ws.root / "mailbox" / "inbox").mkdir(parents=True)
    (ws.root / "mailbox" / "inbox" / "van.edi.part").write_bytes(_mailbox_file())
    (ws.root / "mailbox" / "inbox" / "van.edi").write_bytes(_mailbox_file()[:100])
    state = StateStore(tmp_path / "state.sqlite")
    try:
        clock = [1000.0]
        done = mailbox.split_mailbox(ws, {}, state, run_id="r", now=datetime(2026, 11, 27, 2),
                                     drop=lambda root: _growing(root, clock))
    finally:
        state.close()
    assert done.files == 0
    assert sorted(p.name for p in (ws.root / "mailbox" / "inbox").iterdir()) == ["van.edi", "van.edi.part"]
    from tests.support import write_settled

    write_settled(ws.root / "mailbox" / "inbox" / "van.edi", _parts()["acme"])  # its download finished
    state = StateStore(tmp_path / "state.sqlite")
    try:
        done = mailbox.split_mailbox(ws, {}, state, run_id="r", now=datetime(2026, 11, 27, 2))
    finally:
        state.close()
    assert done.files == 1 and done.unrouted == 1
    assert [p.name for p in (ws.root / "mailbox" / "inbox").iterdir()] == ["van.edi.part"]


def _growing(root, clock):
    """A mailbox drop whose settle wait sees van.edi grow (the VAN's download still writing it)."""
    from connectors.local import LocalDrop

    def sleep(seconds):
        with open(root / "inbox" / "van.edi", "ab") as fh:
            fh.write(b"more")

    return LocalDrop(root, settle_seconds=2.0, clock=lambda: (root / "inbox" / "van.edi").stat().st_mtime + 0.5,
                     sleep=sleep)


def test_a_mailbox_entry_never_read_a_symlink_is_reported_and_left_there(tmp_path):
    from connectors.state import StateStore
    from flows import mailbox
    from flows.workspace import open_workspace

    ws = open_workspace(tmp_path / "ws")
    (ws.root / "mailbox" / "inbox").mkdir(parents=True)
    (tmp_path / "elsewhere.edi").write_bytes(_mailbox_file())
    (ws.root / "mailbox" / "inbox" / "link.edi").symlink_to(tmp_path / "elsewhere.edi")
    state = StateStore(tmp_path / "state.sqlite")
    try:
        done = mailbox.split_mailbox(ws, {}, state, run_id="r", now=datetime(2026, 11, 27, 2))
        stored = state.findings(run_id="r", partner="mailbox")
    finally:
        state.close()
    assert done.files == 0 and [f["code"] for f in stored] == ["FILE_TYPE_REFUSED"]
    assert "link.edi" in stored[0]["message"] and (ws.root / "mailbox" / "inbox" / "link.edi").is_symlink()


def test_piece_names_keep_the_mailbox_file_and_place():
    piece = split_interchanges(_parts()["globex"]).pieces[0]
    assert piece_name("mbx 1.edi", piece, 7) == "mbx 1.edi.ic1of7.000002001.x12"
    long = piece_name("é" * 200 + ".edi", piece, 7)
    assert long.endswith("é.ic1of7.000002001.x12") and len(long.encode()) <= 200


# --- real nights ---------------------------------------------------------------------------------------------------
def _workspace(root: Path, data: bytes):
    from tests.support import make_workspace, write_settled

    ws = make_workspace(root, partners=())
    (ws.root / "mailbox" / "inbox").mkdir(parents=True)
    write_settled(ws.root / "mailbox" / "inbox" / NAME, data)
    return ws


def _night(ws, clock: str = "2026-11-27T02:00:00") -> dict:
    from flows.night import InProcess, run_night

    return run_night(str(ws.root), stages=InProcess(delays=[]), now=clock, use_gx=False)


def _sent(ws, partner: str, doc: str) -> list[list[str]]:
    """The ISA elements of each ``doc`` interchange in the partner's outbox."""
    out = []
    for f in sorted((ws.drop_root / partner / "outbox").glob(f"{partner}-{doc}-*")):
        text = f.read_text()
        out.append(text[4:105].split(text[3]))
    return out


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    ws = _workspace(tmp_path_factory.mktemp("mailbox") / "ws", _mailbox_file())
    summary = _night(ws)
    return ws, summary


def test_each_partner_s_850s_from_one_mailbox_file_are_answered_by_its_own_997_and_855_to_its_own_ids(night):
    ws, _ = night
    from connectors.state import StateStore

    ids = {"acme": ("ZZ", "ACMERETAIL"), "globex": ("01", "123456789"), "initech": ("12", "5125550100")}
    for pid, (qual, their) in ids.items():
        for doc in ("997", "855"):
            sent = _sent(ws, pid, doc)
            assert sent, (pid, doc)
            assert {(isa[6].strip(), isa[7].strip()) for isa in sent} == {(qual, their)}, (pid, doc)
    state = StateStore(ws.state_url)
    try:
        files = {pid: [(f["name"], f["status"]) for f in state.files(pid)] for pid in ids}
        pos = {pid: sorted(o.po_number for o in state.orders() if o.partner == pid) for pid in ids}
    finally:
        state.close()
    assert files == {"acme": [("van-20261127.edi.ic1of4.000001001.x12", "processed")],
                     "globex": [("van-20261127.edi.ic2of4.000002001.x12", "processed")],
                     "initech": [("van-20261127.edi.ic3of4.000003001.x12", "processed")]}
    assert all(len(v) == 2 for v in pos.values()), pos
    p = _parts()
    for pid, place in (("acme", 1), ("globex", 2), ("initech", 3)):
        kept = list((ws.drop_root / pid / "processed").glob(f"{NAME}.ic{place}of4.*"))
        assert [k.read_bytes() for k in kept] == [p[pid]]


def test_the_mailbox_file_is_archived_whole_its_routes_written_and_it_leaves_the_inbox(night):
    ws, _ = night
    box = ws.root / "mailbox"
    assert (box / "archive" / NAME).read_bytes() == _mailbox_file()
    assert (box / "processed" / NAME).read_bytes() == _mailbox_file()
    assert not list((box / "inbox").iterdir())
    with (box / "processed" / f"{NAME}.routes.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["place"], r["isa06"], r["partner"], r["written_to"]) for r in rows] == [
        ("1", "ACMERETAIL", "acme", "drop/acme/inbox/van-20261127.edi.ic1of4.000001001.x12"),
        ("2", "123456789", "globex", "drop/globex/inbox/van-20261127.edi.ic2of4.000002001.x12"),
        ("3", "5125550100", "initech", "drop/initech/inbox/van-20261127.edi.ic3of4.000003001.x12"),
        ("4", "STRANGERCO", "(unrouted)", "mailbox/quarantine/van-20261127.edi.ic4of4.000001002.x12")]


def test_an_unknown_sender_s_interchange_is_kept_unanswered_and_is_a_failures_report_row(night):
    ws, summary = night
    kept = ws.root / "mailbox" / "quarantine" / "van-20261127.edi.ic4of4.000001002.x12"
    assert kept.read_bytes() == _parts()["unknown"]
    assert not any(b"STRANGERCO" in f.read_bytes() for f in ws.drop_root.rglob("outbox/*"))
    with open(summary["reports"]["failures_csv"], encoding="utf-8-sig") as fh:
        rows = [r for r in csv.DictReader(fh) if r["partner"] == "mailbox"]
    assert sorted((r["code"], r["severity"], r["isa13"]) for r in rows) == [
        ("MAILBOX_INTERCHANGE_UNROUTED", "error", "000001002"), ("MAILBOX_TEXT_SKIPPED", "warning", "")]
    hints = Path(summary["reports"]["failures_hints"]).read_text(encoding="utf-8-sig")
    assert "MAILBOX_INTERCHANGE_UNROUTED" in hints


def test_the_next_night_with_an_empty_mailbox_changes_nothing(night, tmp_path):
    import shutil

    from flows.workspace import open_workspace

    shutil.copytree(night[0].root, tmp_path / "ws")
    ws = open_workspace(tmp_path / "ws")
    before = sorted(p.relative_to(ws.root) for p in (ws.root / "mailbox").rglob("*"))
    inboxes = sorted(p.relative_to(ws.root) for p in ws.drop_root.glob("*/inbox/*"))
    _night(ws, "2026-11-28T02:00:00")
    assert sorted(p.relative_to(ws.root) for p in (ws.root / "mailbox").rglob("*")) == before
    assert inboxes == [] and not list(ws.drop_root.glob("*/inbox/*"))


def test_a_rerun_after_a_crash_mid_split_writes_no_interchange_and_no_finding_twice(tmp_path, monkeypatch):
    """The night dies after the pieces are in the inboxes and the findings recorded, before the mailbox file is
    moved: the rerun (the same run resumed) finds each piece in place with its bytes and writes no copy, records no
    finding again; every partner's intake then takes one file, no duplicate."""
    from connectors.local import LocalDrop
    from connectors.state import StateStore
    from flows import mailbox

    ws = _workspace(tmp_path / "ws", _mailbox_file())
    real = LocalDrop.move_new

    def dies(self, folder, name, to_folder):
        if self.root == ws.root / "mailbox":
            raise SystemExit("killed")
        return real(self, folder, name, to_folder)

    monkeypatch.setattr(LocalDrop, "move_new", dies)
    with pytest.raises(SystemExit):
        _night(ws)
    monkeypatch.setattr(LocalDrop, "move_new", real)
    assert (ws.root / "mailbox" / "inbox" / NAME).exists()
    assert len(list(ws.drop_root.glob("*/inbox/*"))) == 3
    summary = _night(ws)
    assert not list(ws.drop_root.glob("*/inbox/*"))
    assert sorted(p.name for p in (ws.root / "mailbox" / "quarantine").iterdir()) == [
        "van-20261127.edi.ic4of4.000001002.x12"]
    assert sorted(p.name for p in (ws.root / "mailbox" / "archive").iterdir()) == [NAME]
    state = StateStore(ws.state_url)
    try:
        for pid in ("acme", "globex", "initech"):
            assert [f["status"] for f in state.files(pid)] == ["processed"], pid
        codes = [f["code"] for f in state.findings(partner=mailbox.PARTY)]
        dups = [f for f in state.findings() if f["code"] == "FILE_DUPLICATE"]
    finally:
        state.close()
    assert sorted(codes) == ["MAILBOX_INTERCHANGE_UNROUTED", "MAILBOX_TEXT_SKIPPED"] and not dups
    assert summary["run_id"]


def test_a_mailbox_whose_file_cannot_be_moved_fails_the_night_but_not_the_partners_intake(tmp_path, monkeypatch):
    """The mailbox file split, its move refused (a folder we may not write): the night says so and fails, every
    partner still takes its interchange; the next night, the move allowed, splits it again and writes none of the
    taken interchanges again (no FILE_DUPLICATE), then moves it."""
    import errno

    from connectors.local import LocalDrop
    from connectors.state import StateStore

    ws = _workspace(tmp_path / "ws", _mailbox_file())
    real = LocalDrop.move_new

    def refused(self, folder, name, to_folder):
        if self.root == ws.root / "mailbox":
            raise PermissionError(errno.EACCES, "Permission denied", str(self.root / folder / name))
        return real(self, folder, name, to_folder)

    monkeypatch.setattr(LocalDrop, "move_new", refused)
    first = _night(ws)
    monkeypatch.setattr(LocalDrop, "move_new", real)
    assert first["failure"].startswith("mailbox: PermissionError")
    assert not list(ws.drop_root.glob("*/inbox/*")) and (ws.root / "mailbox" / "inbox" / NAME).exists()
    second = _night(ws, "2026-11-28T02:00:00")
    assert not second["failure"] and not list(ws.drop_root.glob("*/inbox/*"))
    assert not (ws.root / "mailbox" / "inbox" / NAME).exists()
    state = StateStore(ws.state_url)
    try:
        for pid in ("acme", "globex", "initech"):
            assert [f["status"] for f in state.files(pid)] == ["processed"], pid
        assert not [f for f in state.findings() if f["code"] == "FILE_DUPLICATE"]
    finally:
        state.close()
