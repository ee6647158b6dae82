"""A 3PL sending its 945s from several ISA ids ([sender] their_ids, as a partner's [x12] their_ids). Before, a
warehouse profile held one ISA05/ISA06: a 3PL that moved VANs (a new qualifier and id) or sent from two ids had
every 945 from the other refused (SHIPMENT_945_SENDER_UNKNOWN, the file quarantined, its shipments never
confirmed). A listed pair's 945s are read and answered: each 997/TA1 to the pair that wrote, from the ISA07/ISA08
it wrote to, numbered in the warehouse's own sequences as before. A pair on neither list is refused as before.

The rg69 3PL Ryder (tests/fixtures/rg69: ZZ/RYDERSCS, 004030 945s, one group per order) with their_ids
08/9254110060 (its new VAN) and ZZ/RYDERWMS."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from schemas.errors import ConfigError
from schemas.warehouses import Sender945, WarehouseProfile, load_warehouse
from tests.test_945_acks import (  # noqa: F401 (template, ws: fixtures)
    DAY1,
    PARTY,
    RYDER,
    drop,
    groups,
    numbers,
    outbox,
    segs,
    ship,
    template,
    ws,
)

VAN = ("08", "9254110060")
LISTED = 'their_ids = ["08:9254110060", ["ZZ", "RYDERWMS"]]\n'


def listing(workspace, line: str = LISTED) -> None:
    """Ryder's profile with ``line`` in its [sender] table."""
    profile = workspace.root / "warehouses" / "ryder.toml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace('id = "RYDERSCS"\n', f'id = "RYDERSCS"\n{line}', 1), encoding="utf-8")


def two_interchanges(second: tuple[str, str], *, ack: str = "0") -> str:
    """Ryder's two groups each in its own interchange: 3101 from its main id, 3102 from ``second`` (ISA14 ``ack``)."""
    head, gs = groups(RYDER)
    gs[1] = gs[1].replace("IEA*2*000003101~\n", "")
    other = head.replace("*ZZ*RYDERSCS       *", f"*{second[0]}*{second[1]:<15}*").replace(
        "*000003101*0*P*", f"*000003102*{ack}*P*")
    return head + gs[0] + "IEA*1*000003101~\n" + other + gs[1] + "IEA*1*000003102~\n"


def envelope(text: str) -> tuple[tuple[str, str], tuple[str, str], str]:
    """(ISA05/ISA06, ISA07/ISA08, what it answers: the TA1's ISA13, or the 997's AK1 GS06) of a file we sent."""
    s = segs(text)
    isa = s[0]
    answers = next(seg[1] if seg[0] == "TA1" else seg[2] for seg in s if seg[0] in ("TA1", "AK1"))
    return (isa[5], isa[6].strip()), (isa[7], isa[8].strip()), answers


# --- the profile ---------------------------------------------------------------------------------------------------
def test_their_ids_are_read_as_a_partners_are_and_checked_the_same_way():
    base = {"qualifier": "ZZ", "id": "RYDERSCS"}
    s = Sender945.model_validate({**base, "their_ids": ["08:9254110060", ["ZZ", "RYDERWMS"], "14:0614141000001"]})
    assert s.their_ids == (VAN, ("ZZ", "RYDERWMS"), ("14", "0614141000001"))
    assert Sender945.model_validate(s.model_dump()) == s  # written back, it loads the same
    assert Sender945.model_validate(base).their_ids == ()
    assert s.sends_from(*VAN) and s.sends_from("ZZ", "RYDERSCS") and not s.sends_from("ZZ", "9254110060")
    assert s.named() == "ZZ/RYDERSCS or 08/9254110060 or ZZ/RYDERWMS or 14/0614141000001"
    for bad in (["8:9254110060"], ["08:"], ["08: 9254110060"], ["08:1234567890123456"], [["08"]], ["zz:RYDER"],
                "08:9254110060"):
        with pytest.raises(ValidationError, match="not interchange ids|tuple"):
            Sender945.model_validate({**base, "their_ids": bad})


def test_a_profile_with_a_bad_entry_does_not_load(ws):  # noqa: F811
    listing(ws, 'their_ids = ["08:9254110060", "8:RYDER"]\n')
    with pytest.raises(ConfigError, match="not interchange ids"):
        load_warehouse(ws.root / "warehouses" / "ryder.toml")
    with pytest.raises(ValidationError):  # their_ids belongs to [sender]: a top-level key is no setting
        WarehouseProfile.model_validate({**load_warehouse(ws.root / "warehouses" / "gxo.toml").model_dump(),
                                         "their_ids": ["08:9254110060"]})


