"""X12 envelope model: delimiters, interchange/group/transaction-set tree, the segment table.

Definitions only. The segment table is columnar (pyarrow): one row per segment, so 10,000 POs
do not become a million Python objects; envelope objects hold row ranges into it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# What a GS02/GS03 we write may be (AN 2/15): printable ASCII that neither starts nor ends with a space (a partner
# profile's GS ids, schemas.profile, are held to it)
GS_ID_PATTERN = r"^[!-~][ -~]{0,13}[!-~]$"


def gs_id_valid(value: str) -> bool:
    """True when ``value`` may stand in a GS02/GS03 we write (AN 2/15, printable, no space at either end): a
    damaged group's GS02 (16 characters, or a whole segment swallowed by a delimiter the file does not use) is
    never echoed into an answer's envelope (rules.envelope: GS_APPLICATION_ID_INVALID). Here, not in
    schemas.profile, so that the reader's fast path (`inspect --json`) loads no pydantic."""
    return re.fullmatch(GS_ID_PATTERN, value) is not None

# GS01 functional identifier for each transaction set we know of.
FUNCTIONAL_ID = {
    "850": "PO", "860": "PC", "855": "PR", "870": "RS", "865": "CA", "856": "SH", "810": "IN", "997": "FA",
    "999": "FA", "940": "OW", "945": "SW", "846": "IB", "180": "AN", "820": "RA", "832": "SC",
    "852": "PD", "270": "HS", "271": "HB", "835": "HP", "837": "HC", "204": "SM", "214": "QM",
    "990": "GF", "824": "AG", "864": "TX", "830": "PS", "862": "SS", "753": "OG", "754": "OG",
    "875": "OG", "876": "OG", "880": "GP", "812": "CD", "816": "OR", "861": "RC", "867": "PT", "869": "RS",
}
# The sets a reader of ours processes when the partner's profile accepts them (schemas.profile X12_ACCEPTED, and the
# 999 read as a 997): any other set a partner sends (820, 852, 754 ...) is taken without processing or refused, as
# its profile's [x12] other_sets says (rules.envelope.Acceptance.kept)
PROCESSED_SETS = frozenset({"850", "875", "876", "860", "997", "999", "824", "864"})

ENVELOPE_IDS = ("ISA", "IEA", "GS", "GE", "ST", "SE")


@dataclass(frozen=True, slots=True)
class Address:
    """Whom an outbound document goes to when it is not the profile's [x12] their_*: ISA07/ISA08 and
    GS03 ("" each: the profile's). A network (SAP Ariba, Coupa, GHX, a retailer's VAN) sends many
    buyers' documents under one ISA06 and tells them apart by GS02; it routes what we send by GS03,
    so an answer goes to the GS02 (and ISA05/ISA06) it answers. ``gs_sender``: our GS02 when it is not
    the profile's our_gs_id, the GS03 the answered group was sent to (X12 997: the group's application
    sender and receiver codes are exchanged; a company with several application ids, one per division,
    answers from the one it was written to). ``version``: the answer's X12 release when it is not the profile's
    (engine.envelope.ack_version: a 997 in the version of the group it acknowledges). ``isa_sender_qualifier`` /
    ``isa_sender_id``: our ISA05/ISA06 when not the profile's our_qualifier/our_id, the ISA07/ISA08 the answered
    interchange (or the order's 850) was sent to ([x12] our_ids: a partner writing to our DUNS one day, our ZZ id the
    next, is answered from the id it wrote to)."""

    isa_qualifier: str = ""
    isa_id: str = ""
    gs_id: str = ""
    gs_sender: str = ""
    version: str = ""  # GS08 of the answer when not the profile's: a 997 in the release of the group it acknowledges
    isa_version: str = ""  # ISA12 of the answer when not the profile's: a TA1 in the control version it acknowledges
    isa_sender_qualifier: str = ""  # our ISA05 when not the profile's our_qualifier (the answered ISA07)
    isa_sender_id: str = ""  # our ISA06 when not the profile's our_id (the answered ISA08)


@dataclass(frozen=True, slots=True)
class Delimiters:
    element: str = "*"
    component: str = ">"
    repetition: str = ""  # "" when ISA11 is the standards id "U"
    segment: str = "~"
    suffix: str = "\n"  # written after every terminator (line break for readability)

    def check(self) -> None:
        chars = [self.element, self.component, self.segment] + ([self.repetition] if self.repetition else [])
        if any(len(c) != 1 for c in chars) or len(set(chars)) != len(chars):
            raise ValueError(f"delimiters must be distinct single characters: {chars!r}")


