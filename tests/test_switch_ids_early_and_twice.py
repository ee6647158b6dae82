"""Switches of a partner's ids as they happen (tests/fixtures/rg90's Meijer, its profile with dated [[changes]]):
the buyer's new VAN sends its first 850 from the new ids (ISA 08/6111470000, GS02 MEIJERINC, 005010) two days before
the agreed date (2026-11-26): it is Meijer's, not quarantined as another sender's, with PARTNER_SWITCH_EARLY naming
the change and its date; its 997 echoes its envelope (the new translator matches it) and its 855, sent before the
date, goes to the ids in effect; its 856 and 810, sent after the second switch, to the ids in effect then. Meijer
then moves again (2026-11-28: its own AS2 id ZZ/MEIJERAS2): a straggler from the VAN it left two switches ago
(ZZ/MEIJERVAN) and one from the VAN it left last (08/6111470000) are both still Meijer's, the first answered at
the ids in effect (a former id), the second's 997 echoing its envelope (the change in effect's previous id).
[x12] early_ids = "hold": the early file is quarantined unanswered, and taken once ops retake it after the date.
Each night a real flows.night run (every stage reading the profile as of its clock)."""

from __future__ import annotations

import csv
import shutil
import tomllib
from datetime import date, datetime

import pytest
from typer.testing import CliRunner

from schemas.profile import PartnerProfile
from tests.retailer_support import findings_and_states, of_its_own, segments
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg90"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
EARLY, SWITCH, AFTER = datetime(2026, 11, 24, 2), datetime(2026, 11, 26, 2), datetime(2026, 11, 29, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)
CHANGES = """
[[changes]]
effective = 2026-11-26
note = "Meijer's letter of 2026-11-02: new VAN"

[changes.x12]
their_qualifier = "08"
their_id = "6111470000"
their_gs_id = "MEIJERINC"
version = "005010"

[changes.x12.delimiters]
element = "|"
component = "\\\\"

[[changes]]
effective = 2026-11-28
note = "Meijer's own AS2 id"

[changes.x12]
their_qualifier = "ZZ"
their_id = "MEIJERAS2"
their_gs_id = "MEIJERAS2"
"""
# (ISA05/06 the document goes to, GS03, GS08[:6], element separator)
OLD = ("ZZ", "MEIJERVAN", "MEIJER", "004010", "*")
VAN = ("08", "6111470000", "MEIJERINC", "005010", "|")
AS2 = ("ZZ", "MEIJERAS2", "MEIJERAS2", "005010", "|")
NEW_850 = FIXTURES / "changes" / "meijer" / "MEIJER_850_MJ9000103.x12"
OLD_850 = FIXTURES / "drops" / "meijer" / "MEIJER_850_MJ9000102.x12"


def _profile(extra: str = CHANGES) -> PartnerProfile:
    return PartnerProfile.model_validate(tomllib.loads((FIXTURES / "partners" / "meijer.toml").read_text() + extra))


def _renamed(path, po: str, isa13: int, gs06: str) -> str:
    """``path``'s interchange (one group of one 850) as another PO under other control numbers."""
    text = path.read_text()
    sep = text[3]
    head, rest = text.split("\n", 1) if sep == "|" else text.split("~", 1)
    old_isa13 = head.split(sep)[13]
    old_gs06 = rest.split(sep, 7)[6]
    new_head = head.replace(old_isa13, f"{isa13:09d}")
    rest = rest.replace(f"{sep}{old_gs06}{sep}X", f"{sep}{gs06}{sep}X").replace(f"GE{sep}1{sep}{old_gs06}",
                                                                             f"GE{sep}1{sep}{gs06}")
    rest = rest.replace(old_isa13, f"{isa13:09d}")
    body = rest.replace(text.split("BEG")[1].split(sep)[3], po)
    return new_head + ("\n" if sep == "|" else "~") + body


