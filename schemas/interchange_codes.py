"""Code lists of the interchange control header (ISA), per interchange control version (ISA12).

Definitions only: rules.envelope checks ISA01/ISA03/ISA05/ISA07/ISA15 against these lists. The facts
come from public references of the X12 interchange control standard (elements I01, I03, I05, I14 in
the 00401 and 00501 control versions); a version we hold no list for is checked against every code
any listed version defines, so no valid interchange is ever refused for its qualifiers.
"""

from __future__ import annotations

import re

# GS02/GS03 as our envelopes may carry them (AN 2/15): printable ASCII neither starting nor ending with a space
_GS_ID = r"^[!-~][ -~]{0,13}[!-~]$"


def gs_id_valid(value: str) -> bool:
    """True when ``value`` may stand in a GS02/GS03 we write (AN 2/15, printable, no space at either end): a
    damaged group's GS02 (16 characters, or a whole segment swallowed by a delimiter the file does not use) is
    never echoed into an answer's envelope."""
    return re.fullmatch(_GS_ID, value) is not None


# I01 Authorization Information Qualifier: 00 none, 01 UCS communications id, 02 EDX communications id,
# 03 additional data identification, 04 rail communications id, 05 DoD communication identifier,
# 06 US federal government communication identifier.
_I01 = frozenset({"00", "01", "02", "03", "04", "05", "06"})
# I03 Security Information Qualifier: 00 none, 01 password.
_I03 = frozenset({"00", "01"})
# I05 Interchange ID Qualifier. 00401: 01-04, 08-34, NR, SN, ZZ (and 07, SA accepted: see below).
# 00501 adds 07 (global location number), 35-38, AM and SA.
_I05_00401 = frozenset({"01", "02", "03", "04", *(f"{n:02d}" for n in range(8, 35)), "NR", "SN", "ZZ",
                        # 07 (GLN) and SA appear in later control versions; translators send them in 00401
                        # envelopes too, and refusing them would be stricter than any published list
                        "07", "SA"})
_I05_00501 = frozenset({"01", "02", "03", "04", "07", *(f"{n:02d}" for n in range(8, 39)), "AM", "NR", "SA",
                        "SN", "ZZ"})
# I14 Interchange Usage Indicator: I information (00401 and later), P production, T test.
_I14 = frozenset({"I", "P", "T"})

# element -> control version -> codes
ISA_CODES: dict[str, dict[str, frozenset[str]]] = {
    "ISA01": {"00401": _I01, "00501": _I01},
    "ISA03": {"00401": _I03, "00501": _I03},
    "ISA05": {"00401": _I05_00401, "00501": _I05_00501},
    "ISA07": {"00401": _I05_00401, "00501": _I05_00501},
    "ISA15": {"00401": _I14, "00501": _I14},
}


def isa_codes(element: str, version: str) -> frozenset[str]:
    """The codes ``element`` (e.g. "ISA05") allows in interchange control version ``version`` (ISA12);
    for a version without its own list, the union of every list we hold."""
    by_version = ISA_CODES[element]
    if version in by_version:
        return by_version[version]
    return frozenset().union(*by_version.values())
