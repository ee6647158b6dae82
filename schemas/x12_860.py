"""The 860 purchase order change (buyer initiated), 004010 and 005010: segment table (order, loops,
max use) and the element specs of the segments OrderBridge relies on. Declarative, in the format of
schemas.x12_850 (whose common segment specs it reuses); checked by rules.structure_860.

The table follows the 850's shape with BCH for BEG and an optional POC loop for the PO1 loop: a
cancellation (BCH01 01) may carry no lines at all.
"""

from __future__ import annotations

from schemas.x12_850 import ELEMENTS_004010 as _ELEMENTS_850_004010
from schemas.x12_850 import ELEMENTS_005010 as _ELEMENTS_850_005010
from schemas.x12_850 import PAIRED as _PAIRED_850
from schemas.x12_850 import U

_N1_HEADER = ("LOOP", "N1", "O", 200, [
    ("N1", "O", 1), ("N2", "O", 2), ("N3", "O", 2), ("N4", "O", U), ("NX2", "O", U), ("REF", "O", 12),
    ("PER", "O", U), ("SI", "O", U), ("FOB", "O", 1), ("TD1", "O", 2), ("TD5", "O", 12), ("TD3", "O", 12),
    ("TD4", "O", 5), ("PKG", "O", 200)])

_N1_DETAIL = ("LOOP", "N1", "O", 200, [
    ("N1", "O", 1), ("N2", "O", 2), ("N3", "O", 2), ("N4", "O", 1), ("QTY", "O", U), ("NX2", "O", U),
    ("REF", "O", 12), ("PER", "O", 3), ("SI", "O", U), ("DTM", "O", 1), ("FOB", "O", 1), ("SCH", "O", 200),
    ("TD1", "O", 1), ("TD5", "O", 12), ("TD3", "O", 12), ("TD4", "O", 5), ("PKG", "O", 200)])

SEGMENT_TABLE = [
    ("ST", "M", 1), ("BCH", "M", 1), ("CUR", "O", 1), ("REF", "O", U), ("PER", "O", 3), ("TAX", "O", U),
    ("FOB", "O", U), ("CTP", "O", U), ("PAM", "O", 10), ("CSH", "O", 5), ("TC2", "O", U),
    ("LOOP", "SAC", "O", 25, [("SAC", "O", 1), ("CUR", "O", 1)]),
    ("ITD", "O", U), ("DIS", "O", 20), ("INC", "O", 1), ("DTM", "O", 10), ("LDT", "O", 12), ("LIN", "O", 5),
    ("SI", "O", U), ("PID", "O", 200), ("MEA", "O", 40), ("PWK", "O", 25), ("PKG", "O", 200), ("TD1", "O", 2),
    ("TD5", "O", 12), ("TD3", "O", 12), ("TD4", "O", 5), ("MAN", "O", 10), ("PCT", "O", U), ("CTB", "O", 5),
    ("TXI", "O", U),
    ("LOOP", "AMT", "O", U, [("AMT", "O", 1), ("REF", "O", U), ("DTM", "O", 1), ("PCT", "O", U),
                             ("LOOP", "FA1", "O", U, [("FA1", "O", 1), ("FA2", "M", U)])]),
    ("LOOP", "N9", "O", 1000, [("N9", "O", 1), ("DTM", "O", 10), ("MSG", "O", 1000)]),
    _N1_HEADER,
    ("LOOP", "LM", "O", U, [("LM", "O", 1), ("LQ", "M", U)]),
    ("LOOP", "SPI", "O", U, [("SPI", "O", 1), ("REF", "O", 5), ("DTM", "O", 5), ("MSG", "O", 50)]),
    ("LOOP", "ADV", "O", U, [("ADV", "O", 1), ("DTM", "O", U), ("MTX", "O", U)]),
    ("LOOP", "POC", "O", U, [
        ("POC", "O", 1), ("LIN", "O", U), ("SI", "O", U), ("CUR", "O", 1), ("CN1", "O", 1), ("PO3", "O", 25),
        ("LOOP", "CTP", "O", U, [("CTP", "O", 1), ("CUR", "O", 1)]),
        ("MEA", "O", 40),
        ("LOOP", "PID", "O", 1000, [("PID", "O", 1), ("MEA", "O", 10)]),
        ("PWK", "O", 25), ("PO4", "O", U), ("REF", "O", U), ("PER", "O", 3),
        ("LOOP", "SAC", "O", 25, [("SAC", "O", 1), ("CUR", "O", 1), ("CTP", "O", 1)]),
        ("IT8", "O", 1), ("CSH", "O", U), ("ITD", "O", 2), ("DIS", "O", 20), ("INC", "O", 1), ("TAX", "O", U),
        ("FOB", "O", U), ("SDQ", "O", 500), ("IT3", "O", 5), ("DTM", "O", 10), ("TC2", "O", U),
        ("TD1", "O", 1), ("TD5", "O", 12), ("TD3", "O", 12), ("TD4", "O", 5), ("PCT", "O", U),
        ("MAN", "O", 10), ("MSG", "O", 1000), ("SPI", "O", U), ("TXI", "O", U), ("CTB", "O", U),
        ("LOOP", "QTY", "O", U, [("QTY", "O", 1), ("SI", "O", U)]),
        ("LOOP", "SCH", "O", 104, [("SCH", "O", 1), ("TD1", "O", 2), ("TD5", "O", 12), ("TD3", "O", 12),
                                   ("TD4", "O", 5), ("REF", "O", U)]),
        ("PKG", "O", 200), ("LS", "O", 1),
        ("LOOP", "LDT", "O", U, [("LDT", "O", 1), ("QTY", "O", U), ("MSG", "O", 1), ("REF", "O", 3)]),
        ("LE", "O", 1),
        ("LOOP", "N9", "O", 1000, [("N9", "O", 1), ("DTM", "O", U), ("MEA", "O", 40), ("MSG", "O", 1000)]),
        _N1_DETAIL,
        ("LOOP", "SLN", "O", 1000, [
            ("SLN", "O", 1), ("MSG", "O", 100), ("SI", "O", U), ("PID", "O", 1000), ("PO3", "O", 104),
            ("TC2", "O", U), ("ADV", "O", U), ("DTM", "O", 10), ("CTP", "O", 25), ("PAM", "O", 10),
            ("PO4", "O", 1), ("TAX", "O", 3),
            ("LOOP", "N9", "O", U, [("N9", "O", 1), ("DTM", "O", U), ("MSG", "O", 10)]),
            ("LOOP", "SAC", "O", 25, [("SAC", "O", 1), ("CUR", "O", 1), ("CTP", "O", 1)]),
            ("LOOP", "QTY", "O", U, [("QTY", "O", 1), ("SI", "O", U)]),
            ("LOOP", "N1", "O", 10, [("N1", "O", 1), ("N2", "O", 2), ("N3", "O", 2), ("N4", "O", 1),
                                     ("NX2", "O", U), ("REF", "O", 12), ("PER", "O", 3), ("SI", "O", U)])]),
        ("LOOP", "AMT", "O", U, [("AMT", "O", 1), ("REF", "O", 1), ("PCT", "O", U)])]),
    ("LOOP", "CTT", "O", 1, [("CTT", "O", 1), ("AMT", "O", 1)]),
    ("SE", "M", 1),
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
