"""997s (and TA1s) answering a 3PL's 945s (flows.shipments, engine.warehouse_acks): built as a partner's 997s are
(AK1/AK2/AK5/AK9 from the findings of the 945's reading), addressed back from the ids the 945 was sent to, numbered
in the warehouse's own control number sequences (persisted, never reused, taken in the transaction that records
the 945 file: a crash before the commit uses none, one after it leaves them pending for the next delivery), and
written to the warehouse's outbox once. The rg69 3PLs (tests/fixtures/rg69: GXO 004010, DHL 005010, Ryder 004030)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from datetime import datetime

import pytest

from connectors.local import LocalDrop
from connectors.reference import load_reference
from connectors.state import StateStore
from flows import documents, shipments
from flows.workspace import open_workspace
from tests.retailer_support import maps, of_its_own  # noqa: F401 (a fixture)
from tests.support import REPO, run_stages

FIXTURES = REPO / "tests" / "fixtures" / "rg69"
NIGHT = datetime(2026, 11, 25, 2)
DAY1 = datetime(2026, 12, 1, 15)
DAY2 = datetime(2026, 12, 2, 15)
RYDER = (FIXTURES / "shipments" / "ryder" / "ryder-945-20261201-1141.x12").read_text(encoding="utf-8")
GXO = (FIXTURES / "shipments" / "gxo" / "GXO_945_20261201143512.edi").read_text(encoding="utf-8")
PARTY = "warehouse:ryder"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The rg69 850s taken at NIGHT (their 997s and 855s): every test ships from a copy of it."""
    ws = of_its_own(FIXTURES, tmp_path_factory.mktemp("acks945") / "ws")
    ws.config_path.write_text('[clock]\nzone = "America/New_York"\n', encoding="utf-8")
    run_stages(ws, NIGHT)
    return ws.root


@pytest.fixture
def ws(template, tmp_path):
    shutil.copytree(template, tmp_path / "ws")
    return open_workspace(tmp_path / "ws")


def drop(ws, warehouse: str, name: str, text: str) -> None:
    inbox = ws.warehouse_drop_root / warehouse / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / name).write_text(text, encoding="utf-8")


def ship(ws, warehouse: str, now: datetime, run_id: str):
    """One warehouse's ship stage (its confirmations, its 997s delivered), with a fresh store as a new process."""
    state = StateStore(ws.state_path)
    try:
        return shipments.ship_warehouse(ws, ws.warehouses()[warehouse], ws.partners(), state,
                                        LocalDrop(ws.warehouse_drop_root / warehouse), load_reference(ws.reference_dir),
                                        now=now, run_id=run_id)
    finally:
        state.close()


def outbox(ws, warehouse: str) -> dict[str, str]:
    folder = ws.warehouse_drop_root / warehouse / "outbox"
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*"))} if folder.is_dir() else {}


def segs(text: str) -> list[list[str]]:
    return [s.split("*") for s in text.replace("\n", "").split("~") if s]


def acks(ws, warehouse: str) -> list[list[list[str]]]:
    """Each outbox file's segments from its GS on (ISA09/10 aside), in file order."""
    return [[s for s in segs(t) if s[0] != "ISA"] for t in outbox(ws, warehouse).values()]


def numbers(ws, party: str = PARTY) -> tuple[int, int, int]:
    state = StateStore(ws.state_path)
    try:
        return tuple(state.last_number(party, kind) for kind in ("ISA", "GS", "ST"))
    finally:
        state.close()


def groups(text: str) -> tuple[str, str]:
    """(interchange header, each group GS..GE) of a 945 file."""
    head, rest = text.split("\n", 1)
    return head + "\n", [g if g.endswith("\n") else g + "\n" for g in
                         ("GS*" + part for part in rest.split("GS*")[1:])]


def one_group(i: int, isa13: str) -> str:
    """Ryder's interchange holding its group ``i`` alone, under ISA13 ``isa13``."""
    head, gs = groups(RYDER)
    gs[i] = gs[i].replace("IEA*2*000003101~\n", "")
    return head.replace("000003101", isa13) + gs[i] + f"IEA*1*{isa13}~\n"


