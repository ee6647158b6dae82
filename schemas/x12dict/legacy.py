"""INTERIM (removed when DICT's data lands on main): Dictionary objects built from the cut-short
tables of schemas.x12_850 / schemas.x12_860, so the generic validator runs before the real data exists.
Standard layer only: "U" (required by us) reads as optional and partial code lists are dropped.
"""

from __future__ import annotations

from functools import cache

from schemas import x12_850, x12_860
from schemas.x12dict.model import Dictionary, ElementDef, ElementUse, SegmentDef, SetTable, SyntaxNote

SUPPORTED_VERSIONS = ("004010", "005010")


def base_version(gs08: str) -> str:
    """The dictionary version of a GS08 ("004010VICS" -> "004010", "3050" -> "003050")."""
    digits = ""
    for ch in gs08.strip():
        if not ch.isdigit():
            break
        digits += ch
    return digits[:6] if len(digits) >= 6 else digits.rjust(6, "0") if digits else ""


# Conditional notes of the standard that the old tables did not carry (PO1/POC: quantity needs a unit...).
_CONDITIONAL = {"PO1": ((3, 2), (5, 4))}


def _segment(seg_id: str, spec: tuple, paired: tuple) -> SegmentDef:
    uses = tuple(ElementUse(position=p, ref=ref, req="M" if req == "M" else "O",
                            element=ElementDef(ref, typ, lo, hi))
                 for p, (ref, typ, lo, hi, req, _codes) in enumerate(spec, start=1))
    notes = tuple(SyntaxNote("C", c) for c in _CONDITIONAL.get(seg_id, ())) + tuple(
        SyntaxNote("P", pair) for pair in paired)
    return SegmentDef(seg_id, seg_id, uses, notes)


@cache
def dictionary(version: str) -> Dictionary | None:
    if version not in SUPPORTED_VERSIONS:
        return None
    segments: dict[str, SegmentDef] = {}
    for module in (x12_850, x12_860):
        for seg_id, spec in module.SPECS[version].items():
            segments[seg_id] = _segment(seg_id, spec, module.PAIRED.get(seg_id, ()))
    sets = {"850": SetTable("850", version, "PO", "Purchase Order", tuple(x12_850.SEGMENT_TABLE)),
            "860": SetTable("860", version, "PC", "Purchase Order Change Request - Buyer Initiated",
                            tuple(x12_860.SEGMENT_TABLE))}
    return Dictionary(version=version, segments=segments, sets=sets)
