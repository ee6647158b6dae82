"""A TA1 answers an interchange: its own interchange is in the control version (ISA12) of the one it acknowledges,
as a 997 is in the release of the group it acknowledges ([acks] version "group", engine.envelope.ack_version), so
the partner's translator can read it. ACME is profiled 004010 (ISA12 00401); its translator sending an 00501
interchange (a 005010 group) with ISA14 1 used to get a TA1 in an 00401 interchange. It gets one in 00501 (ISA11
its repetition separator). The profile's version stays for a partner whose agreement fixes it ([acks] version
"profile") and for an ISA12 that is no control version (the TA1 rejecting it cannot be written in it)."""

from __future__ import annotations

from datetime import datetime

import pytest

from parsers.x12_reader import read_interchanges
from tests.support import GOOD_PO, run_stages, shipping_workspace, x12_850

NIGHT = datetime(2026, 11, 27, 2)


def _ta1(tmp_path, isa12: str, gs08: str, *, fixed: bool = False) -> tuple[list[str], list[str]]:
    ws = shipping_workspace(tmp_path / "ws", partners=())
    if fixed:
        profile = ws.partners_dir / "acme.toml"
        profile.write_text(profile.read_text().replace("[acks]\n", '[acks]\nversion = "profile"\n'))
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    data = x12_850(GOOD_PO, ack="1").replace(b"*U*00401*", f"*{'^' if isa12 >= '00402' else 'U'}*{isa12}*".encode())
    (inbox / "po.x12").write_bytes(data.replace(b"*X*004010~", f"*X*{gs08}~".encode()))
    run_stages(ws, NIGHT)
    [path] = sorted((ws.drop_root / "acme" / "outbox").glob("acme-TA1-*.x12"))
    segs = read_interchanges(path.read_bytes()).segments.elements.to_pylist()
    assert not read_interchanges(path.read_bytes()).findings
    return segs[0], segs[1]


@pytest.mark.parametrize(("isa12", "gs08", "ours", "isa11"), [
    ("00501", "005010", "00501", "^"),  # the partner's: it used to be 00401
    ("00401", "004010", "00401", "U"),  # the profile's own
    ("00403", "004030", "00403", "^")])
def test_the_ta1_is_in_the_control_version_of_the_interchange_it_acknowledges(tmp_path, isa12, gs08, ours, isa11):
    isa, ta1 = _ta1(tmp_path, isa12, gs08)
    assert (isa[12], isa[11]) == (ours, isa11)
    assert ta1[:2] == ["TA1", "000000001"] and ta1[4] == "A"


def test_a_partner_whose_agreement_fixes_the_version_gets_the_profile_s(tmp_path):
    isa, _ta1_seg = _ta1(tmp_path, "00501", "005010", fixed=True)
    assert (isa[12], isa[11]) == ("00401", "U")


def test_an_isa12_that_is_no_control_version_is_answered_in_the_profile_s(tmp_path):
    isa, ta1 = _ta1(tmp_path, "0040A", "004010")
    assert isa[12] == "00401" and ta1[4] == "R"


def test_a_held_ta1_keeps_its_control_version():
    """A document held back (no delimiter set fits) is stored and read again with its Address: the ISA12 too."""
    from connectors.state import _address
    from schemas.x12 import Address

    for to in (Address(isa_version="00501"), Address("ZZ", "NET", "", "", "005010"), Address("ZZ", "NET")):
        assert Address(*_address(to)) == to