@dataclass(slots=True)
class TransactionSet:
    set_id: str
    control_number: str
    start: int  # row of ST in the segment table
    end: int  # row of SE (inclusive), or last row before the next envelope segment
    has_trailer: bool = False
    trailer_count: str = ""
    trailer_control: str = ""
    implementation: str = ""  # ST03 (005010 and later)

    @property
    def segment_count(self) -> int:
        return self.end - self.start + 1


@dataclass(slots=True)
class Group:
    elements: list[str]  # GS01..GS08 as received
    start: int
    end: int = -1
    transactions: list[TransactionSet] = field(default_factory=list)
    has_trailer: bool = False
    trailer_count: str = ""
    trailer_control: str = ""

    def _el(self, i: int) -> str:
        return self.elements[i - 1].strip() if len(self.elements) >= i else ""

    @property
    def functional_id(self) -> str:
        return self._el(1)

    @property
    def sender(self) -> str:
        return self._el(2)

    @property
    def receiver(self) -> str:
        return self._el(3)

    @property
    def date(self) -> str:
        return self._el(4)

    @property
    def time(self) -> str:
        return self._el(5)

    @property
    def control_number(self) -> str:
        return self._el(6)

    @property
    def version(self) -> str:
        return self._el(8)


@dataclass(slots=True)
class Interchange:
    elements: list[str]  # ISA01..ISA16 as received (ISA16 = component separator)
    delimiters: Delimiters
    start: int
    end: int = -1
    groups: list[Group] = field(default_factory=list)
    has_trailer: bool = False
    trailer_count: str = ""
    trailer_control: str = ""
    raw_length: int = 0  # characters of the ISA segment, terminator included
    rejected: bool = False  # an envelope error stopped us from reading its groups
    # ISX01..ISX04 as received (X12 007040+: the Interchange Syntax Extension right after the ISA, sent by
    # agreement: release character, character encoding, overriding version, industry id); [] when none
    syntax: list[str] = field(default_factory=list)

    def _el(self, i: int) -> str:
        return self.elements[i - 1] if len(self.elements) >= i else ""

    @property
    def sender_qualifier(self) -> str:
        return self._el(5).strip()

    @property
    def sender(self) -> str:
        return self._el(6).strip()

    @property
    def receiver_qualifier(self) -> str:
        return self._el(7).strip()

    @property
    def receiver(self) -> str:
        return self._el(8).strip()

    @property
    def date(self) -> str:
        return self._el(9).strip()

    @property
    def time(self) -> str:
        return self._el(10).strip()

    @property
    def version(self) -> str:
        return self._el(12).strip()

    @property
    def control_number(self) -> str:
        return self._el(13).strip()

    @property
    def ack_requested(self) -> str:
        return self._el(14).strip()

    @property
    def usage(self) -> str:
        return self._el(15).strip()

    @property
    def release(self) -> str:
        """ISX01, the release character ("" when no ISX names one): the character after it is data, never a
        delimiter (parsers.x12_reader reads the values so)."""
        return self.syntax[0] if self.syntax else ""


@dataclass
class SegmentTable:
    """One row per segment of the file: ids and element lists, in file order."""

    elements: pa.ListArray  # list<string>: element 0 is the segment id
    component: list[str]  # component separator per row's interchange run (usually one value)

    def __len__(self) -> int:
        return len(self.elements)

    @cached_property
    def ids(self) -> pa.StringArray:
        if len(self.elements) == 0:
            return pa.array([], pa.string())
        return pc.list_element(self.elements, 0)

    @cached_property
    def id_codes(self) -> tuple[list[str], np.ndarray]:
        """Segment ids dictionary-encoded: (distinct ids, int32 code per row), for numpy row selection."""
        encoded = self.ids.dictionary_encode()
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
        return encoded.dictionary.to_pylist(), codes

    def rows_of(self, seg_id: str) -> np.ndarray:
        """Rows (ascending) whose segment id is ``seg_id``."""
        vocab, codes = self.id_codes
        if seg_id not in vocab:
            return np.empty(0, dtype=np.int64)
        return np.flatnonzero(codes == vocab.index(seg_id))

    @cached_property
    def id_list(self) -> list[str]:
        return self.ids.to_pylist()

    def row(self, i: int) -> list[str]:
        return self.elements[i].as_py()

    def rows(self, start: int, end: int) -> list[list[str]]:
        """Rows start..end inclusive as Python lists (for small slices only)."""
        return self.elements.slice(start, end - start + 1).to_pylist()
