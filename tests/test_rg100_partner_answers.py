"""Real-file round 100: what partners send back, and 860s that are not changes. Our own samples, run through real
nights (tests.support.run_stages) on GLOBEX's profile (005010, `|` elements, 865s answer its changes)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from connectors.state import StateStore
from parsers.x12_reader import read_interchanges
from tests.support import run_stages
from tests.test_change_orders import NIGHT2, docs, globex_night1

NIGHT3 = datetime(2026, 11, 29, 2)


def _860(ws, purpose: str, po: str = "GLOBEX-2000", *, control: int = 2601, poc: str = "POC|3|QC|60|60|EA|31.37|PE|"
         "VN|VP-1005", name: str = "change.x12") -> None:
    """One 860 of GLOBEX's with BCH01 ``purpose``: line 3 of ``po`` to 60 (it was ordered 30)."""
    text = (f"ISA|00|          |00|          |01|123456789      |ZZ|ORDERBRIDGE    |261127|0200|^|00501|"
            f"{control:09d}|0|P|:~GS|PC|GLOBEXWHS|ORDERBRIDGE|20261127|0200|{control}|X|005010~ST|860|0001~"
            f"BCH|{purpose}|SA|{po}||7|20261126~{poc}~CTT|1~SE|5|0001~GE|1|{control}~IEA|1|{control:09d}~")
    (ws.drop_root / "globex" / "inbox" / name).write_bytes(text.encode())


def _997s(ws) -> list[list[list]]:
    return [read_interchanges(p.read_bytes()).segments.elements.to_pylist()
            for p in sorted(ws.drop_root.glob("globex/outbox/*-997-*.x12"))]


def _line3(state) -> Decimal:
    return next(ln for ln in state.order_lines("globex", "GLOBEX-2000") if ln.line_number == 3).ordered


def test_an_information_copy_of_a_change_is_recorded_not_applied_or_answered(tmp_path):
    """BCH01 22 is an information copy (X12 code list 353): a copy of a change for the record, not a request. It used
    to be refused whole: an 865 RD with POC 3 IR (CHANGE_PURPOSE_UNSUPPORTED, an error), noise to the buyer. Now the
    order is left as it is, no 865 or 855 goes, the 997 accepts the set, a warning says what came and the order's
    story notes it; the change is settled (not left pending)."""
    ws = globex_night1(tmp_path / "ws")
    state = StateStore(ws.state_path)
    before, record = _line3(state), state.order("globex", "GLOBEX-2000")
    sent_865 = len(docs(ws, "865").get("GLOBEX-2000", []))
    _860(ws, "22")
    run_stages(ws, NIGHT2)
    assert _line3(state) == before == Decimal(30)
    assert state.order("globex", "GLOBEX-2000").revision == record.revision
    assert len(docs(ws, "865").get("GLOBEX-2000", [])) == sent_865 == 0
    assert [d[0] for d in docs(ws, "855")["GLOBEX-2000"]] == ["00"]  # the order's own 855 only
    ak = [r for r in _997s(ws)[-1] if r[0] in ("AK1", "AK5", "AK9")]
    assert ak[0][1] == "PC" and ak[1][1] == "A" and ak[2][1] == "A", ak
    found = [f for f in state.findings(partner="globex", po_number="GLOBEX-2000")
             if f["code"] in ("CHANGE_INFORMATION_COPY", "CHANGE_PURPOSE_UNSUPPORTED")]
    assert [(f["code"], f["severity"]) for f in found] == [("CHANGE_INFORMATION_COPY", "warning")], found
    assert "nothing changed, nothing sent" in found[0]["message"] and "BCH01 04" in found[0]["message"]
    [change] = [c for c in state.pending_changes(statuses=None) if c.po_number == "GLOBEX-2000"]
    assert change.status == "answered"
    story = [e.get("note") or "" for e in state.order_history("globex", "GLOBEX-2000")]
    assert any("information copy (BCH01 22)" in n for n in story), story
    state.close()


def test_an_information_copy_for_a_po_we_do_not_hold_is_not_refused_or_kept(tmp_path):
    """A 22 naming a PO we hold no order of used to wait for its 850 and then be refused (865 RJ, an error): nothing
    is done with an information copy, so it is recorded the night it comes and waits for nothing."""
    ws = globex_night1(tmp_path / "ws")
    _860(ws, "22", po="GLOBEX-2777")
    run_stages(ws, NIGHT2)
    run_stages(ws, NIGHT3)
    assert "GLOBEX-2777" not in docs(ws, "865")
    state = StateStore(ws.state_path)
    codes = [f["code"] for f in state.findings(partner="globex", po_number="GLOBEX-2777")]
    assert codes == ["CHANGE_INFORMATION_COPY"], codes
    assert [c.status for c in state.pending_changes(statuses=None) if c.po_number == "GLOBEX-2777"] == ["answered"]
    state.close()


def test_a_change_of_04_is_still_applied_and_answered(tmp_path):
    """The same 860 with BCH01 04: applied (line 3 to 60) and answered by an 865: the 22 path is the purpose's."""
    ws = globex_night1(tmp_path / "ws")
    _860(ws, "04")
    run_stages(ws, NIGHT2)
    state = StateStore(ws.state_path)
    assert _line3(state) == Decimal(60)
    assert [(d[0], d[1]) for d in docs(ws, "865")["GLOBEX-2000"]] == [("00", "AD")]
    state.close()


