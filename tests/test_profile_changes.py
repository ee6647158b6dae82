"""Dated profile changes ([[changes]]: schemas.profile.ProfileChange, PartnerProfile.on): a partner's announced switch
written ahead and taken on its day by the run's clock. Meijer's move of tests/fixtures/rg90 (ISA ZZ/MEIJERVAN ->
08/6111470000, GS02 MEIJER -> MEIJERINC, 004010 -> 005010, '*' -> '|') written as one change effective 2026-11-26 in
the profile it had before, nothing edited on the day: the night before the switch answers the old way, the night of
the switch the new way (a real flows.night run, every stage reading the profile as of its clock); a file its old VAN
built before the switch and delivered on the night of it is still Meijer's and its 997 echoes its envelope, while the
855 sent that night goes to the new ids in the new version; control numbers run on across the switch."""

from __future__ import annotations

import csv
import shutil
import tomllib
from datetime import date, datetime

import pytest

from schemas.profile import PartnerProfile
from tests.retailer_support import of_its_own
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg90"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
SWITCH = date(2026, 11, 26)
BEFORE, EVE, ON = datetime(2026, 11, 24, 2), datetime(2026, 11, 25, 2), datetime(2026, 11, 26, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)
OLD = (["ZZ", "MEIJERVAN      "], ["ZZ", "ORDERBRIDGE    "], "MEIJER", "004010", "*")
NEW = (["08", "6111470000     "], ["ZZ", "ORDERBRIDGE    "], "MEIJERINC", "005010", "|")
CHANGE = """
[[changes]]
effective = 2026-11-26
note = "Meijer's letter of 2026-11-02: new VAN, 005010, '|' elements"

[changes.x12]
their_qualifier = "08"
their_id = "6111470000"
their_gs_id = "MEIJERINC"
version = "005010"

[changes.x12.delimiters]
element = "|"
component = "\\\\"

[changes.fulfilment.asn]
structure = "SOTPI"
"""


def _profile(extra: str = CHANGE) -> PartnerProfile:
    return PartnerProfile.model_validate(tomllib.loads((FIXTURES / "partners" / "meijer.toml").read_text() + extra))


def test_the_profile_in_effect_is_the_one_the_latest_change_on_or_before_the_day_leaves():
    p = _profile(CHANGE + '\n[[changes]]\neffective = 2027-02-01\n[changes.fulfilment.invoice]\nper = "shipment"\n')
    eve, on, later = p.on(date(2026, 11, 25)), p.on(SWITCH), p.on(date(2027, 2, 1))
    assert (eve.x12.their_id, eve.x12.version, eve.effective) == ("MEIJERVAN", "004010", None)
    assert (on.x12.their_id, on.x12.version, on.x12.delimiters.element, on.effective) == ("6111470000", "005010", "|",
                                                                                         SWITCH)
    assert (eve.fulfilment.asn.structure, on.fulfilment.asn.structure) == ("SOPI", "SOTPI")
    assert on.fulfilment.invoice.per == "order" and later.fulfilment.invoice.per == "shipment"
    assert (later.x12.their_id, later.x12.version) == ("6111470000", "005010")  # on top of the change before it
    # the ids a change moved from are still the partner's (previous_ids), answered where they wrote
    assert on.x12.previous_ids == (("ZZ", "MEIJERVAN"),) and on.x12.sends_from("ZZ", "MEIJERVAN")
    assert later.x12.previous_ids == () and not eve.x12.previous_ids  # only the switch it made
    assert not eve.x12.sends_from("08", "6111470000")
    # a version read on another day is the profile as of that day, never stuck on its own
    assert later.on(date(2026, 11, 1)).x12.their_id == "MEIJERVAN" and eve.on(SWITCH).x12.version == "005010"
    assert [c.keys() for c in p.changes] == [("x12.their_qualifier", "x12.their_id", "x12.their_gs_id", "x12.version",
                                              "x12.delimiters.element", "x12.delimiters.component",
                                              "fulfilment.asn.structure"), ("fulfilment.invoice.per",)]
    assert on.changes == p.changes and p.next_change(date(2026, 11, 25)).effective == SWITCH


