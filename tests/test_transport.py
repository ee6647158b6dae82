"""How our files travel to partners ([delivery] file_name/file_names, folders, upload; schemas.transport): names by
pattern, deterministic and never two documents' alike (refused when the profile is loaded), a folder per document
type, and uploads through a staging folder or under the final name, each crash-safe: nothing sent twice, nothing
lost. Local drop here; the same over the tests' own OpenSSH server in tests/sftp/test_sftp_transport.py."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from connectors.local import LocalDrop
from connectors.state import StateStore
from flows.documents import deliver_partner, holder, renderer
from schemas.errors import StateError
from schemas.lifecycle import Plan, PlannedDocument, PlannedSet
from schemas.profile import PartnerProfile, load_profiles
from tests.support import lose_store, make_workspace

NIGHT = datetime(2026, 12, 6, 2, 0, 5)


def _docs() -> tuple[PlannedDocument, ...]:
    """Two 855s (one PO each), a 997 and a CSV acknowledgment of partner acme."""
    def po_ack(po: str) -> PlannedDocument:
        body = (("BAK", "00", "AC", po, "20261206"), ("PO1", "1", "1", "EA", "1", "PE", "VN", "X"), ("CTT", "1"))
        return PlannedDocument("acme", "855", "PR", (PlannedSet(f"855:{po}", body, po, "s"),))

    ack = PlannedDocument("acme", "997", "FA", (PlannedSet("997:ok", (("AK1", "PO", "7"), ("AK2", "850", "0001"),
                                                                       ("AK5", "A"), ("AK9", "A", "1", "1", "1")),
                                                          "", "s"),))
    csv = PlannedDocument("acme", "CSV", "", (PlannedSet("CSV:ack:ACME 1/3", (), "ACME 1/3", "s"),),
                          content=b"po_number,status\r\nACME 1/3,IA\r\n")
    return po_ack("ACME-1001"), po_ack("ACME-1002"), ack, csv


def _profile(ws, **delivery) -> PartnerProfile:
    """acme's profile with these [delivery] settings, validated as when it is loaded."""
    base = load_profiles(ws.root / "partners")["acme"]
    return PartnerProfile.model_validate(base.model_dump() | {"delivery": delivery})


def _set_delivery(ws, toml: str) -> None:
    """acme.toml with a [delivery] table (what a run, or a killed one, loads)."""
    path = ws.root / "partners" / "acme.toml"
    text = path.read_text()
    assert "[delivery]" not in text
    path.write_text(text + "\n[delivery]\n" + toml + "\n")


def _planned(ws, profile: PartnerProfile, docs=None) -> StateStore:
    state = StateStore(ws.state_path)
    profiles = {"acme": profile}
    state.apply(Plan(documents=docs or _docs()), render=renderer(profiles, NIGHT),
                hold=holder(profiles, stage="decide", files={"s": "po.x12"}), at=NIGHT.isoformat(), run_id="r")
    return state


def _files(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative path -> bytes), hidden ones included."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- names ---------------------------------------------------------------------------------------
def test_file_names_follow_each_type_s_pattern_and_are_the_same_for_the_same_inputs_and_clock(tmp_path):
    delivery = dict(file_name="{partner}_{type}_{date}{time}_{isa13:09d}.edi",
                    file_names={"855": "PO_ACK_{po}_{isa13:09d}.txt", "997": "{type}-{gs06:09d}-{seq}.dat",
                                "csv_ack": "ACK_{po}_{now:%Y%m%d}_{isa13:09d}.csv"})
    seen = []
    for run in ("a", "b"):
        ws = make_workspace(tmp_path / run, partners=("acme",))
        profile = _profile(ws, **delivery)
        state = _planned(ws, profile)
        assert deliver_partner(profile, state, LocalDrop(ws.drop_root / "acme"), now=NIGHT) == 4
        docs = {d.doc_type + ":" + d.doc_key: (d.file_name, int(d.isa13 or 0), d.gs06)
                for d in state.documents("acme")}
        state.close()
        seen.append((docs, _files(ws.drop_root / "acme" / "outbox")))
    (docs, files), again = seen
    assert again == seen[0]  # same inputs, same clock: the same names and bytes
    assert sorted(files) == sorted(name for name, _isa, _gs in docs.values())
    for po in ("ACME-1001", "ACME-1002"):
        name, isa, _gs = docs[f"855:855:{po}"]
        assert name == f"PO_ACK_{po}_{isa:09d}.txt"
    name, isa, gs = docs["997:997:ok"]
    assert name == f"997-{int(gs):09d}-{isa}.dat"  # {seq}: the ISA13, unpadded
    name, _isa, _gs = docs["CSV:CSV:ack:ACME 1/3"]  # numbered by its own counter (not stored as an ISA13)
    assert re.fullmatch(r"ACK_ACME_1_3_20261206_\d{9}\.csv", name)  # the PO's '/' and ' ' made '_'
    assert files[name] == b"po_number,status\r\nACME 1/3,IA\r\n"