def _sent(ws, kind: str, names: list[str]) -> dict[str, tuple]:
    """Each of ``names`` of ``kind`` by what it answers (the AK1's GS06, the BAK03, the 856's PRF01 (its PO), the
    BIG04): (ISA07, ISA08 it goes to, GS03, GS08[:6], element separator)."""
    out = {}
    for name in names:
        if f"-{kind}-" not in name:
            continue
        text = (ws.drop_root / "meijer" / "outbox" / name).read_text()
        segs = [s.split(text[3]) for s in text.replace("\n", "").split("~") if s]
        isa, gs = segs[0], next(s for s in segs if s[0] == "GS")
        for head in (s for s in segs if s[0] in ("BAK", "AK1", "PRF", "BIG")):
            out[head[{"BAK": 3, "AK1": 2, "PRF": 1, "BIG": 4}[head[0]]]] = (
                isa[7], isa[8].strip(), gs[3], gs[8][:6], text[3])
    return out


def test_every_earlier_id_and_every_announced_one_is_the_partners():
    from rules.partner_check import check_profile

    p = _profile()
    before, van, as2 = p.on(date(2026, 11, 24)), p.on(date(2026, 11, 26)), p.on(date(2026, 11, 29))
    # before the first switch: the ids of both changes to come are announced, with their dates
    assert before.announced("08", "6111470000") == date(2026, 11, 26)
    assert before.announced("ZZ", "MEIJERAS2") == date(2026, 11, 28)
    assert before.announced_gs_ids() == {"MEIJERINC": date(2026, 11, 26), "MEIJERAS2": date(2026, 11, 28)}
    assert not before.x12.sends_from("08", "6111470000") and before.announced("ZZ", "ELSEWHERE") is None
    # on the first: the VAN in effect, the old ids previous (echoed), the AS2 id still announced
    assert van.x12.previous_ids == (("ZZ", "MEIJERVAN"),) and van.x12.former_ids == ()
    assert van.announced("ZZ", "MEIJERAS2") == date(2026, 11, 28) and van.announced("08", "6111470000") is None
    # after the second: the VAN's ids previous, the first ids former (recognised, answered at the ids in effect)
    assert as2.x12.previous_ids == (("08", "6111470000"),) and as2.x12.former_ids == (("ZZ", "MEIJERVAN"),)
    assert as2.x12.previous_gs_ids == ("MEIJERINC",) and as2.x12.former_gs_ids == ("MEIJER",)
    assert all(as2.x12.sends_from(q, i) for q, i in (("ZZ", "MEIJERVAN"), ("08", "6111470000"), ("ZZ", "MEIJERAS2")))
    assert as2.coming() == () and as2.announced_gs_ids() == {}
    # a later change that moves no id keeps every earlier one (the one in effect's own previous ids were all it knew)
    later = _profile(CHANGES + '\n[[changes]]\neffective = 2027-02-01\n[changes.fulfilment.invoice]\nper = "shipment"\n'
                     ).on(date(2027, 2, 1))
    assert later.x12.previous_ids == () and set(later.x12.former_ids) == {("ZZ", "MEIJERVAN"), ("08", "6111470000")}
    assert later.x12.sends_from("08", "6111470000") and later.x12.sends_from("ZZ", "MEIJERVAN")
    # a move back to an id left before: it is theirs now, not former
    back = _profile(CHANGES + '\n[[changes]]\neffective = 2027-03-01\n[changes.x12]\ntheir_qualifier = "ZZ"\n'
                    'their_id = "MEIJERVAN"\ntheir_gs_id = "MEIJER"\n').on(date(2027, 3, 1))
    assert ("ZZ", "MEIJERVAN") not in back.x12.former_ids and "MEIJER" not in back.x12.former_gs_ids
    assert back.x12.previous_ids == (("ZZ", "MEIJERAS2"),) and ("08", "6111470000") in back.x12.former_ids
    for version in (before, van, as2, later, back):
        assert check_profile(version) == [], version.effective


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    """The night of 2026-11-24 takes MJ9000101 (old ids) and the new VAN's MJ9000103 two days early; the switch
    night (11-26) the VAN's 860 of MJ9000101; the night of 11-29 (after the second switch) a straggler of the first
    VAN (MJ9000104, ZZ/MEIJERVAN) and one of the second (MJ9000105, 08/6111470000); then the ship day."""
    from flows import night

    ws = of_its_own(FIXTURES, tmp_path_factory.mktemp("switches") / "ws", {"meijer": ["MEIJER_850_MJ9000101.x12"]},
                    warehouses=WAREHOUSES)
    with (ws.partners_dir / "meijer.toml").open("a") as f:
        f.write(CHANGES)
    inbox, outbox = ws.drop_root / "meijer" / "inbox", ws.drop_root / "meijer" / "outbox"
    outs: dict[datetime, list[str]] = {}

    def run(now):
        night.run_night(str(ws.root), stages=night.InProcess(delays=[]), now=now.isoformat())
        outs[now] = sorted(p.name for p in outbox.glob("*.x12"))

    shutil.copy2(NEW_850, inbox)
    run(EARLY)
    early = findings_and_states(ws, lambda f: (f["code"], f["severity"], f["message"]))
    shutil.copy2(FIXTURES / "changes" / "meijer" / "MEIJER_860_MJ9000101.x12", inbox)
    run(SWITCH)
    (inbox / "MEIJER_850_MJ9000104.x12").write_text(_renamed(OLD_850, "MJ9000104", 419, "419"))
    (inbox / "MEIJER_850_MJ9000105.x12").write_text(_renamed(NEW_850, "MJ9000105", 5003, "5003"))
    run(AFTER)
    east = ws.warehouse_drop_root / "east" / "inbox"
    east.mkdir(parents=True, exist_ok=True)
    for f in (FIXTURES / "shipments").iterdir():  # each shipment's cartons on a pallet of its own
        rows = list(csv.reader(f.read_text().splitlines()))
        at = rows[0].index("Pallet ID")
        for row in rows[1:]:
            row[at] = f"{row[0]}-PAL"
        with (east / f.name).open("w", newline="") as out:
            csv.writer(out).writerows(rows)
    night.run_shipments(str(ws.root), stages=night.InProcess(delays=[]), now=SHIP_DAY.isoformat())
    outs[SHIP_DAY] = sorted(p.name for p in outbox.glob("*.x12"))
    return ws, outs, early