def test_every_group_of_a_945_is_answered_from_the_ids_it_was_sent_to(ws):
    drop(ws, "ryder", "r.x12", RYDER)
    res = ship(ws, "ryder", DAY1, "day1")
    assert (res.processed, res.quarantined, res.shipments, res.acknowledgments) == (1, 0, 2, 2)
    sent = outbox(ws, "ryder")
    assert list(sent) == ["ryder-997-000000001.x12", "ryder-997-000000002.x12"]
    first = segs(sent["ryder-997-000000001.x12"])
    # ours (ISA07/08 and GS03 of the 945) to its sender, in its release (004030, ISA12 00403), as a test when it is
    assert first[0][5:9] == ["ZZ", "ORDERBRIDGE    ", "ZZ", "RYDERSCS       "] and first[0][12:16] == [
        "00403", "000000001", "0", "P"]
    assert first[1] == ["GS", "FA", "ORDERBRIDGE", "RYDERSCS", "20261201", "1500", "1", "X", "004030"]
    assert first[2:-2] == [["ST", "997", "0001"], ["AK1", "SW", "31011"], ["AK2", "945", "1001"], ["AK5", "A"],
                           ["AK9", "A", "1", "1", "1"], ["SE", "6", "0001"]]
    assert acks(ws, "ryder")[1][2:6] == [["AK1", "SW", "31012"], ["AK2", "945", "2001"], ["AK5", "A"],
                                         ["AK9", "A", "1", "1", "1"]]
    assert numbers(ws) == (2, 2, 2) and numbers(ws, "warehouse:gxo") == (0, 0, 0)  # each warehouse its own
    assert outbox(ws, "shipbob") == {} and not (ws.drop_root / "ryder").exists()  # nothing elsewhere


def test_a_rejected_945_group_gets_ak9_r_with_its_ak5_codes_and_the_other_group_ships(ws):
    """Set 1001's SE02 is not its ST02 (X12: AK5 3, transaction set control number in header and trailer do not
    match): it is not read, its group is rejected (AK9 R, 1 received, 0 accepted); Ryder's other group is accepted
    and ships."""
    drop(ws, "ryder", "r.x12", RYDER.replace("SE*17*1001~", "SE*17*1009~"))
    res = ship(ws, "ryder", DAY1, "day1")
    assert (res.shipments, res.acknowledgments) == (1, 2)
    rejected, accepted = acks(ws, "ryder")
    assert rejected[2:6] == [["AK1", "SW", "31011"], ["AK2", "945", "1001"], ["AK5", "R", "3"],
                             ["AK9", "R", "1", "1", "0"]]
    assert accepted[2:6] == [["AK1", "SW", "31012"], ["AK2", "945", "2001"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"]]


def test_a_group_with_one_set_rejected_is_partially_accepted(ws):
    second = GXO.index("ST*945*1002~")
    bad = GXO[:second] + GXO[second:].replace("*1002~", "*1003~", 2).replace("ST*945*1003~", "ST*945*1002~", 1)
    drop(ws, "gxo", "g.edi", bad)
    ship(ws, "gxo", DAY1, "day1")
    [ack] = acks(ws, "gxo")
    assert ack[2:9] == [["AK1", "SW", "88011"], ["AK2", "945", "1001"], ["AK5", "A"], ["AK2", "945", "1002"],
                        ["AK5", "R", "3"], ["AK9", "P", "2", "2", "1"], ["SE", "8", "0001"]]


def test_control_numbers_advance_and_never_repeat_across_two_nights(ws):
    drop(ws, "ryder", "day1.x12", one_group(0, "000003101"))
    ship(ws, "ryder", DAY1, "day1")
    drop(ws, "ryder", "day2.x12", one_group(1, "000003102"))
    ship(ws, "ryder", DAY2, "day2")
    drop(ws, "ryder", "day2-again.x12", one_group(1, "000003102"))  # the same file again: a duplicate, no answer
    again = ship(ws, "ryder", DAY2.replace(hour=18), "day2b")
    assert again.duplicates == 1 and again.acknowledgments == 0
    sent = outbox(ws, "ryder")
    assert list(sent) == ["ryder-997-000000001.x12", "ryder-997-000000002.x12"]
    heads = [(s[0][13], s[1][6], s[2][2], s[3][2], s[1][4]) for s in map(segs, sent.values())]
    assert heads == [("000000001", "1", "0001", "31011", "20261201"), ("000000002", "2", "0002", "31012", "20261202")]
    assert numbers(ws) == (2, 2, 2)


def test_an_interchange_asking_for_a_ta1_gets_one(ws):
    drop(ws, "ryder", "r.x12", RYDER.replace("*000003101*0*P*", "*000003101*1*P*"))
    ship(ws, "ryder", DAY1, "day1")
    sent = outbox(ws, "ryder")
    assert list(sent) == ["ryder-997-000000002.x12", "ryder-997-000000003.x12", "ryder-TA1-000000001.x12"]
    ta1 = segs(sent["ryder-TA1-000000001.x12"])
    assert ta1[0][12] == "00403" and ta1[1:] == [["TA1", "000003101", "261201", "1141", "A", "000"],
                                                ["IEA", "0", "000000001"]]
    assert numbers(ws) == (3, 2, 2)


def test_a_warehouse_that_wants_no_997_gets_none(ws):
    profile = ws.root / "warehouses" / "ryder.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace('format = "945"\n', 'format = "945"\nsend_997 = '
                                                                    'false\n'), encoding="utf-8")
    assert ws.warehouses()["ryder"].send_997 is False
    drop(ws, "ryder", "r.x12", RYDER)
    res = ship(ws, "ryder", DAY1, "day1")
    assert (res.shipments, res.acknowledgments, outbox(ws, "ryder"), numbers(ws)) == (2, 0, {}, (0, 0, 0))


