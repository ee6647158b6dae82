"""The 850 purchase order, 004010 and 005010: segment table (order, loops, max use) and the
element specs of the segments OrderBridge relies on. Declarative: it lists, it does not branch.

Segment table entries: (segment id, requirement M/O, max use) or ("LOOP", loop id, requirement,
max repeats, [entries...]); the first entry of a loop is its trigger. ">1" means unbounded.
Element specs: segment id -> tuple of (data element number, type, min, max, requirement, codes).
Types: AN, ID, N0, N2, R, DT (CCYYMMDD), TM. Requirement: M mandatory, C conditional, O optional;
"U" marks an element X12 leaves conditional that OrderBridge needs (reported as conditional missing).
"""

from __future__ import annotations

U = 10**9  # unbounded

N1_HEADER = ("LOOP", "N1", "O", 200, [
    ("N1", "O", 1), ("N2", "O", 2), ("N3", "O", 2), ("N4", "O", U), ("NX2", "O", U), ("REF", "O", 12),
    ("PER", "O", U), ("SI", "O", U), ("FOB", "O", 1), ("TD1", "O", 2), ("TD5", "O", 12), ("TD3", "O", 12),
    ("TD4", "O", 5), ("PKG", "O", 200)])

N1_DETAIL = ("LOOP", "N1", "O", 200, [
    ("N1", "O", 1), ("N2", "O", 2), ("N3", "O", 2), ("N4", "O", 1), ("QTY", "O", U), ("NX2", "O", U),
    ("REF", "O", 12), ("PER", "O", 3), ("SI", "O", U), ("DTM", "O", 1), ("FOB", "O", 1), ("SCH", "O", 200),
    ("TD1", "O", 1), ("TD5", "O", 12), ("TD3", "O", 12), ("TD4", "O", 5), ("PKG", "O", 200)])

# Header segments after the beginning segment (BEG here, BCH in the 860: schemas.x12_860).
HEADER = [
    ("CUR", "O", 1), ("REF", "O", U), ("PER", "O", 3), ("TAX", "O", U),
    ("FOB", "O", U), ("CTP", "O", U), ("PAM", "O", 10), ("CSH", "O", 5), ("TC2", "O", U),
    ("LOOP", "SAC", "O", 25, [("SAC", "O", 1), ("CUR", "O", 1)]),
    ("ITD", "O", U), ("DIS", "O", 20), ("INC", "O", 1), ("DTM", "O", 10), ("LDT", "O", 12), ("LIN", "O", 5),
    ("SI", "O", U), ("PID", "O", 200), ("MEA", "O", 40), ("PWK", "O", 25), ("PKG", "O", 200), ("TD1", "O", 2),
    ("TD5", "O", 12), ("TD3", "O", 12), ("TD4", "O", 5), ("MAN", "O", 10), ("PCT", "O", U), ("CTB", "O", 5),
    ("TXI", "O", U),
    ("LOOP", "AMT", "O", U, [("AMT", "O", 1), ("REF", "O", U), ("DTM", "O", 1), ("PCT", "O", U),
                             ("LOOP", "FA1", "O", U, [("FA1", "O", 1), ("FA2", "M", U)])]),
    ("LOOP", "N9", "O", 1000, [("N9", "O", 1), ("DTM", "O", 10), ("MSG", "O", 1000)]),
    N1_HEADER,
    ("LOOP", "LM", "O", U, [("LM", "O", 1), ("LQ", "M", U)]),
    ("LOOP", "SPI", "O", U, [("SPI", "O", 1), ("REF", "O", 5), ("DTM", "O", 5), ("MSG", "O", 50)]),
    ("LOOP", "ADV", "O", U, [("ADV", "O", 1), ("DTM", "O", U), ("MTX", "O", U)]),
]