def test_a_file_from_the_announced_ids_before_the_date_is_the_partners_with_a_warning(nights):
    ws, outs, (found, states) = nights
    assert states == {("meijer", "MJ9000101"): "acknowledged", ("meijer", "MJ9000103"): "acknowledged"}
    assert not [f for f in found if f[1] == "error"] and "PARTNER_SENDER_MISMATCH" not in {f[0] for f in found}
    [said] = [m for code, severity, m in found if code == "PARTNER_SWITCH_EARLY" and severity == "warning"]
    assert "ISA05/06 08/6111470000 is partner meijer's from its change effective 2026-11-26 (Meijer's letter of " \
        "2026-11-02: new VAN), a date not come yet: taken as the partner's" in said, said
    acks, answers = _sent(ws, "997", outs[EARLY]), _sent(ws, "855", outs[EARLY])
    # its 997 echoes its envelope, in its release; its 855 goes where the partner's orders go until the date
    assert acks["5002"][:4] == VAN[:4] and acks["411"] == OLD
    assert answers == {"MJ9000101": OLD, "MJ9000103": OLD}


def test_ids_of_a_switch_before_the_one_in_effect_are_still_the_partners(nights):
    """After the second switch: the first VAN's straggler is taken and answered at the ids in effect (a former
    id: that VAN is left two switches ago); the second VAN's straggler is taken, its 997 echoing its envelope."""
    from connectors.state import StateStore

    ws, outs, _early = nights
    state = StateStore(ws.state_path)
    try:
        codes = {f["code"] for f in state.findings()}
        taken = {o.key: o.state.value for o in state.orders()}
    finally:
        state.close()
    assert "PARTNER_SENDER_MISMATCH" not in codes
    assert taken[("meijer", "MJ9000104")] == taken[("meijer", "MJ9000105")] == "acknowledged"
    new = [n for n in outs[AFTER] if n not in outs[SWITCH]]
    acks, answers = _sent(ws, "997", new), _sent(ws, "855", new)
    assert acks["419"] == ("ZZ", "MEIJERAS2", "MEIJERAS2", "004010", "|")  # its group's release, at the ids now
    assert acks["5003"] == (*VAN[:3], "005010", "|")
    assert answers == {"MJ9000104": AS2, "MJ9000105": AS2}


