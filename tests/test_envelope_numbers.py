"""Trailer numbers are N0 values: SE01, GE01 and IEA01 sent with leading zeros ("012", as fixed-width
writers do) count as the number they are, and GE02 matches GS06 whether one of them is zero-padded;
a count or control number that differs is still an error, and IEA02 must still be ISA13's nine digits."""

from __future__ import annotations

from datetime import date

import pytest

from engine.process import Known, process_file
from rules.envelope import same_number
from schemas.profile import load_profiles
from tests.support import GOOD_PO, REPO, x12_850

ACME = load_profiles(REPO / "partners")["acme"]
SE = f"SE*{len(GOOD_PO) + 2}*0001~"


def _run(data: bytes):
    out = process_file(data, file="f.x12", sha256="s", profile=ACME, known=Known(), today=date(2026, 11, 27))
    return out, sorted((f.code, f.location.value) for f in out.findings)


@pytest.mark.parametrize(
    "data",
    [
        x12_850(GOOD_PO).replace(SE.encode(), f"SE*0{len(GOOD_PO) + 2}*0001~".encode()),
        x12_850(GOOD_PO).replace(b"GE*1*1~", b"GE*000001*1~"),
        x12_850(GOOD_PO).replace(b"IEA*1*", b"IEA*00001*"),
        x12_850(GOOD_PO, gs06="000000001", ge02="1"),
        x12_850(GOOD_PO, gs06="7", ge02="000000007"),
    ],
    ids=["SE01 012", "GE01 000001", "IEA01 00001", "GS06 padded", "GE02 padded"],
)
def test_zero_padded_trailer_numbers_are_the_same_number(data: bytes) -> None:
    out, codes = _run(data)
    assert codes == [] and out.orders.num_rows == 1 and out.disposition == "processed"


@pytest.mark.parametrize(
    "data, code",
    [
        (x12_850(GOOD_PO).replace(SE.encode(), f"SE*0{len(GOOD_PO) + 3}*0001~".encode()), "SE_COUNT_MISMATCH"),
        (x12_850(GOOD_PO).replace(b"GE*1*1~", b"GE*02*1~"), "GE_SET_COUNT_MISMATCH"),
        (x12_850(GOOD_PO, gs06="000000001", ge02="10"), "GE_CONTROL_MISMATCH"),
        (x12_850(GOOD_PO, iea02="1"), "IEA_CONTROL_MISMATCH"),
    ],
)
def test_numbers_that_differ_are_still_errors(data: bytes, code: str) -> None:
    _out, codes = _run(data)
    assert code in [c for c, _v in codes]


def test_same_number_takes_ascii_digits_only() -> None:
    assert same_number("012", 12) and same_number("000000001", "1") and same_number("ABC", "ABC")
    assert not same_number("١٢", 12) and not same_number("", 0) and not same_number("12a", 12)
    assert not same_number("+12", 12) and not same_number("1.0", 1)


@pytest.mark.parametrize("se01", [f"{len(GOOD_PO) + 2}.0", f"{len(GOOD_PO) + 2}.", f"0{len(GOOD_PO) + 2}.00"])
def test_an_se01_written_with_a_decimal_point_counts_as_the_number_it_states(se01: str) -> None:
    """A translator writing N0 numbers with a decimal point (SE*12.0*0001): the element check warns of it
    (IMPLIED_DECIMAL_STATED, noted in our 997's AK4) and the count is the number stated, so the set is
    processed. It used to be a count mismatch too (SE_COUNT_MISMATCH, an error rejecting the set)."""
    out, codes = _run(x12_850(GOOD_PO).replace(SE.encode(), f"SE*{se01}*0001~".encode()))
    assert codes == [("IMPLIED_DECIMAL_STATED", se01)] and out.orders.num_rows == 1
    assert out.disposition == "processed"
    from tests.test_acks_and_outputs import render, segments

    ack = [s for s in segments(render(out)["997"]) if s[0] in ("AK3", "AK4", "AK5")]
    assert ack == [["AK3", "SE", str(len(GOOD_PO) + 2), "", "8"], ["AK4", "1", "96", "6", se01], ["AK5", "E", "5"]]
    wrong = f"{len(GOOD_PO) + 3}.0"  # a count that differs is still a mismatch, point or not
    _out, codes = _run(x12_850(GOOD_PO).replace(SE.encode(), f"SE*{wrong}*0001~".encode()))
    assert ("SE_COUNT_MISMATCH", wrong) in codes