@pytest.mark.parametrize("purpose", ["45", "15"])
def test_a_follow_up_or_re_submission_of_an_applied_change_is_no_refusal(tmp_path, purpose):
    """BCH01 45 (follow-up: "a second or subsequent transmission of the transaction set when an expected response
    has not yet been received", X12 code list 353) and 15 (re-submission) send an 860 again. The change applied the
    night before used to be answered by a second 865, RD with POC 3 IR (CHANGE_PURPOSE_UNSUPPORTED): it told the
    buyer its change was refused while the order held it. Now they are read as a 07 duplicate is: the same change
    applied before changes nothing (CHANGE_REPEAT names the earlier file); a 15 sends nothing, a 45 has the 865 we
    sent then sent again (the buyer says it has not had it: tests/test_purposes2.py)."""
    ws = globex_night1(tmp_path / "ws")
    _860(ws, "04")
    run_stages(ws, NIGHT2)
    _860(ws, purpose, control=2602, name="again.x12")
    run_stages(ws, NIGHT3)
    state = StateStore(ws.state_path)
    assert _line3(state) == Decimal(60)
    assert [(d[0], d[1]) for d in docs(ws, "865")["GLOBEX-2000"]] == [("00", "AD")] * (2 if purpose == "45" else 1)
    found = [f for f in state.findings(partner="globex", po_number="GLOBEX-2000")
             if f["code"] in ("CHANGE_REPEAT", "CHANGE_PURPOSE_UNSUPPORTED")]
    assert [(f["code"], f["severity"]) for f in found] == [("CHANGE_REPEAT", "warning")], found
    said = "nothing changed; our answer then" if purpose == "45" else "nothing changed, nothing sent"
    assert "change.x12" in found[0]["message"] and said in found[0]["message"], found
    state.close()


@pytest.mark.parametrize("purpose", ["45", "15"])
def test_a_follow_up_or_re_submission_whose_original_never_came_is_applied(tmp_path, purpose):
    """The first copy never reached us: the 45 or 15 is the change, applied and answered as a 04 (with a
    CHANGE_REPEAT warning saying so), as a 07 whose original never came is."""
    ws = globex_night1(tmp_path / "ws")
    _860(ws, purpose)
    run_stages(ws, NIGHT2)
    state = StateStore(ws.state_path)
    assert _line3(state) == Decimal(60)
    assert [(d[0], d[1]) for d in docs(ws, "865")["GLOBEX-2000"]] == [("00", "AD")]
    codes = [f["code"] for f in state.findings(partner="globex", po_number="GLOBEX-2000")]
    assert "CHANGE_REPEAT" in codes and "CHANGE_PURPOSE_UNSUPPORTED" not in codes, codes
    state.close()


RELEASES = ["003010", "003020", "003030", "003040", "003050", "003060", "003070", "004010", "004020", "004030",
            "004040", "004050", "004060", "005010", "005020", "005030", "005040", "005050", "006010", "006020",
            "006030", "006040", "006050", "007010", "007020", "007030", "007040", "007050", "007060", "008010",
            "008020", "008030"]
VERDICTS = {"A": "accepted", "E": "accepted_with_errors", "R": "rejected", "W": "rejected", "X": "rejected",
            "M": "rejected"}


def _ack(release: str, body: str) -> str:
    """A Home Depot (rg83's profile) FA interchange of ``release`` holding one 997, or a 999 when ``body`` has IK
    segments; ISA12 as a translator of that release writes it."""
    isa12 = release[:5] if release >= "006020" else "00501" if release >= "005010" else \
        "00401" if release >= "004010" else "00300"
    set_id = "999" if "IK5" in body else "997"
    return (f"ISA*00*          *00*          *ZZ*HOMEDEPOT      *ZZ*ORDERBRIDGE    *261128*0030*U*{isa12}*000093401*0*"
            f"P*>~\nGS*FA*HOMEDEPOT*ORDERBRIDGE*20261128*0030*9341*X*{release}~\nST*{set_id}*0001~\n{body}"
            f"SE*{body.count('~') + 2}*0001~\nGE*1*9341~\nIEA*1*000093401~")


@pytest.mark.parametrize("release", RELEASES)
def test_a_partner_s_997_or_999_of_any_release_decides_our_asn_as_its_code_says(release):
    """What partners' translators send back for our 856, in every release from 003010 to 008030: a 997 with AK5 (and
    the group's AK9) A, E, R, W, X or M, and from 005010 a 999 with IK3, CTX, IK4 and IK5: read with no finding, and
    the ASN decided accepted, accepted with errors or rejected as the code says (W: assurance failed, X: content
    could not be analyzed after decryption, M: a MAC failed, all rejections)."""
    from tests.test_rg83_partner_acks import _take, _verdicts

    for code, verdict in VERDICTS.items():
        group = ("A*1*1*1" if code in "AE" else "R*1*1*0")
        bodies = [f"AK1*SH*3~\nAK2*856*0003~\nAK5*{code}{'' if code == 'A' else '*5'}~\nAK9*{group}~\n"]
        if release >= "005010":
            bodies.append(f"AK1*SH*3*{release}~\nAK2*856*0003~\nIK3*TD5*4**8~\nCTX*SITUATIONAL TRIGGER*TD5*4**3~\n"
                          f"IK4*3**7*ZZZZ~\nIK5*{code}{'' if code == 'A' else '*I5'}~\nAK9*{group}~\n")
        for body in bodies:
            taken = _take("homedepot", _ack(release, body))
            assert taken.findings == [], (code, body, taken.findings)
            status, found = _verdicts("homedepot", taken.functional_acks)
            assert (status[("856", "0003")]["status"], found) == (verdict, []), (code, body)
            assert status[("855", "0002")]["status"] == "pending"
