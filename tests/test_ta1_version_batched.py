"""An interchange read in batches (engine.process_batches: too large to hold) gets the TA1 the whole-file path gives
(engine.process): in the interchange control version (ISA12) of the interchange it acknowledges ([acks] version
"group", engine.envelope.ta1_version), so the translator that wrote it reads its answer. The batched path used to
leave the version out: an 00501 interchange from ACME (profiled 004010, ISA12 00401) read in batches was answered in
00401 while the same interchange read whole was answered in 00501 (tests/test_ta1_version.py)."""

from __future__ import annotations

import pytest

from schemas.x12 import Address
from tests.test_intake_batches import _batched_file, _group, _ic, _pos, _whole_file
from tests.test_intake_streaming import ACME


def _file(isa12: str, gs08: str) -> bytes:
    data = _ic([_group("PO", "601", _pos(0, 3)), _group("PO", "602", _pos(3, 2))], isa13=600, ack="1")
    sep = "^" if isa12 >= "00402" else "U"
    return data.replace(b"*U*00401*", f"*{sep}*{isa12}*".encode()).replace(b"*X*004010~", f"*X*{gs08}~".encode())


def _ta1s(outs) -> list[tuple[tuple[str, ...], Address | None]]:
    return [(d.ta1, d.to) for o in outs for d in o.documents if d.doc_type == "TA1"]


@pytest.mark.parametrize(("isa12", "gs08", "to"), [
    ("00501", "005010", Address(isa_version="00501")),  # the interchange's own: the batched path gave None (00401)
    ("00403", "004030", Address(isa_version="00403")),
    ("00401", "004010", None),  # the profile's own: no Address, as before
])
def test_a_batched_interchanges_ta1_carries_its_own_isa12_as_the_whole_files_does(isa12, gs08, to):
    assert (ACME.x12.version, ACME.x12.isa_version, ACME.acks.version) == ("004010", None, "group")
    data = _file(isa12, gs08)
    whole = _ta1s(_whole_file(data, ACME))
    batched, split = _batched_file(data, ACME, max_sets=1)
    assert split == 1 and len(batched) > 3  # read in batches, one set each
    assert _ta1s(batched) == whole
    [(ta1, got)] = whole
    assert ta1[0] == "TA1" and ta1[4] == "A" and got == to
