"""The 860 purchase order change (buyer initiated), 004010 and 005010: segment table (order, loops,
max use) and the element specs of the segments OrderBridge relies on. Declarative, in the format of
schemas.x12_850 (whose common segment specs it reuses); checked by rules.structure_860.

The table follows the 850's shape with BCH for BEG and an optional POC loop for the PO1 loop: a
cancellation (BCH01 01) may carry no lines at all.
"""

from __future__ import annotations

from schemas.x12_850 import ELEMENTS_004010 as _ELEMENTS_850_004010
from schemas.x12_850 import ELEMENTS_005010 as _ELEMENTS_850_005010
from schemas.x12_850 import HEADER, SUMMARY, U
from schemas.x12_850 import LINE_DETAIL as LINE_DETAIL_850
from schemas.x12_850 import PAIRED as _PAIRED_850

# The 860's header and summary are the 850's; its POC loop holds the 850's line detail, except
# that the SCH loop may repeat 104 times (200 in the 850).
LINE_DETAIL = [e if e[:2] != ("LOOP", "SCH") else (*e[:3], 104, e[4]) for e in LINE_DETAIL_850]

SEGMENT_TABLE = [
    ("ST", "M", 1), ("BCH", "M", 1), *HEADER,
    ("LOOP", "POC", "O", U, [("POC", "O", 1), *LINE_DETAIL]),
    *SUMMARY,
]

# (data element number, type, min length, max length, requirement, allowed codes or None): as x12_850.
E = tuple
_COMMON = ("CUR", "REF", "PER", "FOB", "ITD", "DTM", "TD5", "N1", "N2", "N3", "N4", "PID", "PO4", "SDQ",
           "CTT", "AMT", "N9", "MSG")

BCH: tuple[E, ...] = (
    ("353", "ID", 2, 2, "M", None), ("92", "ID", 2, 2, "M", None), ("324", "AN", 1, 22, "M", None),
    ("328", "AN", 1, 30, "O", None), ("327", "AN", 1, 8, "O", None), ("373", "DT", 8, 8, "M", None),
    ("326", "AN", 1, 45, "O", None), ("367", "AN", 1, 30, "O", None), ("127", "AN", 1, 30, "O", None),
    ("373", "DT", 8, 8, "O", None), ("373", "DT", 8, 8, "O", None), ("1166", "ID", 2, 2, "O", None),
    ("786", "ID", 2, 2, "O", None), ("587", "ID", 2, 2, "O", None), ("640", "ID", 2, 2, "O", None),
    ("1232", "ID", 2, 2, "O", None))

# POC01 line id, POC02 change type, POC03 quantity ordered (new total), POC04 quantity left to receive,
# POC05 unit (C001), POC06 unit price, POC07 price basis, then ten qualifier/id pairs.
POC_004010: tuple[E, ...] = (
    ("350", "AN", 1, 20, "O", None), ("670", "ID", 2, 2, "M", None), ("330", "R", 1, 15, "C", None),
    ("671", "R", 1, 9, "C", None), ("355", "ID", 2, 2, "C", None), ("212", "R", 1, 17, "C", None),
    ("639", "ID", 2, 2, "O", None)) + (("235", "ID", 2, 2, "C", None), ("234", "AN", 1, 48, "C", None)) * 10

ELEMENTS_004010: dict[str, tuple[E, ...]] = {
    "BCH": BCH, "POC": POC_004010, **{k: _ELEMENTS_850_004010[k] for k in _COMMON},
}

# 005010: REF/PER lengthened (as for the 850); POC04 became the C063 composite (original:increase:decrease).
ELEMENTS_005010 = {**ELEMENTS_004010, **{k: _ELEMENTS_850_005010[k] for k in _COMMON}}
ELEMENTS_005010["BCH"] = tuple(e if i != 8 else ("127", "AN", 1, 50, "O", None) for i, e in enumerate(BCH))
ELEMENTS_005010["POC"] = tuple(e if e[0] != "671" else ("C063", "AN", 1, 47, "O", None) for e in POC_004010)

# Paired elements (X12 "P" syntax notes): if one is present, all must be.
PAIRED = {"POC": tuple((i, i + 1) for i in range(8, 28, 2)), "N1": _PAIRED_850["N1"],
          "PER": _PAIRED_850["PER"]}

SPECS = {"004010": ELEMENTS_004010, "005010": ELEMENTS_005010}