# --- 945s from a listed id ---------------------------------------------------------------------------------------
def test_a_945_from_a_listed_id_ships_and_each_interchange_is_answered_to_the_id_that_wrote(ws):  # noqa: F811
    listing(ws)
    assert ws.warehouses()["ryder"].sender.their_ids == (VAN, ("ZZ", "RYDERWMS"))
    drop(ws, "ryder", "r.x12", two_interchanges(VAN, ack="1"))
    res = ship(ws, "ryder", DAY1, "day1")
    assert not [f for f in res.findings if f["code"] == "SHIPMENT_945_SENDER_UNKNOWN"]
    assert (res.processed, res.quarantined, res.shipments, res.acknowledgments) == (1, 0, 2, 3)
    sent = outbox(ws, "ryder")
    ours = ("ZZ", "ORDERBRIDGE")
    # each 997 (and the TA1 the second asked for) to the ISA05/ISA06 that wrote, from the ISA07/ISA08 written to
    assert {name: envelope(t) for name, t in sent.items()} == {
        "ryder-997-000000001.x12": (ours, ("ZZ", "RYDERSCS"), "31011"), "ryder-TA1-000000002.x12": (
            ours, VAN, "000003102"), "ryder-997-000000003.x12": (ours, VAN, "31012")}
    # numbered in Ryder's own sequences, one after another whoever wrote: ISA13 1-3, GS06/ST02 1-2
    assert numbers(ws, PARTY) == (3, 2, 2) and numbers(ws, "warehouse:gxo") == (0, 0, 0)
    # the VAN's 997 answers its group (GS ids exchanged as sent), the TA1 accepts its interchange, in its 00403
    van = segs(sent["ryder-997-000000003.x12"])
    assert van[1][:4] == ["GS", "FA", "ORDERBRIDGE", "RYDERSCS"] and van[0][12] == "00403"
    assert [s for s in van if s[0] in ("AK1", "AK9")] == [["AK1", "SW", "31012"], ["AK9", "A", "1", "1", "1"]]
    ta1 = segs(sent["ryder-TA1-000000002.x12"])
    assert ta1[0][12] == "00403" and ta1[1] == ["TA1", "000003102", "261201", "1141", "A", "000"]


def test_without_the_list_the_same_945_is_refused_and_unanswered_as_before(ws):  # noqa: F811
    drop(ws, "ryder", "r.x12", two_interchanges(VAN, ack="1"))
    res = ship(ws, "ryder", DAY1, "day1")
    [refused] = [f for f in res.findings if f["code"] == "SHIPMENT_945_SENDER_UNKNOWN"]
    assert "08/9254110060" in refused["message"] and "(ZZ/RYDERSCS)" in refused["message"]
    assert res.quarantined == 1
    # the main id's interchange is read as a partner's beside a stranger's (engine.warehouse_acks.judge_945s): its
    # 945 ships and its group is answered by a 997; the stranger's is neither read nor answered (not even by the
    # TA1 its ISA14 asked for)
    assert res.shipments == 1
    assert [envelope(t)[1:] for t in outbox(ws, "ryder").values()] == [(("ZZ", "RYDERSCS"), "31011")]


def test_a_pair_on_neither_list_is_still_refused_and_the_message_names_the_listed_pairs(ws):  # noqa: F811
    listing(ws)
    drop(ws, "ryder", "r.x12", two_interchanges(("ZZ", "SOMEONEELSE"), ack="1"))
    res = ship(ws, "ryder", DAY1, "day1")
    [refused] = [f for f in res.findings if f["code"] == "SHIPMENT_945_SENDER_UNKNOWN"]
    assert refused["message"].endswith("(ZZ/RYDERSCS or 08/9254110060 or ZZ/RYDERWMS): its interchange is not read "
                                       "or answered.")
    assert (res.quarantined, res.shipments) == (1, 1)  # the main id's 945 ships, the file kept in quarantine
    assert [envelope(t)[1:] for t in outbox(ws, "ryder").values()] == [(("ZZ", "RYDERSCS"), "31011")]


def test_a_945_refused_before_its_id_was_listed_ships_when_taken_again(ws):  # noqa: F811
    """The 3PL moved VANs before its profile said so: its 945 was refused and answered nothing, so ops list the id
    and take the file again (docs/error-codes.md's hint): it ships, answered to the new id."""
    from typer.testing import CliRunner

    from flows.cli import app

    moved = RYDER.replace("*ZZ*RYDERSCS       *", "*08*9254110060     *")
    drop(ws, "ryder", "moved.x12", moved)
    before = ship(ws, "ryder", DAY1, "day1")
    assert (before.quarantined, before.shipments, before.acknowledgments) == (1, 0, 0)
    listing(ws)
    said = CliRunner().invoke(app, ["retake", "moved.x12", "--warehouse", "ryder", "--by", "Dana", "--note",
                                    "Ryder moved to its new VAN", "-w", str(ws.root)])
    assert said.exit_code == 0, said.output
    after = ship(ws, "ryder", DAY1.replace(hour=18), "day1b")
    assert (after.processed, after.shipments, after.acknowledgments) == (1, 2, 2)
    assert [envelope(t)[1:] for t in outbox(ws, "ryder").values()] == [(VAN, "31011"), (VAN, "31012")]
