"""The shape of an X12 dictionary: data elements, composites, segments with their syntax notes,
and transaction-set tables (segment order, loops, requirement, max use), per version.

Definitions only. The data lives in schemas/x12dict/data/ and is loaded by schemas.x12dict;
rules/ checks documents against it, engine/ builds documents that it accepts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

UNBOUNDED = 10**9  # ">1" in a segment table: no limit

# X12 data element types: AN string, ID identifier (code), Nn numeric with n implied decimals,
# R decimal with an explicit point, DT date, TM time, B binary.
ElementType = Literal["AN", "ID", "N0", "N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9", "R", "DT", "TM",
                      "B"]
Requirement = Literal["M", "O", "X"]  # mandatory, optional, relational (conditional by a syntax note)
NoteKind = Literal["P", "R", "E", "C", "L"]

# The AK4 code X12 gives each broken syntax note (997 AK403 / 999 IK403).
NOTE_AK4 = {
    "P": "2",  # paired: one present without the others -> conditional required element missing
    "R": "2",  # required: none of the listed present -> conditional required element missing
    "E": "10",  # exclusion: more than one present -> exclusion condition violated
    "C": "2",  # conditional: first present, another missing -> conditional required element missing
    "L": "2",  # list conditional: first present, none of the others -> conditional required element missing
}


@dataclass(frozen=True, slots=True)
class ElementDef:
    """A data element of the dictionary (X12 data element number, e.g. "353")."""

    ref: str
    type: str  # ElementType
    min: int
    max: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class SyntaxNote:
    """A segment or composite syntax note: kind and the 1-based positions it names, in X12 order
    (e.g. C0302: kind "C", positions (3, 2) - if 03 is present, 02 is required)."""

    kind: str  # NoteKind
    positions: tuple[int, ...]

    @property
    def text(self) -> str:
        return self.kind + "".join(f"{p:02d}" for p in self.positions)


@dataclass(frozen=True, slots=True)
class ComponentUse:
    position: int  # 1-based within the composite
    element: ElementDef
    req: str  # Requirement


@dataclass(frozen=True, slots=True)
class CompositeDef:
    ref: str  # e.g. "C001"
    name: str
    components: tuple[ComponentUse, ...]
    notes: tuple[SyntaxNote, ...] = ()


@dataclass(frozen=True, slots=True)
class ElementUse:
    """One position of a segment: a simple element or a composite."""

    position: int  # 1-based within the segment
    ref: str  # data element number ("353") or composite id ("C001")
    req: str  # Requirement
    element: ElementDef | None = None
    composite: CompositeDef | None = None
    repeat: int = 1  # > 1: the element may repeat (ISA11 repetition separator, 005010 and later)

    @property
    def is_composite(self) -> bool:
        return self.composite is not None


@dataclass(frozen=True, slots=True)
class SegmentDef:
    id: str
    name: str
    elements: tuple[ElementUse, ...]
    notes: tuple[SyntaxNote, ...] = ()


# A set table entry: (segment id, requirement "M"/"O", max use) or
# ("LOOP", loop id, requirement, max repeats, [entries...]); a loop's first entry is its trigger.
TableEntry = tuple


@dataclass(frozen=True, slots=True)
class SetTable:
    set_id: str  # "850"
    version: str  # "004010"
    functional_id: str  # GS01: "PO"
    name: str
    entries: tuple[TableEntry, ...]  # from ST to SE inclusive


@dataclass(frozen=True, slots=True)
class Dictionary:
    """Everything the standard defines for one version, as far as OrderBridge reads or writes it."""

    version: str  # "004010", "005010"
    elements: dict[str, ElementDef] = field(default_factory=dict)
    composites: dict[str, CompositeDef] = field(default_factory=dict)
    segments: dict[str, SegmentDef] = field(default_factory=dict)
    sets: dict[str, SetTable] = field(default_factory=dict)
    code_lists: dict[str, frozenset[str]] = field(default_factory=dict)  # complete lists only

    def segment(self, seg_id: str) -> SegmentDef | None:
        return self.segments.get(seg_id)

    def set_table(self, set_id: str) -> SetTable | None:
        return self.sets.get(set_id)

    def codes(self, element_ref: str) -> frozenset[str] | None:
        """The standard's complete code list for an ID element, or None (then any value of the right
        length is valid: a partial list would make us stricter than the standard)."""
        return self.code_lists.get(element_ref)
