"""A PO1 loop's own ITD or CUR is compared with the heading of its own set, in a file of many POs: intake reads as
text only the lines' own ITDs and CURs and the headings of their sets (rules.set_checks._line_terms; a night's
10,000 heading ITDs, 15 elements each, are not read when no line states its own), and what it tells is the same as
when every one was read."""

from __future__ import annotations

import re

from tests.retailer_support import inspected
from tests.support import REPO

HDS = REPO / "tests" / "fixtures" / "rg77" / "drops" / "hdsupply" / "HDS_850_HD77003301.x12"


def _file(sets: list[tuple[str, bytes]]) -> bytes:
    """HD Supply's 850 as several sets of one group, each its own PO number, control number and swaps."""
    data = HDS.read_bytes()
    head, rest = data.split(b"ST*850*", 1)
    body = b"ST*850*" + rest[:rest.index(b"GE*")]
    out = []
    for n, (po, swaps) in enumerate(sets, 1):
        one = body.replace(b"77031", b"%04d" % n).replace(b"HD77003301", po.encode())
        for old, new in swaps:
            assert old in one
            one = one.replace(old, new, 1)
        count = one.count(b"~", 0, one.index(b"\nSE*")) + 1
        out.append(re.sub(rb"(?<=[~\n])SE\*\d+\*", b"SE*%d*" % count, one))
    return head.replace(b"*77031*X", b"*9*X") + b"".join(out) + b"GE*%d*9~\nIEA*1*000077031~\n" % len(sets)


LINE3 = b"PID*F****FAUCET CARTRIDGE SINGLE HANDLE~"
PO1_3 = b"PO1*3*10*EA*14.75**IN*HD-512877*VN*RG77-11~"


def test_each_line_s_own_terms_are_compared_with_its_own_set_s_heading(tmp_path):
    """Set 1's line 3 says net 90 under a heading of net 30: told. Set 2's heading is net 90 and its line 3 says net
    90: nothing (another set's heading, net 30 as set 1's, is not its own). Set 3 sends only its heading's terms,
    set 4 a line CUR in CAD (told) and set 5 a line CUR in USD under a heading CUR in USD (nothing)."""
    net90 = b"ITD*05*3*****90~"
    path = tmp_path / "HDS_850_many.x12"
    path.write_bytes(_file([
        ("HD77003301", [(LINE3, LINE3 + b"\n" + net90)]),
        ("HD77003302", [(b"ITD*01*3*****30~", net90), (LINE3, LINE3 + b"\n" + net90)]),
        ("HD77003303", []),
        ("HD77003304", [(PO1_3, PO1_3 + b"\nCUR*BY*CAD~")]),
        ("HD77003305", [(b"BEG*00*SA*HD77003305**20261124~", b"BEG*00*SA*HD77003305**20261124~\nCUR*BY*USD~"),
                        (PO1_3, PO1_3 + b"\nCUR*BY*USD~")]),
    ]))
    found = inspected(path)["findings"]
    assert {f["code"] for f in found if f["severity"] == "error"} == set()
    told = sorted((f["location"]["st02"], f["message"]) for f in found if f["code"] == "NOTES_NOT_KEPT")
    assert [st02 for st02, _ in told] == ["0001", "0004"], told
    assert "(line 3) 'ITD 05 3 90'" in told[0][1] and "(line 3) 'CUR BY CAD'" in told[1][1]