# --- GE01 and IEA01 written with a decimal point, through the nightly run -------------------------------------

def _night(tmp_path, data: bytes):
    """``data`` dropped in ACME's inbox and one night run (intake to delivery, reports): the order of PO-1, the
    run's findings (code, severity, element, value), and the 997 / TA1 segments that went out."""
    from datetime import datetime

    from connectors.state import StateStore
    from tests.support import make_workspace, run_night

    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(data)
    run_night(ws, datetime(2026, 11, 27, 2))
    state = StateStore(ws.state_path)
    try:
        order = state.order("acme", "PO-1")
        found = sorted((f["code"], f["severity"], f["element"], f["value"]) for f in state.findings(partner="acme"))
    finally:
        state.close()
    sent = {}
    for kind in ("997", "TA1", "855"):
        paths = sorted(ws.drop_root.glob(f"acme/outbox/*-{kind}-*.x12"))
        sent[kind] = [s for p in paths for s in segments(p.read_bytes()) if s[0] in ("TA1", "AK2", "AK5", "AK9", "BAK")]
    return (order.state if order else None), found, sent


# a PO of items the demo reference knows, so that it is decided (acknowledged) when taken
KNOWN_PO = GOOD_PO[:6] + ["PO1*1*10*EA*19.70*PE*VN*VP-1001", "CTT*1"]


def segments(data: bytes) -> list[list[str]]:
    from parsers.x12_reader import read_interchanges

    return read_interchanges(data).segments.elements.to_pylist()