def test_without_a_pattern_the_names_are_as_before(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    profile = _profile(ws)
    state = _planned(ws, profile)
    assert deliver_partner(profile, state, LocalDrop(ws.drop_root / "acme"), now=NIGHT) == 4
    names = sorted(_files(ws.drop_root / "acme" / "outbox"))
    state.close()
    assert [re.sub(r"\d{9}", "N", n) for n in names] == ["acme-855-N.x12", "acme-855-N.x12", "acme-997-N.x12",
                                                          "acme-csv-ack-N.csv"]


@pytest.mark.parametrize("delivery, says", [
    (dict(file_name="{partner}_{type}_{date}{time}.edi"), "has no {isa13}"),
    (dict(file_name="{po}{isa13}.edi"), "cannot be read back"),
    (dict(file_name="{po}{isa13:09d}{po}.edi"), "cannot be read back"),
    (dict(file_names={"csv_ack": "{isa13:09d}.edi"}, file_name="{isa13:09d}.edi"), "could give two documents"),
    (dict(file_names={"856": "{isa13:09d}0.edi"}, file_name="0{isa13:09d}.edi"), "could give two documents"),
    (dict(file_name=".{partner}-{isa13:09d}.edi"), "starts with '.'"),
    (dict(file_name="{partner}-{isa13:09d}.edi.part"), "temporary or lock file"),
    (dict(file_name="{partner}/{isa13:09d}.edi"), "character other than"),
    (dict(file_name="{partner}-{isa13:09d}-{now:%b}.edi"), "fixed-width fields"),
    (dict(file_name="{partner}-{isa13:09d}-{store}.edi"), "unknown token {store}"),
    (dict(file_names={"850": "{isa13:09d}.edi"}), "unknown document type '850'"),
])
def test_a_pattern_that_could_name_two_documents_alike_is_refused_when_the_profile_is_loaded(tmp_path, delivery,
                                                                                              says):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    with pytest.raises(ValueError, match=re.escape(says)):
        _profile(ws, **delivery)


@pytest.mark.parametrize("delivery", [
    dict(file_name="{type}_{partner}_{date}{time}_{isa13:09d}.edi"),  # SPS-like: type first, the number padded
    dict(file_name="{po}-{isa13}.txt"),  # a PO, then the unpadded number after a '-'
    dict(file_name="{type}{isa13}{time}.dat"),  # fixed parts on both sides of an unpadded number
    dict(file_name="{isa13:09d}.edi", file_names={"856": "{isa13:09d}.asn", "csv_ack": "{isa13:09d}.csv"}),
])
def test_patterns_whose_names_stay_apart_are_taken(tmp_path, delivery):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    assert _profile(ws, **delivery).delivery.file_name == delivery["file_name"]


def test_the_profile_file_is_refused_with_the_pattern_named(tmp_path):
    from schemas.errors import ConfigError

    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    _set_delivery(ws, 'file_name = "{po}.edi"')
    with pytest.raises((ConfigError, ValueError), match=re.escape("'{po}.edi'")):
        load_profiles(ws.root / "partners")


# --- folders -------------------------------------------------------------------------------------
def test_each_document_type_goes_to_its_folder_and_a_retry_sends_nothing_again(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    profile = _profile(ws, folders={"855": "855", "997": "acks/997", "csv_ack": "ACK"})
    state = _planned(ws, profile)
    drop = LocalDrop(ws.drop_root / "acme")
    assert deliver_partner(profile, state, drop, now=NIGHT) == 4
    outbox = ws.drop_root / "acme" / "outbox"
    files = _files(outbox)
    assert sorted(re.sub(r"\d{9}", "N", n) for n in files) == [
        "855/acme-855-N.x12", "855/acme-855-N.x12", "ACK/acme-csv-ack-N.csv", "acks/997/acme-997-N.x12"]
    assert deliver_partner(profile, state, drop, now=NIGHT) == 0  # all delivered: nothing written again
    assert _files(outbox) == files
    assert all(d.status == "delivered" for d in state.documents("acme"))
    state.close()


def test_a_file_of_other_content_in_a_type_s_folder_is_never_written_over(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    profile = _profile(ws, folders={"855": "855"})
    state = _planned(ws, profile)
    name = next(d.file_name for d in state.documents("acme") if d.doc_type == "855")
    (ws.drop_root / "acme" / "outbox" / "855").mkdir(parents=True)
    (ws.drop_root / "acme" / "outbox" / "855" / name).write_bytes(b"someone else's")
    with pytest.raises(StateError, match="other content"):
        deliver_partner(profile, state, LocalDrop(ws.drop_root / "acme"), now=NIGHT)
    assert (ws.drop_root / "acme" / "outbox" / "855" / name).read_bytes() == b"someone else's"
    assert [d.status for d in state.documents("acme") if d.file_name == name] == ["pending"]
    state.close()


def test_a_local_drop_s_folders_are_subfolders_of_its_outbox(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    with pytest.raises(ValueError, match="subfolders of its outbox"):
        _profile(ws, folders={"856": "/in/856"})
    with pytest.raises(ValueError, match="folder path without"):
        _profile(ws, upload="staging", staging_folder="../outbox-stage")
    for bad in ("../856", "a//b", "."):
        with pytest.raises(ValueError, match="folder path without"):
            _profile(ws, folders={"856": bad})
    with pytest.raises(ValueError, match="needs a staging_folder"):
        _profile(ws, upload="staging")
    for delivered in ("855", "855/"):  # staging in a folder their poller reads: every file seen half written
        with pytest.raises(ValueError, match="is a folder the documents are delivered to"):
            _profile(ws, upload="staging", staging_folder=delivered, folders={"855": "855"})


# --- uploads -------------------------------------------------------------------------------------
@pytest.mark.parametrize("upload, staging", [("temp_name", None), ("staging", "stage"), ("direct", None)])
def test_each_upload_places_every_file_whole_with_nothing_left_beside_it(tmp_path, upload, staging):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    profile = _profile(ws, upload=upload, staging_folder=staging, folders={"855": "855"})
    state = _planned(ws, profile)
    assert deliver_partner(profile, state, LocalDrop(ws.drop_root / "acme"), now=NIGHT) == 4
    files = _files(ws.drop_root / "acme" / "outbox")
    docs = {d.file_name: d for d in state.documents("acme")}
    state.close()
    assert sorted(Path(n).name for n in files) == sorted(docs)  # no temporary file, no staging copy left
    assert all(not Path(n).name.startswith(".") for n in files)


def test_a_failed_staged_write_puts_nothing_in_the_outbox(tmp_path, monkeypatch):
    import connectors.local as local

    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    profile = _profile(ws, upload="staging", staging_folder="stage")
    state = _planned(ws, profile)
    real, calls = local._write_temporary, []

    def failing(dfd, where, name, data, *, fsync):
        calls.append(where)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(dfd, where, name, data, fsync=fsync)

    monkeypatch.setattr(local, "_write_temporary", failing)
    with pytest.raises(Exception, match="cannot be written"):
        deliver_partner(profile, state, LocalDrop(ws.drop_root / "acme"), now=NIGHT)
    assert {Path(w).name for w in calls} == {"stage"}  # written in the staging folder, never beside the outbox's files
    assert _files(ws.drop_root / "acme" / "outbox") == {}  # nothing placed, the staged ones removed
    assert all(d.status == "pending" for d in state.documents("acme"))
    monkeypatch.setattr(local, "_write_temporary", real)
    assert deliver_partner(profile, state, LocalDrop(ws.drop_root / "acme"), now=NIGHT) == 4
    state.close()


_KILLED_DELIVERY = """
import sys
from datetime import datetime
from connectors.local import LocalDrop
from connectors.state import StateStore
from flows.documents import deliver_partner
from schemas.profile import load_profiles
partners, state_path, drop = sys.argv[1:]
profile = load_profiles(partners)["acme"]
state = StateStore(state_path)
deliver_partner(profile, state, LocalDrop(drop), now=datetime(2026, 12, 6, 2, 0, 5))
"""


@pytest.mark.parametrize("toml, leaves", [
    ('upload = "temp_name"', "outbox/.tmp-"),
    ('upload = "staging"\nstaging_folder = "stage"', "outbox/stage/.tmp-"),
    ('upload = "direct"\nfolders = {"855" = "855"}', "outbox/855/acme-855-"),
])
def test_a_delivery_killed_mid_write_is_finished_by_the_next_run_once_and_whole(tmp_path, toml, leaves):
    """The crash harness kills the run half way through its second file's write (SIGKILL): with a temporary name or
    a staging folder no partial file is ever under a final name; with direct writes (the partner's choice) the
    half file is there until the next run writes it again whole. The next run sends every document once."""
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    _set_delivery(ws, toml)
    profile = load_profiles(ws.root / "partners")["acme"]
    _planned(ws, profile).close()
    env = dict(os.environ, ORDERBRIDGE_KILL_AT="mid-outbox-write@2")
    done = subprocess.run([sys.executable, "-c", _KILLED_DELIVERY, str(ws.root / "partners"), str(ws.state_path),
                           str(ws.drop_root / "acme")], env=env, cwd=Path.cwd(),
                          capture_output=True, text=True)
    assert done.returncode == -9, done.stderr
    outbox = ws.drop_root / "acme" / "outbox"
    left = _files(outbox)
    state = StateStore(ws.state_path)
    docs = {d.file_name: d for d in state.documents("acme")}
    written = {n: data for n, data in left.items() if n.startswith(leaves.removeprefix("outbox/"))}
    assert len(written) == 2 and sum(docs[n.rsplit("/", 1)[-1].removeprefix(".tmp-")].content == data
                                     for n, data in written.items()) == 1, left  # the first whole, the second half
    finals = {n for n in left if not Path(n).name.startswith(".")}
    assert finals == (set(written) if "direct" in toml else set())  # only direct writes use the final name
    # written directly, each file is marked delivered once in place (a partner may take it before a retry)
    assert deliver_partner(profile, state, LocalDrop(ws.drop_root / "acme"), now=NIGHT) == (
        3 if "direct" in toml else 4)
    after = _files(outbox)
    assert sorted(Path(n).name for n in after) == sorted(docs)  # each once, no temporary left
    assert all(after[n] == docs[Path(n).name].content for n in after)
    assert all(d.status == "delivered" for d in state.documents("acme"))
    assert deliver_partner(profile, state, LocalDrop(ws.drop_root / "acme"), now=NIGHT) == 0
    state.close()


# --- over SFTP (the tests' own OpenSSH server: connectors.testing_sshd) -------------------------------
@pytest.fixture(scope="module")
def sshd():
    from connectors.testing_sshd import LocalSshd
    from tests.sftp.conftest import need_root

    need_root()
    with LocalSshd() as server:
        yield server


@pytest.fixture(scope="module")
def no_rename_sshd():
    from connectors.testing_sshd import LocalSshd
    from tests.sftp.conftest import need_root

    need_root()
    with LocalSshd(sftp_flags="-P rename,posix-rename") as server:
        yield server


def _remote(server, *folders: str) -> Path:
    """The server's chroot with empty outbox/ and ``folders`` (paths in the chroot) owned by the sftp user."""
    import shutil

    root = server.folder("outbox").parent
    for entry in root.iterdir():
        if entry.name not in ("inbox", "processed") and entry.is_dir():
            shutil.rmtree(entry)
    for folder in ("outbox", *folders):
        path = root / folder.strip("/")
        path.mkdir(parents=True, exist_ok=True)
        os.chown(path, server.uid, server.gid)
    return root


def test_an_sftp_staging_folder_is_never_one_the_documents_are_delivered_to(tmp_path):
    from connectors.testing_sshd import LocalSshd

    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    server = LocalSshd.__new__(LocalSshd)  # settings only: no server is started
    server.port, server.user, server.user_key, server.known_hosts = 2222, "u", tmp_path / "k", tmp_path / "kh"
    folders = {"856": "/in/856", "855": "855"}  # 855: remote_outbox's 855 (/outbox/855)
    for staging in ("/outbox", "/outbox/", "/in/856", "/outbox/855", "855"):
        with pytest.raises(ValueError, match="delivered to"):
            _sftp_profile(ws, server, upload="staging", staging_folder=staging, folders=folders)
    assert _sftp_profile(ws, server, upload="staging", staging_folder="/stage").delivery.staging_folder == "/stage"


def _sftp_profile(ws, server, **delivery) -> PartnerProfile:
    base = load_profiles(ws.root / "partners")["acme"]
    drop = {"kind": "sftp", "sftp": server.settings().model_dump()}
    return PartnerProfile.model_validate(base.model_dump() | {"drop": drop, "delivery": delivery})


class _Poller:
    """The partner's poller: what it sees (every file of every folder but the staging one) each time a chunk of an
    upload has been written, while that upload is still under way."""

    def __init__(self, root: Path, *, skip: str = "") -> None:
        self.root, self.skip, self.seen = root, skip, []

    def __call__(self, name: str, _sent: int) -> None:
        self.seen.append((name, {str(p.relative_to(self.root)): p.read_bytes() for p in self.root.rglob("*")
                                 if p.is_file() and not (self.skip and p.is_relative_to(self.root / self.skip))}))


@pytest.mark.integration
@pytest.mark.parametrize("upload, staging", [("temp_name", None), ("staging", "/stage"), ("direct", None)])
def test_over_sftp_each_type_lands_in_its_folder_by_its_name_and_no_poller_sees_a_partial_file(tmp_path, sshd,
                                                                                                  upload, staging):
    from connectors.sftp import SftpDrop

    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    root = _remote(sshd, "outbox/855", "acks", "stage")
    profile = _sftp_profile(ws, sshd, upload=upload, staging_folder=staging, folders={"855": "855", "997": "/acks"},
                            file_name="{type}_{partner}_{date}{time}_{isa13:09d}.edi")
    state = _planned(ws, profile)
    poller = _Poller(root, skip="stage")
    with SftpDrop(profile.drop.sftp, progress=poller) as drop:
        assert deliver_partner(profile, state, drop, now=NIGHT) == 4
    docs = {d.file_name: d for d in state.documents("acme")}
    where = {"855": "outbox/855", "997": "acks", "CSV": "outbox"}
    placed = {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert placed == {f"{where[d.doc_type]}/{n}": d.content for n, d in docs.items()}  # nothing left beside them
    assert all(re.fullmatch(r"(855|997)_acme_20261206020005_\d{9}\.edi", n) for n, d in docs.items()
               if d.doc_type != "CSV")
    assert len(poller.seen) == 4
    for name, seen in poller.seen:  # mid-upload: the file is not under its name (unless written there directly)
        under = {p: data for p, data in seen.items() if Path(p).name == name}
        if upload == "direct":
            assert list(under) == [f"{where[docs[name].doc_type]}/{name}"]
        else:
            assert under == {}
        assert all(data == docs[Path(p).name].content for p, data in seen.items()  # the files before it: whole
                   if Path(p).name != name and Path(p).name in docs)
        assert upload != "temp_name" or any(Path(p).name.startswith(".tmp-") for p in seen)
        assert upload == "temp_name" or not any(Path(p).name.startswith(".") for p in seen)  # no dot-file
    with SftpDrop(profile.drop.sftp) as drop:
        assert deliver_partner(profile, state, drop, now=NIGHT) == 0  # nothing sent twice
    state.close()


@pytest.mark.integration
def test_over_sftp_an_upload_that_fails_leaves_nothing_under_its_name_and_the_retry_sends_each_once(tmp_path,
                                                                                                     sshd):
    from connectors.sftp import SftpDrop

    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    root = _remote(sshd, "stage")
    profile = _sftp_profile(ws, sshd, upload="staging", staging_folder="/stage")
    state = _planned(ws, profile)
    calls = []

    def cut(name: str, _sent: int) -> None:
        calls.append(name)
        if len(calls) == 2:
            raise ConnectionResetError("the line dropped")

    with SftpDrop(profile.drop.sftp, progress=cut) as drop, pytest.raises(Exception):  # noqa: B017
        deliver_partner(profile, state, drop, now=NIGHT)
    assert sorted(p.name for p in (root / "outbox").iterdir()) == [calls[0]]  # the first, whole; the second not
    assert [d.status for d in state.documents("acme") if d.file_name == calls[0]] == ["delivered"]
    with SftpDrop(profile.drop.sftp) as drop:
        assert deliver_partner(profile, state, drop, now=NIGHT) == 3
    docs = {d.file_name: d.content for d in state.documents("acme")}
    assert {p.name: p.read_bytes() for p in (root / "outbox").iterdir()} == docs
    assert not any((root / "stage").iterdir())
    state.close()


@pytest.mark.integration
def test_a_server_that_refuses_renames_takes_direct_writes_and_a_write_cut_off_is_written_again_whole(tmp_path,
                                                                                                      no_rename_sshd):
    from connectors.sftp import SftpDrop
    from schemas.errors import SecurityError

    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    root = _remote(no_rename_sshd)
    refused = _sftp_profile(ws, no_rename_sshd)
    state = _planned(ws, refused)
    with SftpDrop(refused.drop.sftp) as drop, pytest.raises(SecurityError, match="refuses to rename"):
        deliver_partner(refused, state, drop, now=NIGHT)  # the default temporary name needs a rename
    docs = {d.file_name: d for d in state.documents("acme")}
    cut, other = sorted(docs)[:2]
    (root / "outbox" / cut).write_bytes(docs[cut].content[:20])  # what a connection lost mid-upload leaves
    (root / "outbox" / other).write_bytes(b"ISA*not ours")
    for name in (cut, other):
        os.chown(root / "outbox" / name, no_rename_sshd.uid, no_rename_sshd.gid)
    profile = _sftp_profile(ws, no_rename_sshd, upload="direct")
    with SftpDrop(profile.drop.sftp) as drop, pytest.raises(StateError, match="other content"):
        deliver_partner(profile, state, drop, now=NIGHT)
    assert (root / "outbox" / other).read_bytes() == b"ISA*not ours"  # never written over
    (root / "outbox" / other).unlink()
    with SftpDrop(profile.drop.sftp) as drop:
        assert deliver_partner(profile, state, drop, now=NIGHT) == 1
    assert {p.name: p.read_bytes() for p in (root / "outbox").iterdir()} == {n: d.content for n, d in docs.items()}
    assert all(d.status == "delivered" for d in state.documents("acme"))
    state.close()


def test_a_store_rebuilt_from_the_outbox_finds_the_files_in_each_type_s_folder_by_their_patterns(tmp_path):
    """flows.rebuild reads every [delivery] folder of a local drop and a CSV acknowledgment's number back from its
    pattern: the documents are recorded as sent and no number is used again (a name of the lost store's is never
    given to another document)."""
    from flows.rebuild import catch_up

    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    _set_delivery(ws, 'folders = {"855" = "855", "csv_ack" = "acks"}\n'
                      'file_names = {"csv_ack" = "ACK_{po}_{isa13:09d}.csv"}')
    profile = ws.partners()["acme"]
    state = _planned(ws, profile)
    assert deliver_partner(profile, state, LocalDrop(ws.drop_root / "acme"), now=NIGHT) == 4
    before = {d.file_name: d.content for d in state.documents("acme")}
    state.close()
    lose_store(ws.root)
    state = StateStore(ws.state_path)
    catch_up(ws, state, at=NIGHT, run_id="rebuild")
    assert {d.file_name: d.content for d in state.documents("acme")} == before
    csv = PlannedDocument("acme", "CSV", "", (PlannedSet("CSV:ack:ACME 1/3:again", (), "ACME 1/3", "s2"),),
                          content=b"po_number,status\r\nACME 1/3,IR\r\n")
    state.apply(Plan(documents=(*_docs()[:1], csv)), render=renderer({"acme": profile}, NIGHT),
                hold=holder({"acme": profile}, stage="decide"), at=NIGHT.isoformat(), run_id="next")
    new = {d.file_name for d in state.documents("acme")} - set(before)
    assert len(new) == 2  # both numbered past the rebuilt ones: the insert of a name in use would have failed
    assert deliver_partner(profile, state, LocalDrop(ws.drop_root / "acme"), now=NIGHT) == 2
    state.close()