def test_the_switch_night_and_the_ship_day_follow_the_ids_in_effect(nights):
    """The 860 on the switch night: its revised 855 to the VAN. The ship day, after the second switch: every
    856/810, MJ9000103's (taken early from the VAN) and MJ9000101's (taken from the old ids) included, to the AS2
    id (MJ-SHP-02 ships MJ9000102, which this workspace never took)."""
    ws, outs, _early = nights
    new = [n for n in outs[SWITCH] if n not in outs[EARLY]]
    assert _sent(ws, "855", new) == {"MJ9000101": VAN}
    shipped = [n for n in outs[SHIP_DAY] if n not in outs[AFTER]]
    asns, invoices = _sent(ws, "856", shipped), _sent(ws, "810", shipped)
    assert {"MJ9000101", "MJ9000103"} <= set(invoices) and {"MJ9000101", "MJ9000103"} <= set(asns)
    assert set(asns.values()) == set(invoices.values()) == {AS2}
    isa13 = [s[13] for kind in ("997", "855", "856", "810") for s in segments(ws, "meijer", kind) if s[0] == "ISA"]
    assert len(isa13) == len(set(isa13))  # one sequence across the three sets of ids


def _held(tmp_path):
    """A workspace whose Meijer profile holds early files, and the night of 2026-11-24 that held the VAN's 850."""
    from flows import night

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"meijer": []}, warehouses=WAREHOUSES)
    path = ws.partners_dir / "meijer.toml"
    path.write_text(path.read_text().replace("[x12]\n", '[x12]\nearly_ids = "hold"\n', 1) + CHANGES)
    shutil.copy2(NEW_850, ws.drop_root / "meijer" / "inbox")
    night.run_night(str(ws.root), stages=night.InProcess(delays=[]), now=EARLY.isoformat())
    return ws


def test_a_held_early_file_is_quarantined_unanswered_and_taken_on_the_switch_night(tmp_path):
    """Held on 11-24; the night of 11-25 (the date not come) it stays held; the switch night takes it from its
    kept copy, unasked: FILE_RETAKEN says why, its 997 echoes its envelope, its 855 goes to the new ids."""
    from flows import night

    ws = _held(tmp_path)
    found, states = findings_and_states(ws, lambda f: (f["code"], f["severity"], f["message"]))
    assert states == {} and not list((ws.drop_root / "meijer" / "outbox").glob("*.x12"))
    [(code, severity, said)] = [f for f in found if f[0] == "PARTNER_SWITCH_EARLY"]
    assert severity == "error" and "held ([x12] early_ids = \"hold\"): not answered, not processed, the file " \
        "quarantined until the night of 2026-11-26, which takes it" in said, said
    night.run_night(str(ws.root), stages=night.InProcess(delays=[]), now=datetime(2026, 11, 25, 2).isoformat())
    assert findings_and_states(ws)[1] == {}
    night.run_night(str(ws.root), stages=night.InProcess(delays=[]), now=SWITCH.isoformat())
    found, states = findings_and_states(ws, lambda f: (f["code"], f["severity"], f["message"]))
    assert states == {("meijer", "MJ9000103"): "acknowledged"}
    [taken] = [m for c, _s, m in found if c == "FILE_RETAKEN"]
    assert "as orderbridge asked" in taken and "held as sent early from 6111470000; the switch date has come" in taken
    names = sorted(p.name for p in (ws.drop_root / "meijer" / "outbox").glob("*.x12"))
    assert _sent(ws, "855", names) == {"MJ9000103": VAN} and _sent(ws, "997", names)["5002"][:4] == VAN[:4]
    night.run_night(str(ws.root), stages=night.InProcess(delays=[]), now=AFTER.isoformat())  # taken once
    assert sorted(p.name for p in (ws.drop_root / "meijer" / "outbox").glob("*.x12")) == names