# The segments of one line after its first segment (PO1 here, POC in the 860).
LINE_DETAIL = [
    ("LIN", "O", U), ("SI", "O", U), ("CUR", "O", 1), ("CN1", "O", 1), ("PO3", "O", 25),
    ("LOOP", "CTP", "O", U, [("CTP", "O", 1), ("CUR", "O", 1)]),
    ("MEA", "O", 40),
    ("LOOP", "PID", "O", 1000, [("PID", "O", 1), ("MEA", "O", 10)]),
    ("PWK", "O", 25), ("PO4", "O", U), ("REF", "O", U), ("PER", "O", 3),
    ("LOOP", "SAC", "O", 25, [("SAC", "O", 1), ("CUR", "O", 1), ("CTP", "O", 1)]),
    ("IT8", "O", 1), ("CSH", "O", U), ("ITD", "O", 2), ("DIS", "O", 20), ("INC", "O", 1), ("TAX", "O", U),
    ("FOB", "O", U), ("SDQ", "O", 500), ("IT3", "O", 5), ("DTM", "O", 10), ("TC2", "O", U), ("TD1", "O", 1),
    ("TD5", "O", 12), ("TD3", "O", 12), ("TD4", "O", 5), ("PCT", "O", U), ("MAN", "O", 10),
    ("MSG", "O", 1000), ("SPI", "O", U), ("TXI", "O", U), ("CTB", "O", U),
    ("LOOP", "QTY", "O", U, [("QTY", "O", 1), ("SI", "O", U)]),
    ("LOOP", "SCH", "O", 200, [("SCH", "O", 1), ("TD1", "O", 2), ("TD5", "O", 12), ("TD3", "O", 12),
                               ("TD4", "O", 5), ("REF", "O", U)]),
    ("PKG", "O", 200), ("LS", "O", 1),
    ("LOOP", "LDT", "O", U, [("LDT", "O", 1), ("QTY", "O", U), ("MSG", "O", 1), ("REF", "O", 3)]),
    ("LE", "O", 1),
    ("LOOP", "N9", "O", 1000, [("N9", "O", 1), ("DTM", "O", U), ("MEA", "O", 40), ("MSG", "O", 1000)]),
    N1_DETAIL,
    ("LOOP", "SLN", "O", 1000, [
        ("SLN", "O", 1), ("MSG", "O", 100), ("SI", "O", U), ("PID", "O", 1000), ("PO3", "O", 104),
        ("TC2", "O", U), ("ADV", "O", U), ("DTM", "O", 10), ("CTP", "O", 25), ("PAM", "O", 10),
        ("PO4", "O", 1), ("TAX", "O", 3),
        ("LOOP", "N9", "O", U, [("N9", "O", 1), ("DTM", "O", U), ("MSG", "O", 10)]),
        ("LOOP", "SAC", "O", 25, [("SAC", "O", 1), ("CUR", "O", 1), ("CTP", "O", 1)]),
        ("LOOP", "QTY", "O", U, [("QTY", "O", 1), ("SI", "O", U)]),
        ("LOOP", "N1", "O", 10, [("N1", "O", 1), ("N2", "O", 2), ("N3", "O", 2), ("N4", "O", 1),
                                 ("NX2", "O", U), ("REF", "O", 12), ("PER", "O", 3), ("SI", "O", U)])]),
    ("LOOP", "AMT", "O", U, [("AMT", "O", 1), ("REF", "O", 1), ("PCT", "O", U)]),
]

SUMMARY = [
    ("LOOP", "CTT", "O", 1, [("CTT", "O", 1), ("AMT", "O", 1)]),
    ("SE", "M", 1),
]

SEGMENT_TABLE = [
    ("ST", "M", 1), ("BEG", "M", 1), *HEADER,
    ("LOOP", "PO1", "M", 100000, [("PO1", "M", 1), *LINE_DETAIL]),
    *SUMMARY,
]

