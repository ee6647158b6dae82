"""engine.process.set_pos finds every 850's BEG and 860's BCH for all sets at once (np.searchsorted and one
take of their element 03) instead of one segment's Python list per set (the speed round of session 35).
Pinned here: it gives what the per-set loop it replaced gives (kept below as the reference), on the
shapes that decide it (a BEG without BEG03, a set without BEG, an empty BEG03, a second BEG, a set
without SE, an 860, other sets between) and on the shared corpus."""

from __future__ import annotations

import numpy as np
import pytest

from engine.process import _PO_OF_SET, set_pos
from parsers.x12_reader import read_interchanges
from tests.support import corpus_files, corpus_ids

ISA = ("ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261126*0200*U*00401*{isa13}*0*P*>~\n")


def _per_set(result) -> list[tuple[str, str, str, int, str]]:
    """The loop set_pos replaced: each set's first BEG / BCH at or after its ST (up to its SE), read whole."""
    out = []
    segments = result.segments
    rows_of = {seg: segments.rows_of(seg) for seg in _PO_OF_SET.values()}
    for ic, g, ts in result.transaction_sets():
        seg = _PO_OF_SET.get(ts.set_id)
        if seg is None:
            continue
        rows, po = rows_of[seg], ""
        at = int(np.searchsorted(rows, ts.start))
        if at < len(rows) and rows[at] <= ts.end:
            els = segments.row(int(rows[at]))
            po = els[3] if len(els) > 3 else ""
        out.append((ic.control_number, g.control_number, ts.control_number, ts.start + 1, po))
    return out


def _file() -> bytes:
    po = ("GS*PO*ACMERETAIL*ORDERBRIDGE*20261126*0200*1*X*004010~"
          "ST*850*0001~BEG*00*SA*PO-1**20261126~PO1*1*1*EA~SE*4*0001~"
          "ST*850*0002~BEG*00*SA~PO1*1*1*EA~SE*4*0002~"
          "ST*850*0003~PO1*1*1*EA~SE*3*0003~"
          "ST*850*0004~BEG*00*SA*~SE*3*0004~"
          "ST*850*0006~BEG*00*SA*PO-A  **20261126~BEG*00*SA*PO-B~SE*4*0006~"
          "GE*5*1~")
    pc = ("GS*PC*ACMERETAIL*ORDERBRIDGE*20261126*0200*2*X*004010~"
          "ST*860*0005~BCH*01*SA*PO-9~SE*3*0005~GE*1*2~")
    other = ("GS*IN*ACMERETAIL*ORDERBRIDGE*20261126*0200*3*X*004010~"
             "ST*810*0007~BIG*20261126*INV-1**PO-1~SE*3*0007~GE*1*3~")
    tail = ("GS*PO*ACMERETAIL*ORDERBRIDGE*20261126*0200*4*X*004010~"
            "ST*850*0008~BEG*00*SA*PO-8~PO1*1*1*EA~")  # no SE, GE or IEA: the file ends inside the set
    return (ISA.format(isa13="000000001") + po + pc + other + "IEA*3*000000001~"
            + ISA.format(isa13="000000002") + tail).encode()


def test_set_pos_reads_each_sets_po_as_the_per_set_loop_did():
    result = read_interchanges(_file(), file="shapes.x12")
    got = set_pos(result)
    assert got == _per_set(result)
    assert [(st02, po) for _isa, _gs, st02, _st, po in got] == [
        ("0001", "PO-1"), ("0002", ""), ("0003", ""), ("0004", ""), ("0006", "PO-A  "), ("0005", "PO-9"),
        ("0008", "PO-8")]


def test_set_pos_of_a_file_without_sets():
    assert set_pos(read_interchanges(b"", file="empty.x12")) == []
    assert set_pos(read_interchanges(b"not x12 at all", file="junk.x12")) == []


@pytest.mark.parametrize("path", corpus_files(), ids=corpus_ids())
def test_set_pos_on_the_corpus_is_the_per_set_loops(path):
    result = read_interchanges(path.read_bytes(), file=path.name)
    assert set_pos(result) == _per_set(result)