def test_an_interchange_from_another_sender_is_not_answered(ws):
    drop(ws, "ryder", "r.x12", RYDER.replace("*ZZ*RYDERSCS       *", "*ZZ*SOMEONEELSE    *"))
    res = ship(ws, "ryder", DAY1, "day1")
    assert "SHIPMENT_945_SENDER_UNKNOWN" in {f["code"] for f in res.findings}
    assert (res.acknowledgments, outbox(ws, "ryder"), numbers(ws)) == (0, {}, (0, 0, 0))


def test_the_997s_pass_our_validator_bots_and_pyx12(ws, tmp_path, maps):  # noqa: F811
    """As a partner's 997s are checked (tests/test_acks_always_valid.py: our outbound check, the dictionary's element
    definitions, Bots; tests/test_pyx12_outbound.py: pyx12 with our maps): each release's, an accepted, a partly
    accepted and a rejected group's, and a TA1."""
    from rules.outbound import validate_outbound
    from tests.shipping_support import bots_check
    from tests.test_acks_always_valid import problems
    from tests.test_pyx12_outbound import pyx12_accepts

    second = GXO.index("ST*945*1002~")
    drop(ws, "gxo", "g.edi", GXO[:second] + GXO[second:].replace("*1002~", "*1003~", 2).replace(
        "ST*945*1003~", "ST*945*1002~", 1))  # partly accepted (AK9 P)
    drop(ws, "dhlsc", "d.x12", (FIXTURES / "shipments" / "dhlsc" / "DHLSC945.20261201.1352.x12").read_text(
        encoding="utf-8"))
    drop(ws, "ryder", "r.x12", RYDER.replace("SE*17*1001~", "SE*17*1009~").replace("*000003101*0*P*",
                                                                                   "*000003101*1*P*"))
    for warehouse in ("gxo", "dhlsc", "ryder"):
        ship(ws, warehouse, DAY1, "day1")
    sent = {name: text for w in ("gxo", "dhlsc", "ryder") for name, text in outbox(ws, w).items()}
    assert len(sent) == 5 and {segs(t)[1][8] for n, t in sent.items() if "-997-" in n} == {"004010", "005010",
                                                                                            "004030"}
    assert {s[1] for t in sent.values() for s in segs(t) if s[0] == "AK9"} == {"A", "P", "R"}
    for name, text in sent.items():
        content = text.encode()
        assert [f for f in validate_outbound(content) if f.severity == "error"] == [], name
        assert problems(content) == [], name
        ok, errors = bots_check(content, tmp_path)
        assert ok, (name, errors)
        if "-997-" in name:  # (pyx12 validates functional groups: a TA1 alone is no document of its maps)
            ok, ack = pyx12_accepts(text, maps)
            assert ok, (name, ack[:800])