@pytest.mark.parametrize("extra, said", [
    ('\n[[changes]]\neffective = 2026-11-26\n[changes.x12]\nversion = "007010"\n',
     "changes[0] (effective 2026-11-26) leaves the profile invalid: x12.version"),
    ('\n[[changes]]\neffective = 2026-11-26\nid = "meijer2"\n', "may not change id"),
    ('\n[[changes]]\neffective = 2026-11-26\nnote = "nothing"\n', "changes nothing"),
    ('\n[[changes]]\neffective = 2026-11-26\nname = "A"\n[[changes]]\neffective = 2026-11-20\nname = "B"\n',
     "changes[1] (effective 2026-11-20): changes are listed in effective order"),
    ('\n[[changes]]\neffective = 2026-11-26\n[changes.fulfilment]\nsscc = "x"\n', "fulfilment.sscc"),
    ('\n[[changes]]\neffective = "soon"\nname = "A"\n', "changes.0.effective"),
])
def test_a_change_that_leaves_the_profile_wrong_is_refused_when_loaded(extra, said, tmp_path):
    from schemas.errors import ConfigError
    from schemas.profile import load_profile, profile_problem

    path = tmp_path / "meijer.toml"
    path.write_text((FIXTURES / "partners" / "meijer.toml").read_text() + extra)
    with pytest.raises(ConfigError) as exc:
        load_profile(path)
    assert said in profile_problem(exc.value)


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    """Meijer's profile with the change ahead of it; the night before the switch takes MJ9000101 (old ids), the eve
    of the switch MJ9000102 (still old), the night of the switch the 860 and 850 its new VAN sent and a straggler
    its old VAN built before the switch (MJ9000104: MJ9000102's file with another PO and ISA13): each a real
    flows.night run (its stages reading the workspace's profiles as of the run's clock)."""
    from flows import night

    ws = of_its_own(FIXTURES, tmp_path_factory.mktemp("dated") / "ws", {"meijer": ["MEIJER_850_MJ9000101.x12"]},
                    warehouses=WAREHOUSES)
    with (ws.partners_dir / "meijer.toml").open("a") as f:
        f.write(CHANGE)
    inbox = ws.drop_root / "meijer" / "inbox"
    outs = {}

    def run(now):
        night.run_night(str(ws.root), stages=night.InProcess(delays=[]), now=now.isoformat())
        outs[now] = sorted(p.name for p in (ws.drop_root / "meijer" / "outbox").glob("*.x12"))

    run(BEFORE)
    shutil.copy2(FIXTURES / "drops" / "meijer" / "MEIJER_850_MJ9000102.x12", inbox)
    run(EVE)
    for f in (FIXTURES / "changes" / "meijer").iterdir():
        shutil.copy2(f, inbox / f.name)
    straggler = (FIXTURES / "drops" / "meijer" / "MEIJER_850_MJ9000102.x12").read_text()
    straggler = straggler.replace("MJ9000102", "MJ9000104").replace("000000412", "000000419").replace(
        "*412*", "*419*").replace("GE*1*412", "GE*1*419")
    (inbox / "MEIJER_850_MJ9000104.x12").write_text(straggler)
    run(ON)
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
    outs[SHIP_DAY] = sorted(p.name for p in (ws.drop_root / "meijer" / "outbox").glob("*.x12"))
    return ws, outs


def _sent(ws, kind: str, names: list[str]) -> list[tuple]:
    """Each of ``names`` of ``kind``: (ISA05/06 pair it goes to, ISA07/08 it comes from, GS03, GS08[:6], element
    separator, ISA13, what it answers: the AK1's GS06, the BAK03, the 856's first PRF01 or the BIG04)."""
    out = []
    for name in names:
        if f"-{kind}-" not in name:
            continue
        text = (ws.drop_root / "meijer" / "outbox" / name).read_text()
        segs = [s.split(text[3]) for s in text.replace("\n", "").split("~") if s]
        isa, gs = segs[0], next(s for s in segs if s[0] == "GS")
        head = next(s for s in segs if s[0] in ("BAK", "AK1", "PRF", "BIG"))
        out.append((isa[7:9], isa[5:7], gs[3], gs[8][:6], text[3], int(isa[13]),
                    head[{"BAK": 3, "AK1": 2, "PRF": 1, "BIG": 4}[head[0]]]))
    return out


def test_the_nights_before_the_switch_answer_with_the_settings_before_it(nights):
    ws, outs = nights
    for now in (BEFORE, EVE):
        sent = _sent(ws, "997", outs[now]) + _sent(ws, "855", outs[now])
        assert sent and all((to, frm, gs, v, sep) == OLD for to, frm, gs, v, sep, _n, _k in sent), sent
    assert {k for *_r, k in _sent(ws, "855", outs[EVE])} == {"MJ9000101", "MJ9000102"}


def test_the_night_of_the_switch_answers_with_the_new_settings(nights):
    ws, outs = nights
    new = [n for n in outs[ON] if n not in outs[EVE]]
    sent = {k: (to, frm, gs, v, sep) for to, frm, gs, v, sep, _n, k in _sent(ws, "855", new)}
    # the revised 855 of MJ9000101 (its 860), the 855s of the new 850 and of the straggler: sent from the switch
    # date, so in the new version to the new ids, whichever ids their order came under
    assert sent == {"MJ9000101": NEW, "MJ9000103": NEW, "MJ9000104": NEW}
    acks = {k: (to, frm, gs, v) for to, frm, gs, v, _sep, _n, k in _sent(ws, "997", new)}
    assert acks["5001"] == NEW[:4] and acks["5002"] == NEW[:4]  # the new VAN's 860 and 850