def test_a_held_early_file_is_taken_before_the_date_when_ops_retake_it(tmp_path):
    """The partner confirms its early file is meant: ops set early_ids = "take" and retake it on 11-25, before the
    date; it is taken that night as the partner's (PARTNER_SWITCH_EARLY a warning now), answered at the ids in
    effect (its 997 echoing its envelope). Retaken with the profile still holding, it is held again."""
    from flows import night
    from flows.cli import app

    ws = _held(tmp_path)
    found = findings_and_states(ws, lambda f: (f["code"], f["message"]))[0]
    assert "PARTNER_SENDER_MISMATCH" not in {c for c, _m in found}
    assert [m for c, m in found if c == "PARTNER_SWITCH_EARLY" and "set early_ids = \"take\" or move the change's "
            "effective date, then `orderbridge retake FILE --partner meijer" in m]
    out = CliRunner().invoke(app, ["retake", NEW_850.name, "--partner", "meijer", "--by", "Ops", "--note",
                                   "Meijer confirmed the PO", "-w", str(ws.root)])
    assert out.exit_code == 0, out.output
    night.run_night(str(ws.root), stages=night.InProcess(delays=[]), now=datetime(2026, 11, 25, 1).isoformat())
    found, states = findings_and_states(ws, lambda f: (f["code"], f["severity"]))
    assert states == {} and found.count(("PARTNER_SWITCH_EARLY", "error")) == 2  # held again
    path = ws.partners_dir / "meijer.toml"
    path.write_text(path.read_text().replace('early_ids = "hold"', 'early_ids = "take"'))
    out = CliRunner().invoke(app, ["retake", NEW_850.name, "--partner", "meijer", "--by", "Ops", "--note",
                                   "Meijer confirmed the PO", "-w", str(ws.root)])
    assert out.exit_code == 0, out.output
    night.run_night(str(ws.root), stages=night.InProcess(delays=[]), now=datetime(2026, 11, 25, 2).isoformat())
    found, states = findings_and_states(ws, lambda f: (f["code"], f["severity"]))
    assert states == {("meijer", "MJ9000103"): "acknowledged"} and ("FILE_RETAKEN", "warning") in found
    assert ("PARTNER_SWITCH_EARLY", "warning") in found
    names = sorted(p.name for p in (ws.drop_root / "meijer" / "outbox").glob("*.x12"))
    assert _sent(ws, "855", names) == {"MJ9000103": OLD} and _sent(ws, "997", names)["5002"][:4] == VAN[:4]


def test_a_file_from_ids_no_change_announces_is_still_another_senders(tmp_path):
    from flows import night

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"meijer": []}, warehouses=WAREHOUSES)
    with (ws.partners_dir / "meijer.toml").open("a") as f:
        f.write(CHANGES)
    (ws.drop_root / "meijer" / "inbox" / "other.x12").write_text(
        NEW_850.read_text().replace("08|6111470000     ", "08|9999999999     "))
    night.run_night(str(ws.root), stages=night.InProcess(delays=[]), now=EARLY.isoformat())
    found, states = findings_and_states(ws, lambda f: (f["code"], f["severity"]))
    assert ("PARTNER_SENDER_MISMATCH", "error") in found and states == {}
    assert "PARTNER_SWITCH_EARLY" not in {c for c, _s in found}


def test_an_early_file_to_our_announced_id_and_a_networks_announced_buyer():
    """A change that moves our id (ISA07/ISA08) too: an interchange written to the new one before the date is
    ours for the partner (PARTNER_SWITCH_EARLY, not ISA_RECEIVER_UNKNOWN). A buyer a change adds to a network's
    their_gs_ids, sending early: no GS_ID_MISMATCH, and its orders are answered at its own GS02 (as any buyer's),
    while the GS02 the partner moves to is answered at the one in effect until the date."""
    from engine.envelope import order_address
    from engine.process import partner_checks, sender_refused
    from parsers.x12_reader import read_interchanges

    p = _profile(CHANGES.replace('their_gs_id = "MEIJERINC"\n', 'their_gs_id = "MEIJERINC"\nour_qualifier = "01"\n'
                                 'our_id = "123456789"\ntheir_gs_ids = ["MEIJERDC"]\n', 1)).on(date(2026, 11, 24))
    p = p.model_copy(update={"x12": p.x12.model_copy(update={"their_gs_ids": ("MEIJERSTORES",)})})
    text = NEW_850.read_text().replace("ZZ|ORDERBRIDGE    ", "01|123456789      ").replace("|MEIJERINC|", "|MEIJERDC|")
    [ic] = read_interchanges(text.encode()).interchanges
    found = partner_checks(ic, p)
    assert [(f.code, f.severity, f.location.element) for f in found] == [
        ("PARTNER_SWITCH_EARLY", "warning", "ISA06"), ("PARTNER_SWITCH_EARLY", "warning", "ISA08")]
    assert "ISA07/08 01/123456789 is ours for partner meijer from its change effective 2026-11-26" in found[1].message
    assert not sender_refused(found)
    held = p.model_copy(update={"x12": p.x12.model_copy(update={"early_ids": "hold"})})
    assert sender_refused(partner_checks(ic, held))
    # the buyer the change lists is answered at its own GS02; the partner's new GS02 at MEIJER until the date
    assert order_address(p, ["MEIJERDC", "ORDERBRIDGE"]).gs_id == "MEIJERDC"
    assert order_address(p, ["MEIJERINC", "ORDERBRIDGE"]) is None