def test_the_997_is_in_the_orders_status_beside_its_shipment(ws):
    from flows.status import story

    drop(ws, "ryder", "r.x12", RYDER)
    ship(ws, "ryder", DAY1, "day1")
    state = StateStore(ws.state_path)
    try:
        doc = story(state, state.order("chewy", "CH6900301"))
        [shipment] = doc["shipments"]
    finally:
        state.close()
    assert [(a["type"], a["isa13"], a["answers_isa13"], a["answers_gs06"], a["file_name"], a["status"])
            for a in shipment["warehouse_acks"]] == [
        ("997", "000000001", "000003101", "31011", "ryder-997-000000001.x12", "delivered"),
        ("997", "000000002", "000003101", "31012", "ryder-997-000000002.x12", "delivered")]
    from rich.console import Console

    from flows.status_view import print_shipping

    out = Console(record=True, width=200)
    print_shipping(doc, out=out)  # `orderbridge status CH6900301`: under its shipment
    assert "997 to ryder ISA13 000000001 answering ISA13 000003101 GS06 31011: ryder-997-000000001.x12, delivered" \
        in out.export_text()


# --- crashes: as the partners' numbering (tests/test_numbering_crash.py) ----------------------------------------
class Crash(Exception):
    pass


def test_a_crash_between_numbering_and_writing_uses_no_number(ws, monkeypatch):
    def dying(answers, now):
        def render(doc, isa13, gs06, st02s):
            raise Crash("the process died while writing the 997")
        return render

    drop(ws, "ryder", "r.x12", RYDER)
    monkeypatch.setattr(shipments, "warehouse_renderer", dying)
    with pytest.raises(Crash):
        ship(ws, "ryder", DAY1, "crashed")
    monkeypatch.undo()
    state = StateStore(ws.state_path)
    assert state.shipments() == [] and state.documents(PARTY) == []  # nothing of the file recorded
    state.close()
    assert (numbers(ws), outbox(ws, "ryder")) == ((0, 0, 0), {})
    assert (ws.warehouse_drop_root / "ryder" / "inbox" / "r.x12").exists()  # read again next run
    ship(ws, "ryder", DAY1.replace(minute=5), "again")
    assert list(outbox(ws, "ryder")) == ["ryder-997-000000001.x12", "ryder-997-000000002.x12"]
    assert numbers(ws) == (2, 2, 2)


KILLED = textwrap.dedent("""
    import os, sys
    from datetime import datetime
    from connectors.local import LocalDrop
    from connectors.reference import load_reference
    from connectors.state import StateStore
    from flows import shipments
    from flows.workspace import open_workspace

    ws = open_workspace(sys.argv[1])
    original = shipments.warehouse_renderer
    def renderer(answers, now):
        render = original(answers, now)
        def die(doc, isa13, gs06, st02s):
            render(doc, isa13, gs06, st02s)
            os._exit(3)  # killed: no rollback, no cleanup, half a transaction in the journal
        return die
    shipments.warehouse_renderer = renderer
    state = StateStore(ws.state_path)
    shipments.ship_warehouse(ws, ws.warehouses()["ryder"], ws.partners(), state,
                             LocalDrop(ws.warehouse_drop_root / "ryder"), load_reference(ws.reference_dir),
                             now=datetime(2026, 12, 1, 15), run_id="killed")
""")


