"""860 content rules: segment order, loops, max use and mandatory segments over schemas.x12_860's
table (compiled and walked with rules.structure's compile_table/walk), element syntax, and the 860's
own counts. Same findings, codes and locations as the 850 checks.
860s come a few a day, so elements are checked row by row rather than columnar.
"""

from __future__ import annotations

import re
from datetime import datetime

import schemas.codes_changes  # noqa: F401  (registers POC_LINE_ID_DUPLICATE)
from parsers.x12_reader import ParseResult
from rules.structure import MAX_FINDINGS_PER_SET, compile_table, walk
from schemas.findings import Finding, finding
from schemas.x12 import Group, Interchange, TransactionSet
from schemas.x12_860 import PAIRED, SEGMENT_TABLE, SPECS

SPEC_860 = compile_table(SEGMENT_TABLE, "860")
_SEG_ID = re.compile(r"^[A-Z0-9]{2,3}$")
_NUMERIC_N = re.compile(r"^-?\d+$")
_NUMERIC_R = re.compile(r"^-?(\d+\.?\d*|\.\d+)([Ee]-?\d+)?$")
_TIME = re.compile(r"^([01]\d|2[0-3])[0-5]\d([0-5]\d(\d{1,2})?)?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

Sets = list[tuple[Interchange, Group, TransactionSet]]


def check_860_structure(result: ParseResult, sets: Sets) -> list[Finding]:
    """Segment order, loops, max use, mandatory segments, element syntax and counts for the given 860 sets."""
    out: list[Finding] = []
    ids = result.segments.id_list
    for ic, g, ts in sets:
        base = dict(file=result.file, isa13=ic.control_number, gs06=g.control_number, st02=ts.control_number)
        after_st = ids[ts.start + 1: ts.end + 1] + ([] if ts.has_trailer else ["SE"])
        found = [finding(code, msg, seg=seg, segment_position=pos, file_segment=ts.start + pos, loop_id=loop,
                         **base) for code, msg, seg, pos, loop in walk(SPEC_860, after_st)]
        found += _check_elements(result, g, ts, base)
        found += _check_counts(result, ts, base)
        out.extend(found[:MAX_FINDINGS_PER_SET])
    return out


# --- elements -----------------------------------------------------------------------------------------
def _element_problem(value: str, typ: str, lo: int, hi: int) -> tuple[str, str] | None:
    """(code, reason) for a present value that breaks its type or length, else None."""
    size = len(value.replace("-", "").replace(".", "")) if typ in ("N0", "N2", "R") else len(value)
    if size < lo:
        return "ELEMENT_TOO_SHORT", f"is shorter than {lo}"
    if size > hi:
        return "ELEMENT_TOO_LONG", f"is longer than {hi}"
    if typ in ("N0", "N2") and not _NUMERIC_N.match(value):
        return "ELEMENT_INVALID_CHARACTER", "must be a whole number"
    if typ == "R" and not _NUMERIC_R.match(value):
        return "ELEMENT_INVALID_CHARACTER", "must be a decimal number"
    if typ == "DT":
        try:
            datetime.strptime(value, "%Y%m%d")
        except ValueError:
            return "ELEMENT_INVALID_DATE", "is not a valid CCYYMMDD date"
    if typ == "TM" and not _TIME.match(value):
        return "ELEMENT_INVALID_TIME", "is not a valid time"
    if typ in ("AN", "ID") and _CONTROL.search(value):
        return "ELEMENT_INVALID_CHARACTER", "contains control characters (a missing segment terminator?)"
    return None


def _check_elements(result: ParseResult, g: Group, ts: TransactionSet, base: dict) -> list[Finding]:
    specs = SPECS.get(g.version[:6], SPECS["004010"])
    out: list[Finding] = []
    for offset, row in enumerate(result.segments.rows(ts.start, ts.end)):
        sid, values = row[0], row[1:]
        spec = specs.get(sid)
        if spec is None:
            continue
        at = dict(seg=sid, segment_position=offset + 1, file_segment=ts.start + offset + 1, **base)
        if len(values) > len(spec):
            out.append(finding("ELEMENT_TOO_MANY", f"{sid} has more than {len(spec)} elements.", **at))
        for pos, (_ref, typ, lo, hi, req, allowed) in enumerate(spec, start=1):
            value = values[pos - 1] if pos <= len(values) else ""
            ref = f"{sid}{pos:02d}"
            if not value:
                if req in ("M", "U"):
                    code = "ELEMENT_MANDATORY_MISSING" if req == "M" else "ELEMENT_CONDITIONAL_MISSING"
                    out.append(
                        finding(
                            code,
                            f"{ref} is {'mandatory' if req == 'M' else 'required by us'}.",
                            element=ref,
                            value=value,
                            **at,
                        )
                    )
                continue
            problem = _element_problem(value, typ, lo, hi)
            if problem:
                out.append(finding(problem[0], f"{ref} {problem[1]}.", element=ref, value=value, **at))
            elif allowed and value not in allowed:
                out.append(
                    finding(
                        "ELEMENT_INVALID_CODE",
                        f"{ref} must be one of {', '.join(allowed)}.",
                        element=ref,
                        value=value,
                        **at,
                    )
                )
        for a, b in PAIRED.get(sid, ()):
            has_a, has_b = len(values) >= a and values[a - 1], len(values) >= b and values[b - 1]
            if bool(has_a) != bool(has_b):
                missing, present = (b, a) if has_a else (a, b)
                out.append(
                    finding(
                        "ELEMENT_CONDITIONAL_MISSING",
                        f"{sid}{missing:02d} is required when {sid}{present:02d} is present.",
                        element=f"{sid}{missing:02d}",
                        **at,
                    )
                )
    return out


# --- the 860's own counts -----------------------------------------------------------------------------
def _check_counts(result: ParseResult, ts: TransactionSet, base: dict) -> list[Finding]:
    out: list[Finding] = []
    seen: dict[str, int] = {}
    pocs = 0
    for offset, row in enumerate(result.segments.rows(ts.start, ts.end)):
        at = dict(segment_position=offset + 1, file_segment=ts.start + offset + 1, **base)
        if row[0] == "POC":
            pocs += 1
            line_id = row[1] if len(row) > 1 else ""
            if line_id and line_id in seen:
                out.append(
                    finding(
                        "POC_LINE_ID_DUPLICATE",
                        f"POC01 {line_id!r} repeats (first at segment {seen[line_id]}).",
                        seg="POC",
                        element="POC01",
                        value=line_id,
                        **at,
                    )
                )
            seen.setdefault(line_id, offset + 1)
        elif row[0] == "CTT" and len(row) > 1 and row[1].isdigit() and int(row[1]) != pocs:
            out.append(
                finding(
                    "CTT_LINE_COUNT_MISMATCH",
                    f"CTT01 is {row[1]} but the change has {pocs} POC line(s).",
                    seg="CTT",
                    element="CTT01",
                    value=row[1],
                    **at,
                )
            )
    return out