def test_a_997_for_an_interchange_built_before_the_switch_echoes_its_envelope(nights):
    """The straggler came from ZZ/MEIJERVAN, GS02 MEIJER, in 004010: its 997 goes back there, in its release, as
    the acknowledgment of that envelope (the partner's old translator matches it), not to the ids of the change."""
    ws, outs = nights
    new = [n for n in outs[ON] if n not in outs[EVE]]
    [(to, frm, gs, version, _sep, _n, _k)] = [s for s in _sent(ws, "997", new) if s[-1] == "419"]
    assert (to, frm, gs, version) == OLD[:4]


def test_control_numbers_run_on_across_the_switch(nights):
    ws, outs = nights
    numbers = [n for name in outs[ON] for *_r, n, _k in _sent(ws, "997", [name]) + _sent(ws, "855", [name])]
    assert sorted(numbers) == list(range(1, len(numbers) + 1))  # one sequence across the old ids and the new


def test_partner_check_shows_the_changes_and_the_profile_in_effect(tmp_path):
    from typer.testing import CliRunner

    from flows.cli import app

    ws = of_its_own(FIXTURES, tmp_path / "ws", warehouses=WAREHOUSES)
    with (ws.partners_dir / "meijer.toml").open("a") as f:
        f.write(CHANGE)
    out = CliRunner().invoke(app, ["partner", "check", "meijer", "--workspace", str(ws.root), "--on", "2026-11-25"],
                             env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert ("change: effective 2026-11-26 (in 1 day): x12.their_qualifier, x12.their_id, x12.their_gs_id, "
            "x12.version, x12.delimiters.element, x12.delimiters.component, fulfilment.asn.structure (Meijer's "
            "letter of 2026-11-02: new VAN, 005010, '|' elements)") in " ".join(out.output.split())
    assert "in effect on 2026-11-25: the profile as written" in out.output
    out = CliRunner().invoke(app, ["partner", "check", "meijer", "--workspace", str(ws.root), "--on", "2026-11-26"],
                             env={"COLUMNS": "200"})
    assert "in effect on 2026-11-26: the change effective 2026-11-26" in out.output, out.output


def test_shipments_after_the_switch_of_orders_received_before_it_follow_the_change(nights):
    """The ship day after the switch: the 856s in the changed structure (S-O-T-P-I) and, with the 810s, to the new
    ids in 005010, MJ9000102 included (received under the old ids and GS02, never changed since)."""
    ws, outs = nights
    new = [n for n in outs[SHIP_DAY] if n not in outs[ON]]
    asns, invoices = _sent(ws, "856", new), _sent(ws, "810", new)
    assert {k for *_r, k in asns} >= {"MJ9000101", "MJ9000102", "MJ9000103"}
    assert {k for *_r, k in invoices} >= {"MJ9000101", "MJ9000102", "MJ9000103"}
    assert all((to, frm, gs, v, sep) == NEW for to, frm, gs, v, sep, _n, _k in asns + invoices), asns + invoices
    for name in (n for n in new if "-856-" in n):
        text = (ws.drop_root / "meijer" / "outbox" / name).read_text()
        levels = [s.split("|")[3] for s in text.replace("\n", "").split("~") if s.startswith("HL|")]
        assert levels[:3] == ["S", "O", "T"] and "P" in levels and "I" in levels, levels


def test_the_night_says_the_change_coming_and_the_change_taking_effect():
    from flows.night import profile_changes_said

    p = _profile()
    assert profile_changes_said(p.on(date(2026, 11, 10)), date(2026, 11, 10)) == []
    assert profile_changes_said(p.on(date(2026, 11, 24)), date(2026, 11, 24)) == [
        "profile change effective 2026-11-26 in 2 days: x12.their_qualifier, x12.their_id, x12.their_gs_id, "
        "x12.version, x12.delimiters.element, x12.delimiters.component, fulfilment.asn.structure"]
    [said] = profile_changes_said(p.on(SWITCH), SWITCH)
    assert said.startswith("profile change effective 2026-11-26 in effect from this night: x12.their_qualifier")
    assert said.endswith("(Meijer's letter of 2026-11-02: new VAN, 005010, '|' elements)")


def test_partner_check_refuses_a_change_that_leaves_the_profile_wrong_naming_its_date(tmp_path):
    from typer.testing import CliRunner

    from flows.cli import app

    ws = of_its_own(FIXTURES, tmp_path / "ws", warehouses=WAREHOUSES)
    with (ws.partners_dir / "meijer.toml").open("a") as f:
        f.write('\n[[changes]]\neffective = 2027-01-15\n[changes.x12]\nversion = "006020"\n')
    out = CliRunner().invoke(app, ["partner", "check", "meijer", "--workspace", str(ws.root)], env={"COLUMNS": "300"})
    assert out.exit_code == 1
    said = " ".join(out.output.split())
    assert "changes[0] (effective 2027-01-15) leaves the profile invalid: x12.version" in said, said
    out = CliRunner().invoke(app, ["partner", "check", "meijer", "--workspace", str(ws.root), "--on", "soon"])
    assert out.exit_code == 2 and "--on soon: not a date" in out.output
