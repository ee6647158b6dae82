"""A file that repeats one envelope (a run's 856s or 810s, checked before they are sent) gets the
envelope findings each interchange would get alone: check_envelopes checks an ISA or GS whose values
but its control numbers equal a faultless one's by its numbers only, and any fault there (or anywhere
else) is still found, with the same finding."""

from __future__ import annotations

import pytest

from parsers.x12_reader import read_interchanges
from rules.envelope import check_envelopes
from rules.outbound import OUTBOUND


def interchange(n: int, *, isa13: str | None = None, gs06: str | None = None, ge01: str = "1",
                ge02: str | None = None, isa09: str = "261127", gs04: str = "20261127", isa14: str = "0",
                gs03: str = "RECEIVER", usage: str = "P", version: str = "004010") -> bytes:
    isa13 = f"{n:09d}" if isa13 is None else isa13
    gs06 = str(n) if gs06 is None else gs06
    ge02 = gs06 if ge02 is None else ge02
    return (f"ISA*00*{'':<10}*00*{'':<10}*ZZ*{'SENDER':<15}*ZZ*{'RECEIVER':<15}*{isa09}*1200*U*00401*{isa13}*"
            f"{isa14}*{usage}*>~GS*IN*SENDER*{gs03}*{gs04}*1200*{gs06}*X*{version}~ST*810*0001~"
            f"BIG*20261127*INV{n}**PO-{n}~TDS*100~CTT*0~SE*5*0001~GE*{ge01}*{ge02}~IEA*1*{isa13}~\n").encode()


FAULTS = {
    "ISA_CONTROL_NUMBER_INVALID": dict(isa13="00000001X"),
    "GS_CONTROL_NUMBER_INVALID": dict(gs06="1X"),
    "GE_CONTROL_MISMATCH": dict(ge02="77"),
    "GE_SET_COUNT_MISMATCH": dict(ge01="2"),
    "ISA_DATE_INVALID": dict(isa09="261399"),
    "GS_DATE_INVALID": dict(gs04="20261399"),
    "ISA_ACK_REQUESTED_INVALID": dict(isa14="4"),  # I13 has 0-3
    "ISA_USAGE_INVALID": dict(usage="X"),
    "GS_ELEMENT_MISSING": dict(gs03=" "),
    "GS_VERSION_UNSUPPORTED": dict(version="009010"),
}


def _found(data: bytes) -> list[tuple]:
    result = read_interchanges(data)
    return [(f.code, f.severity, f.message, f.location.isa13, f.location.gs06, f.location.st02, f.location.element,
             f.location.value) for f in check_envelopes(result, OUTBOUND)]


@pytest.mark.parametrize("code", sorted(FAULTS))
def test_a_fault_in_a_repeated_envelope_is_found_as_in_a_file_of_its_own(code):
    fault = FAULTS[code]
    files = [interchange(1), interchange(2), interchange(3, **fault), interchange(4), interchange(5, **fault)]
    alone = [f for data in files for f in _found(data)]
    assert [f[0] for f in alone].count(code) == 2  # the fault is one: each faulty interchange has it
    assert _found(b"".join(files)) == alone
    assert {f[3] for f in alone} <= {"000000003", "000000005", "00000001X"}  # the faultless ones have none


def test_every_fault_after_one_faultless_envelope_in_one_file():
    files = [interchange(1)] + [interchange(n, **kw) for n, kw in enumerate(FAULTS.values(), start=2)]
    files += [interchange(len(files) + 1, **{**a, **b}) for a, b in zip(FAULTS.values(), list(FAULTS.values())[1:],
                                                                           strict=False)]
    alone = [f for data in files for f in _found(data)]
    assert {f[0] for f in alone} >= set(FAULTS)
    assert _found(b"".join(files)) == alone