# (data element number, type, min length, max length, requirement, allowed codes or None)
E = tuple
ELEMENTS_004010: dict[str, tuple[E, ...]] = {
    "BEG": (("353", "ID", 2, 2, "M", ("00", "01", "05", "06", "07")), ("92", "ID", 2, 2, "M", None),
            ("324", "AN", 1, 22, "M", None), ("328", "AN", 1, 30, "O", None), ("373", "DT", 8, 8, "M", None),
            ("367", "AN", 1, 30, "O", None), ("587", "ID", 2, 2, "O", None), ("1019", "ID", 3, 3, "O", None),
            ("1166", "ID", 2, 2, "O", None), ("1232", "ID", 2, 2, "O", None), ("786", "ID", 2, 2, "O", None),
            ("640", "ID", 2, 2, "O", None)),
    "CUR": (("98", "ID", 2, 3, "M", None), ("100", "ID", 3, 3, "M", None), ("280", "R", 4, 10, "O", None)),
    "REF": (("128", "ID", 2, 3, "M", None), ("127", "AN", 1, 30, "C", None), ("352", "AN", 1, 80, "C", None)),
    "PER": (("366", "ID", 2, 2, "M", None), ("93", "AN", 1, 60, "O", None), ("365", "ID", 2, 2, "C", None),
            ("364", "AN", 1, 80, "C", None), ("365", "ID", 2, 2, "C", None), ("364", "AN", 1, 80, "C", None),
            ("365", "ID", 2, 2, "C", None), ("364", "AN", 1, 80, "C", None), ("443", "AN", 1, 20, "O", None)),
    "FOB": (("146", "ID", 2, 2, "M", None),),
    "ITD": (("336", "ID", 2, 2, "O", None), ("333", "ID", 1, 2, "O", None), ("338", "R", 1, 6, "O", None),
            ("370", "DT", 8, 8, "C", None), ("351", "N0", 1, 3, "C", None), ("446", "DT", 8, 8, "O", None),
            ("386", "N0", 1, 3, "O", None), ("362", "N2", 1, 10, "O", None), ("388", "DT", 8, 8, "O", None),
            ("389", "N0", 1, 5, "O", None), ("342", "R", 1, 5, "O", None), ("352", "AN", 1, 80, "O", None),
            ("765", "N0", 1, 2, "O", None), ("107", "ID", 1, 1, "O", None), ("954", "R", 1, 10, "O", None)),
    "DTM": (("374", "ID", 3, 3, "M", None), ("373", "DT", 8, 8, "C", None), ("337", "TM", 4, 8, "C", None),
            ("623", "ID", 2, 2, "O", None), ("1250", "ID", 2, 3, "C", None), ("1251", "AN", 1, 35, "C", None)),
    "TD5": (("133", "ID", 1, 2, "O", None), ("66", "ID", 1, 2, "C", None), ("67", "AN", 2, 80, "C", None),
            ("91", "ID", 1, 2, "C", None), ("387", "AN", 1, 35, "C", None)),
    "N1": (("98", "ID", 2, 3, "M", None), ("93", "AN", 1, 60, "C", None), ("66", "ID", 1, 2, "C", None),
           ("67", "AN", 2, 80, "C", None), ("706", "ID", 2, 2, "O", None), ("98", "ID", 2, 3, "O", None)),
    "N2": (("93", "AN", 1, 60, "M", None), ("93", "AN", 1, 60, "O", None)),
    "N3": (("166", "AN", 1, 55, "M", None), ("166", "AN", 1, 55, "O", None)),
    "N4": (("19", "AN", 2, 30, "O", None), ("156", "ID", 2, 2, "O", None), ("116", "ID", 3, 15, "O", None),
           ("26", "ID", 2, 3, "O", None), ("309", "ID", 1, 2, "C", None), ("310", "AN", 1, 30, "C", None)),
    "PO1": (("350", "AN", 1, 20, "O", None), ("330", "R", 1, 15, "U", None), ("355", "ID", 2, 2, "U", None),
            ("212", "R", 1, 17, "C", None), ("639", "ID", 2, 2, "O", None))
           + (("235", "ID", 2, 2, "C", None), ("234", "AN", 1, 48, "C", None)) * 10,
    "PID": (("349", "ID", 1, 1, "M", ("F", "S", "X")), ("750", "ID", 2, 3, "O", None),
            ("559", "ID", 2, 2, "C", None), ("751", "AN", 1, 12, "C", None), ("352", "AN", 1, 80, "C", None)),
    "PO4": (("356", "N0", 1, 6, "O", None), ("357", "R", 1, 8, "C", None), ("355", "ID", 2, 2, "C", None)),
    "SDQ": (("355", "ID", 2, 2, "M", None), ("66", "ID", 1, 2, "O", None), ("67", "AN", 2, 80, "M", None),
            ("380", "R", 1, 15, "M", None)),
    "CTT": (("354", "N0", 1, 6, "M", None), ("347", "R", 1, 10, "O", None)),
    "AMT": (("522", "ID", 1, 3, "M", None), ("782", "R", 1, 15, "M", None), ("478", "ID", 1, 1, "O", None)),
    "N9": (("128", "ID", 2, 3, "M", None), ("127", "AN", 1, 30, "C", None), ("369", "AN", 1, 45, "C", None)),
    "MSG": (("933", "AN", 1, 264, "M", None), ("934", "ID", 2, 2, "O", None)),
}

# 005010 lengthened a few fields.
ELEMENTS_005010 = dict(ELEMENTS_004010)
ELEMENTS_005010["REF"] = (("128", "ID", 2, 3, "M", None), ("127", "AN", 1, 50, "C", None),
                          ("352", "AN", 1, 80, "C", None))
ELEMENTS_005010["PER"] = tuple(e if e[0] != "364" else ("364", "AN", 1, 256, "C", None)
                               for e in ELEMENTS_004010["PER"])

# Paired elements (X12 "P" syntax notes): if one is present, all must be.
PAIRED = {"PO1": tuple((i, i + 1) for i in range(6, 26, 2)), "N1": ((3, 4),), "PER": ((3, 4), (5, 6), (7, 8))}

SPECS = {"004010": ELEMENTS_004010, "005010": ELEMENTS_005010}