def test_partner_check_says_the_earlier_ids_and_what_early_files_do(tmp_path):
    from flows.cli import app

    ws = of_its_own(FIXTURES, tmp_path / "ws", warehouses=WAREHOUSES)
    with (ws.partners_dir / "meijer.toml").open("a") as f:
        f.write(CHANGES)

    def said(day: str) -> str:
        out = CliRunner().invoke(app, ["partner", "check", "meijer", "--workspace", str(ws.root), "--on", day],
                                 env={"COLUMNS": "200"})
        assert out.exit_code == 0, out.output
        return " ".join(out.output.split())

    assert 'files from a coming change\'s ids before its date: taken ([x12] early_ids = "take")' in said("2026-11-24")
    assert "earlier ids still theirs" not in said("2026-11-24")
    assert ("earlier ids still theirs: 08/6111470000 (997 echoed), ZZ/MEIJERVAN (answered at the ids in effect)"
            in said("2026-11-29"))
    assert "files from a coming change" not in said("2026-11-29")


GS_ONLY = """
[[changes]]
effective = 2026-11-26
note = "Meijer's new application id"

[changes.x12]
their_gs_id = "MEIJERNEW"
"""


@pytest.mark.parametrize("early_ids", ["take", "hold"])
def test_an_early_file_whose_only_change_is_the_announced_gs02_is_switch_early(tmp_path, early_ids):
    """A change that moves the partner's GS02 alone (same ISA ids): a group from the new GS02 before the date got
    no PARTNER_SWITCH_EARLY (it was taken as any GS02 is, even with early_ids "hold"). Now it is early as an
    interchange from announced ISA ids is: taken with the warning, or held unanswered and taken on the switch
    night by itself."""
    from flows import night

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"meijer": []}, warehouses=WAREHOUSES)
    path = ws.partners_dir / "meijer.toml"
    path.write_text(path.read_text().replace("[x12]\n", f'[x12]\nearly_ids = "{early_ids}"\n', 1) + GS_ONLY)
    text = _renamed(OLD_850, "MJ9000150", 950, "950").replace("GS*PO*MEIJER*", "GS*PO*MEIJERNEW*")
    (ws.drop_root / "meijer" / "inbox" / "MEIJER_850_MJ9000150.x12").write_text(text)
    night.run_night(str(ws.root), stages=night.InProcess(delays=[]), now=EARLY.isoformat())
    found, states = findings_and_states(ws, lambda f: (f["code"], f["severity"], f["message"]))
    [(severity, said)] = [(s, m) for c, s, m in found if c == "PARTNER_SWITCH_EARLY"]
    assert said.startswith("GS02 MEIJERNEW is partner meijer's from its change effective 2026-11-26 (Meijer's new "
                           "application id), a date not come yet: "), said
    assert "GS_ID_MISMATCH" not in {c for c, _s, _m in found}
    if early_ids == "take":
        assert severity == "warning" and states == {("meijer", "MJ9000150"): "acknowledged"}, (found, states)
        return
    assert severity == "error" and states == {}, (found, states)
    assert not list((ws.drop_root / "meijer" / "outbox").glob("*.x12"))
    night.run_night(str(ws.root), stages=night.InProcess(delays=[]), now=SWITCH.isoformat())
    found, states = findings_and_states(ws, lambda f: (f["code"], f["message"]))
    assert states == {("meijer", "MJ9000150"): "acknowledged"}, (found, states)
    [taken] = [m for c, m in found if c == "FILE_RETAKEN"]
    assert "the switch date has come" in taken, taken