@pytest.mark.parametrize("ge01", ["1.0", "1.", "01.00"])
def test_a_ge01_written_with_a_decimal_point_counts_as_the_number_it_states(tmp_path, ge01: str) -> None:
    """GE*1.0*1 from a translator writing its N0 numbers with a point: the group holds the one set it states,
    so its PO is taken (997 AK5 A, AK9 A, 855) with the warning the element checks give any N0 so written.
    X12 has no 997 code for it (AK905 5 would say the count differs), so the 997 accepts the group plainly.
    It used to be GE_SET_COUNT_MISMATCH: the whole group rejected (AK9 R 5), every PO in it lost."""
    data = x12_850(KNOWN_PO, ack="1").replace(b"GE*1*1~", f"GE*{ge01}*1~".encode())
    state, found, sent = _night(tmp_path, data)
    assert found == [("IMPLIED_DECIMAL_STATED", "warning", "GE01", ge01)]
    assert state == "acknowledged" and [s[:4] for s in sent["855"]] == [["BAK", "00", "AD", "PO-1"]]
    assert sent["997"] == [["AK2", "850", "0001"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"]]
    assert sent["TA1"] == [["TA1", "000000001", "261127", "1200", "A", "000"]]


@pytest.mark.parametrize("iea01", ["1.", "1.0", "0001.000"])
def test_an_iea01_written_with_a_decimal_point_counts_as_the_number_it_states(tmp_path, iea01: str) -> None:
    """IEA*1.*000000001: the interchange holds the one group it states; the warning is what the TA1 notes
    (TA104 E, accepted with errors noted; TA105 021, an invalid number of included groups value) and the
    PO is taken. It used to be IEA_GROUP_COUNT_MISMATCH, an error against a count that was right."""
    data = x12_850(KNOWN_PO, ack="1").replace(b"IEA*1*", f"IEA*{iea01}*".encode())
    state, found, sent = _night(tmp_path, data)
    assert found == [("IMPLIED_DECIMAL_STATED", "warning", "IEA01", iea01)]
    assert state == "acknowledged" and [s[:4] for s in sent["855"]] == [["BAK", "00", "AD", "PO-1"]]
    assert sent["997"] == [["AK2", "850", "0001"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"]]
    assert sent["TA1"] == [["TA1", "000000001", "261127", "1200", "E", "021"]]


def test_an_iea01_warning_asks_no_ta1_the_partner_did_not_request(tmp_path) -> None:
    """ISA14 0: the warning is no error, so no unrequested TA1 goes out (it did while it was a mismatch)."""
    state, found, sent = _night(tmp_path, x12_850(KNOWN_PO, ack="0").replace(b"IEA*1*", b"IEA*1.*"))
    assert found == [("IMPLIED_DECIMAL_STATED", "warning", "IEA01", "1.")] and state == "acknowledged"
    assert sent["TA1"] == [] and sent["997"][-1] == ["AK9", "A", "1", "1", "1"]


@pytest.mark.parametrize(
    "old, new, code",
    [(b"GE*1*1~", b"GE*2.0*1~", "GE_SET_COUNT_MISMATCH"), (b"GE*1*1~", b"GE*1.5*1~", "GE_SET_COUNT_MISMATCH"),
     (b"IEA*1*", b"IEA*2.*", "IEA_GROUP_COUNT_MISMATCH"), (b"IEA*1*", b"IEA*1.1*", "IEA_GROUP_COUNT_MISMATCH")],
    ids=["GE01 2.0", "GE01 1.5", "IEA01 2.", "IEA01 1.1"])
def test_a_pointed_count_that_differs_is_still_a_mismatch(old: bytes, new: bytes, code: str) -> None:
    out, codes = _run(x12_850(GOOD_PO).replace(old, new))
    value = new.split(b"*")[1].rstrip(b"~").decode()
    assert codes == [(code, value)]
    if code == "GE_SET_COUNT_MISMATCH":
        assert out.orders.num_rows == 0


def test_a_ge02_written_with_a_decimal_point_is_the_gs06_it_states(tmp_path) -> None:
    """GE02 is N0 as GE01 is, and compared with GS06 as a number (leading zeros or not): GE*1*7.0 closes GS06
    7, with the same warning; the group's PO is taken (it was GE_CONTROL_MISMATCH: the group rejected, AK9 R
    4). A GE02 stating another number is still a mismatch."""
    state, found, sent = _night(tmp_path, x12_850(KNOWN_PO, ack="1", gs06="7", ge02="7.0"))
    assert found == [("IMPLIED_DECIMAL_STATED", "warning", "GE02", "7.0")] and state == "acknowledged"
    assert sent["997"][-1] == ["AK9", "A", "1", "1", "1"]
    out, codes = _run(x12_850(GOOD_PO, gs06="7", ge02="8.0"))
    assert codes == [("GE_CONTROL_MISMATCH", "8.0")] and out.orders.num_rows == 0


def test_a_pointed_ge01_that_differs_is_echoed_as_its_number_in_the_ak9(tmp_path) -> None:
    """GE*2.0*1 around one set: still a mismatch (the group rejected, AK905 5), and AK902 echoes the 2 it states
    (N0 cannot carry "2.0"), so the partner sees both counts, as for GE*2*1; it used to say 1, the count
    received, as if GE01 agreed."""
    state, found, sent = _night(tmp_path, x12_850(KNOWN_PO, ack="1").replace(b"GE*1*1~", b"GE*2.0*1~"))
    assert found == [("GE_SET_COUNT_MISMATCH", "error", "GE01", "2.0")] and state is None
    assert sent["997"] == [["AK2", "850", "0001"], ["AK5", "R"], ["AK9", "R", "2", "1", "0", "5"]]