def test_a_process_killed_between_numbering_and_writing_uses_no_number(ws):
    drop(ws, "ryder", "r.x12", RYDER)
    killed = subprocess.run([sys.executable, "-c", KILLED, str(ws.root)], cwd=REPO, capture_output=True, text=True,
                            timeout=300, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert killed.returncode == 3, killed.stderr[-2000:]
    assert (numbers(ws), outbox(ws, "ryder")) == ((0, 0, 0), {})
    ship(ws, "ryder", DAY1.replace(minute=10), "after")
    assert list(outbox(ws, "ryder")) == ["ryder-997-000000001.x12", "ryder-997-000000002.x12"]
    assert numbers(ws) == (2, 2, 2)


def test_a_crash_after_the_commit_sends_the_stored_997s_once_without_renumbering(ws, monkeypatch):
    def die(*args, **kwargs):
        raise Crash("the process died before delivering")

    drop(ws, "ryder", "r.x12", RYDER)
    monkeypatch.setattr(shipments, "deliver_pending", die)
    with pytest.raises(Crash):
        ship(ws, "ryder", DAY1, "a")
    monkeypatch.undo()
    state = StateStore(ws.state_path)
    stored = {d.file_name: d.content for d in state.documents(PARTY)}
    state.close()
    assert list(stored) == ["ryder-997-000000001.x12", "ryder-997-000000002.x12"] and outbox(ws, "ryder") == {}
    res = ship(ws, "ryder", DAY1.replace(hour=16), "b")  # no file waits: the pending 997s go as stored
    assert res.files == 0 and res.acknowledgments == 2
    assert {n: t.encode() for n, t in outbox(ws, "ryder").items()} == stored and numbers(ws) == (2, 2, 2)
    assert ship(ws, "ryder", DAY1.replace(hour=17), "c").acknowledgments == 0


def test_a_crash_after_writing_before_marking_delivered_writes_no_second_copy(ws, monkeypatch):
    def die(*args, **kwargs):
        raise Crash("the process died after the outbox write")

    drop(ws, "ryder", "r.x12", RYDER)
    monkeypatch.setattr(documents, "_delivered", die)
    with pytest.raises(Crash):
        ship(ws, "ryder", DAY1, "a")
    monkeypatch.undo()
    written = outbox(ws, "ryder")
    assert list(written) == ["ryder-997-000000001.x12", "ryder-997-000000002.x12"]
    res = ship(ws, "ryder", DAY1.replace(hour=16), "b")  # found in place with the same bytes: only marked
    assert res.acknowledgments == 2 and outbox(ws, "ryder") == written and numbers(ws) == (2, 2, 2)
    state = StateStore(ws.state_path)
    assert {d.status for d in state.documents(PARTY)} == {"delivered"}
    state.close()


def test_a_rebuilt_store_never_numbers_a_997_again(ws):
    """`orderbridge state rebuild` reads the warehouses' outboxes as the partners': our 997s there are recorded as
    delivered and the warehouse's numbers raised past them, so the next 997 does not reuse ISA13 1 (the 3PL would
    take it for a duplicate, or the outbox file would conflict)."""
    from flows.rebuild import rebuild

    drop(ws, "ryder", "day1.x12", one_group(0, "000003101"))
    ship(ws, "ryder", DAY1, "day1")
    ws.state_path.unlink()
    done = rebuild(ws, at=DAY1.replace(hour=20))
    assert {k: v for k, v in done.numbers.items() if k.startswith(PARTY)} == {
        f"{PARTY} ISA": 1, f"{PARTY} GS": 1, f"{PARTY} ST": 1}
    drop(ws, "ryder", "day2.x12", one_group(1, "000003102"))
    ship(ws, "ryder", DAY2, "day2")
    assert list(outbox(ws, "ryder")) == ["ryder-997-000000001.x12", "ryder-997-000000002.x12"]


def test_a_997_that_cannot_be_written_fails_the_warehouse_and_goes_next_run(ws, monkeypatch):
    """The outbox refusing the 997 (a full disk, a server refusing our write) is the warehouse's failure (the run
    is INCOMPLETE, as a partner's failed delivery), not its shipments': they are recorded and their 856s built; the
    997 stays pending and the next run writes it as stored."""
    from schemas.errors import StorageError

    def refused(*args, **kwargs):
        raise StorageError("outbox not writable")

    drop(ws, "ryder", "r.x12", RYDER)
    monkeypatch.setattr(documents, "_write", refused)
    res = ship(ws, "ryder", DAY1, "a")
    monkeypatch.undo()
    assert (res.processed, res.shipments, res.acknowledgments) == (1, 2, 0)
    assert res.failure == "997 delivery: StorageError: outbox not writable" and outbox(ws, "ryder") == {}
    later = ship(ws, "ryder", DAY1.replace(hour=16), "b")
    assert (later.failure, later.acknowledgments) == ("", 2)
    assert list(outbox(ws, "ryder")) == ["ryder-997-000000001.x12", "ryder-997-000000002.x12"]


def test_a_gs_id_x12_does_not_allow_is_not_echoed_into_the_997(ws):
    """Group 31012's GS02 is 18 characters (X12: 2-15): its 997 is addressed to the 3PL's ISA06 instead (a partner's
    answer takes its profile's GS id so), never a GS03 Bots and the 3PL's translator refuse."""
    drop(ws, "ryder", "r.x12", RYDER.replace("GS*SW*RYDERSCS*ORDERBRIDGE*20261201*1141*31012*",
                                             "GS*SW*RYDERSCS-FONTANA-CA*ORDERBRIDGE*20261201*1141*31012*"))
    ship(ws, "ryder", DAY1, "a")
    gs = {s[1][6]: s[1][2:4] for s in map(segs, outbox(ws, "ryder").values()) if s[1][0] == "GS"}
    assert gs["2"] == ["ORDERBRIDGE", "RYDERSCS"]


# --- a 945 interchange sent twice (the 3PL resends it: the same ISA13 from the same sender, in a new file) ------------
def test_a_945_interchange_sent_again_is_a_duplicate_interchange_answered_ta1_r_025_and_ships_nothing(ws):
    """As a partner's interchange sent twice is (ISA_DUPLICATE, engine.process.duplicate_envelopes): the copy is not
    read, its groups get no 997 (it used to get AK5 A, as if taken, though its shipments were held
    SHIPMENT_ID_DUPLICATE), a TA1 R 025 (duplicate interchange control number) says so, and the finding names the
    file that brought it first. Nothing ships twice: the shipments, units and 856s are the first file's."""
    drop(ws, "ryder", "r.x12", RYDER)
    first = ship(ws, "ryder", DAY1, "day1")
    assert (first.shipments, first.acknowledgments) == (2, 2)
    before = outbox(ws, "ryder")
    asns = sorted(p.name for p in (ws.drop_root).glob("*/outbox/*-856-*"))
    # resent later the same day with a new ISA09/ISA10 (the 3PL's translator re-enveloped it): a new file's bytes
    drop(ws, "ryder", "r-resent.x12", RYDER.replace("*261201*1141*", "*261201*1650*", 1))
    again = ship(ws, "ryder", DAY1.replace(hour=17), "day1b")
    sent = outbox(ws, "ryder")
    new = {k: v for k, v in sent.items() if k not in before}
    assert list(new) == ["ryder-TA1-000000003.x12"], list(sent)  # no 997 for the copy's groups
    assert segs(new["ryder-TA1-000000003.x12"])[1] == ["TA1", "000003101", "261201", "1650", "R", "025"]
    assert again.shipments == 0 and again.quarantined == 1
    state = StateStore(ws.state_path)
    try:
        found = [f for f in state.findings(run_id="day1b") if f["severity"] == "error"]
        shipped = sorted(s.shipment_id for s in state.shipments() if s.warehouse == "ryder")
    finally:
        state.close()
    assert [f["code"] for f in found] == ["ISA_DUPLICATE"], found
    assert "000003101" in found[0]["message"] and "r.x12" in found[0]["message"]
    assert "nothing in it is shipped again" in found[0]["message"]
    assert len(shipped) == 2 and sorted(p.name for p in (ws.drop_root).glob("*/outbox/*-856-*")) == asns


def test_a_945_interchange_number_used_again_after_the_window_is_taken_with_a_warning(ws):
    """The 3PL's translator restarted its numbers: an ISA13 last used more than the warehouse's
    duplicate_window_days ago is a new interchange (ISA_REUSED), as a partner's is."""
    profile = ws.root / "warehouses" / "ryder.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace('format = "945"\n', 'format = "945"\n'
                                                                    'duplicate_window_days = 1\n'), encoding="utf-8")
    assert ws.warehouses()["ryder"].duplicate_window_days == 1
    drop(ws, "ryder", "day1.x12", one_group(0, "000003101"))
    ship(ws, "ryder", DAY1, "day1")
    drop(ws, "ryder", "day2.x12", one_group(1, "000003101"))  # the same number, three days on: another interchange
    later = ship(ws, "ryder", DAY1.replace(day=4), "day4")
    assert (later.shipments, later.acknowledgments, later.quarantined) == (1, 1, 0)
    state = StateStore(ws.state_path)
    try:
        codes = [f["code"] for f in state.findings(run_id="day4")]
    finally:
        state.close()
    assert "ISA_REUSED" in codes and "ISA_DUPLICATE" not in codes


