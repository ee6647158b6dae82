"""850 structure checks reuse the walk of sets with the same segment-id sequence (and check elements
for all sets at once): each set must still get its own findings, located in that set."""

from __future__ import annotations

from parsers.x12_reader import read_interchanges
from rules.structure import check_structure
from tests.support import GOOD_PO, ISA


def _interchange(bodies: list[list[str]], *, se_missing: tuple[int, ...] = ()) -> bytes:
    text = ISA.format(isa13=1, ack="0") + "GS*PO*ACMERETAIL*ORDERBRIDGE*20261127*1200*1*X*004010~\n"
    for k, body in enumerate(bodies, start=1):
        st02 = f"{k:04d}"
        text += f"ST*850*{st02}~\n" + "".join(s + "~\n" for s in body)
        if k not in se_missing:
            text += f"SE*{len(body) + 2}*{st02}~\n"
    return (text + f"GE*{len(bodies)}*1~\nIEA*1*000000001~\n").encode()


def _findings(data: bytes):
    result = read_interchanges(data)
    sets = list(result.transaction_sets())
    return [(f.code, f.location.st02, f.location.segment_id, f.location.element, f.location.segment_position,
             f.location.file_segment, f.location.value) for f in check_structure(result, sets)]


def test_same_shape_different_element_errors_stay_with_their_set():
    clean = GOOD_PO
    bad_qty = GOOD_PO[:6] + ["PO1*1*1x*EA*2.50*PE*UP*073000040482*VN*SKU-1"] + GOOD_PO[7:]
    bad_date = ["BEG*00*SA*PO-1**20261332"] + GOOD_PO[1:]
    got = _findings(_interchange([clean, bad_qty, clean, bad_date]))
    # rows: ISA, GS, then each set takes len(GOOD_PO) + 2 rows
    size = len(GOOD_PO) + 2
    assert got == [  # in file order
        ("ELEMENT_INVALID_CHARACTER", "0002", "PO1", "PO102", 8, 2 + size + 8, "1x"),
        ("ELEMENT_INVALID_DATE", "0004", "BEG", "BEG05", 2, 2 + 3 * size + 2, "20261332"),
    ]


def test_same_shape_structure_errors_are_located_in_each_set():
    body = GOOD_PO + ["ZZZ*1"]
    other = GOOD_PO[:2] + ["ZZZ*1"] + GOOD_PO[2:]
    got = [g[:6] for g in _findings(_interchange([body, GOOD_PO, body, other]))]
    size = len(GOOD_PO) + 2
    assert got == [
        ("SEGMENT_NOT_IN_SET", "0001", "ZZZ", "", 12, 2 + 12),
        ("SEGMENT_NOT_IN_SET", "0003", "ZZZ", "", 12, 2 + size * 2 + 1 + 12),
        ("SEGMENT_NOT_IN_SET", "0004", "ZZZ", "", 4, 2 + size * 2 + size + 1 + 1 + 4),
    ]