# --- the outbound control-character check: a 997 for a warehouse is checked as a partner's documents are -----------
def test_a_997_for_a_warehouse_holding_a_control_character_is_held_and_sent_once_ops_release_it(ws, monkeypatch):
    """A 997 a control character got into (a path the builders missed: here one made so) is held, not written
    (OUTBOUND_CONTROL_CHARACTER, the warehouse's finding), as every partner-bound document is: it used to go to the
    3PL's outbox as it was, and its translator refuses the element or splits the segment there. The other group's
    997 goes. `orderbridge release-held --warehouse ryder --by NAME` sends it with a blank for the control."""
    from typer.testing import CliRunner

    from engine import warehouse_acks
    from flows.cli import app
    from schemas.lifecycle import PlannedDocument

    built = warehouse_acks.answers_945

    def tainted(*args, **kwargs):
        answers, unwritten = built(*args, **kwargs)
        out = []
        for a in answers:
            sets = tuple(type(s)(**{**{f: getattr(s, f) for f in s.__slots__}, "text": s.text.replace(
                "AK2*945*1001~", "AK2*945*10\t01~")}) for s in a.document.sets)
            doc = PlannedDocument(a.document.partner, a.document.doc_type, a.document.functional_id, sets,
                                  a.document.ta1, delimiters=a.document.delimiters)
            out.append(warehouse_acks.WarehouseAnswer(doc, a.envelope))
        return out, unwritten

    monkeypatch.setattr(warehouse_acks, "answers_945", tainted)
    drop(ws, "ryder", "r.x12", RYDER)
    res = ship(ws, "ryder", DAY1, "day1")
    assert (res.shipments, res.acknowledgments) == (2, 1)  # the clean 997 goes, the tainted one is held
    sent = outbox(ws, "ryder")
    assert all("\t" not in text for text in sent.values()) and len(sent) == 1
    assert acks(ws, "ryder")[0][2] == ["AK1", "SW", "31012"]
    state = StateStore(ws.state_path)
    try:
        [held] = [f for f in state.findings(run_id="day1") if f["code"] == "OUTBOUND_CONTROL_CHARACTER"]
        assert held["partner"] == PARTY and held["consequence"] == "document held, not sent"
        assert "AK202 '10\\t01'" in held["message"] and "--warehouse ryder" in held["message"]
        assert [d.status for d in state.documents(PARTY)].count("held") == 1
    finally:
        state.close()
    monkeypatch.setattr(warehouse_acks, "answers_945", built)
    ship(ws, "ryder", DAY1.replace(hour=16), "day1b")  # a run does not release it
    assert len(outbox(ws, "ryder")) == 1

    out = CliRunner().invoke(app, ["release-held", "--warehouse", "ryder", "--by", "Ann Ops", "--note", "INC-12",
                                   "-w", str(ws.root)])
    assert out.exit_code == 0, out.output
    assert "1 held document(s) released" in out.output
    again = ship(ws, "ryder", DAY1.replace(hour=17), "day1c")
    assert again.acknowledgments == 1
    sent = outbox(ws, "ryder")
    [released] = [t for name, t in sent.items() if "AK1*SW*31011~" in t]
    assert "AK2*945*10 01~" in released and "\t" not in released
    assert segs(released)[0][5:9] == ["ZZ", "ORDERBRIDGE    ", "ZZ", "RYDERSCS       "]  # its own envelope
    state = StateStore(ws.state_path)
    try:
        said = [f for f in state.findings() if f["code"] == "CONTROL_CHARACTER_REPLACED"]
    finally:
        state.close()
    assert [(f["partner"], f["stage"], f["consequence"]) for f in said] == [
        (PARTY, "release-held", "document released")]
    assert "released by Ann Ops" in said[0]["message"] and "INC-12" in said[0]["message"]
    both = CliRunner().invoke(app, ["release-held", "acme", "--warehouse", "ryder", "--by", "x", "-w", str(ws.root)])
    neither = CliRunner().invoke(app, ["release-held", "--by", "x", "-w", str(ws.root)])
    assert both.exit_code == neither.exit_code != 0 and "one of them" in both.output
