"""850 content rules: segment order, loops, max use and mandatory segments (a walk over a
memoised transition table), then element presence, type, length, codes and pairs (columnar).

Input: a ParseResult and which sets to check; output: findings located to segment and element.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from parsers.x12_reader import ParseResult
from schemas.findings import Finding, finding
from schemas.x12 import Group, Interchange, TransactionSet
from schemas.x12_850 import PAIRED, SEGMENT_TABLE, SPECS

_SEG_ID = re.compile(r"^[A-Z0-9]{2,3}$")
MAX_FINDINGS_PER_SET = 100


@dataclass(slots=True)
class _Loop:
    loop_id: str
    req: str
    max_repeat: int
    start: int
    end: int = -1
    parent: _Loop | None = None


@dataclass(slots=True)
class _Node:
    seg_id: str
    req: str
    max_use: int
    loop: _Loop | None  # innermost loop containing the node
    starts: _Loop | None = None  # the loop this node triggers


@dataclass(slots=True)
class SetSpec:
    name: str = ""  # "850", "860": for messages
    nodes: list[_Node] = field(default_factory=list)
    ids: frozenset[str] = frozenset()
    _cache: dict = field(default_factory=dict)  # memoised transitions: (node, segment id) -> result

    def loop_of(self, i: int) -> _Loop | None:
        n = self.nodes[i]
        return n.starts or n.loop

    def loop_id(self, i: int) -> str:
        lp = self.loop_of(i)
        return lp.loop_id if lp else ""

    def transition(self, cur: int, seg_id: str) -> tuple[int, str, tuple[int, ...], tuple[int, ...]]:
        """(next node or -1, kind, skipped node indexes to check for mandatory, loops restarted/entered).

        kind: "repeat" (same node again), "advance", "enter" (a nested loop), "restart" (a loop's next
        iteration), "error". Counts are applied by the caller; this only follows the table.
        """
        key = (cur, seg_id)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self._follow(cur, seg_id)
        return hit

    def _follow(self, cur: int, seg_id: str) -> tuple[int, str, tuple[int, ...], tuple[int, ...]]:
        nodes = self.nodes
        node = nodes[cur]
        if node.seg_id == seg_id:
            return (cur, "restart", (), (node.starts.start,)) if node.starts else (cur, "repeat", (), ())
        loop = self.loop_of(cur)
        pos = cur
        skipped: list[int] = []
        while True:
            end = loop.end if loop else len(nodes) - 1
            j = pos + 1
            while j <= end:
                n = nodes[j]
                if n.seg_id == seg_id:
                    kind = "enter" if n.starts else "advance"
                    return j, kind, tuple(skipped), ((n.starts.start,) if n.starts else ())
                skipped.append(j)
                j = n.starts.end + 1 if n.starts else j + 1
            if loop is None:
                return -1, "error", (), ()
            if nodes[loop.start].seg_id == seg_id:
                return loop.start, "restart", tuple(skipped), (loop.start,)
            pos, loop = loop.end, loop.parent


def compile_table(table: list, name: str = "") -> SetSpec:
    spec = SetSpec(name=name)

    def add(entries: list, loop: _Loop | None) -> None:
        for e in entries:
            if e[0] == "LOOP":
                _, loop_id, req, max_repeat, inner = e
                sub = _Loop(loop_id, req, max_repeat, start=len(spec.nodes), parent=loop)
                first = inner[0]
                spec.nodes.append(_Node(first[0], req, first[2], loop, starts=sub))
                add(inner[1:], sub)
                sub.end = len(spec.nodes) - 1
            else:
                spec.nodes.append(_Node(e[0], e[1], e[2], loop))

    add(table, None)
    spec.ids = frozenset(n.seg_id for n in spec.nodes)
    return spec


SPEC_850 = compile_table(SEGMENT_TABLE, "850")


def check_850_structure(result: ParseResult, sets: list[tuple[Interchange, Group, TransactionSet]]) -> list[Finding]:
    """Segment order, loops, max use, mandatory segments, then element syntax for the given 850 sets."""
    out: list[Finding] = []
    if not sets:
        return out
    vocab, codes = result.segments.id_codes
    # The walk's findings depend only on the set's sequence of segment ids: sets of the same shape
    # (common: many POs with the same lines layout) are walked once, their findings re-located.
    shapes: dict[tuple[bytes, bool], list[tuple]] = {}
    code_bytes, width = codes.tobytes(), codes.itemsize  # slicing bytes is cheaper than slicing the array
    for ic, g, ts in sets:
        key = (code_bytes[(ts.start + 1) * width: (ts.end + 1) * width], ts.has_trailer)
        walked = shapes.get(key)
        if walked is None:
            ids = [vocab[c] for c in codes[ts.start + 1: ts.end + 1].tolist()]
            walked = shapes[key] = walk(SPEC_850, ids if ts.has_trailer else ids + ["SE"])
        if walked:
            base = dict(file=result.file, isa13=ic.control_number, gs06=g.control_number, st02=ts.control_number)
            out.extend(finding(code, msg, seg=seg, segment_position=pos, file_segment=ts.start + pos,
                               loop_id=loop_id, **base) for code, msg, seg, pos, loop_id in walked)
    out.extend(_check_elements(result, sets))
    return out


def walk(spec: SetSpec, ids: list[str]) -> list[tuple[str, str, str, int, str]]:
    """Walk the ids after ST (SE included) through ``spec``: (code, message, segment id, position, loop).
    Positions count from ST = 1. Shared by the 850 and 860 checks."""
    out: list[tuple[str, str, str, int, str]] = []
    nodes = spec.nodes
    _transition, _loop_id = spec.transition, spec.loop_id
    counts = [0] * len(nodes)
    loop_counts: dict[int, int] = {}
    cur = 0
    counts[0] = 1
    for pos, sid in enumerate(ids, start=2):
        nxt, kind, skipped, loops = _transition(cur, sid)
        if kind == "advance" and not skipped:  # the common case, nothing to check but max use
            counts[nxt] += 1
            if counts[nxt] > nodes[nxt].max_use:
                out.append(("SEGMENT_OVER_MAX_USE", f"{sid} is used more than {nodes[nxt].max_use} time(s) here.",
                            sid, pos, _loop_id(nxt)))
            cur = nxt
        elif kind == "error":
            if not _SEG_ID.match(sid):
                code, msg = "SEGMENT_UNRECOGNIZED", f"{sid[:20]!r} is not a segment id."
            elif sid in spec.ids:
                code, msg = "SEGMENT_OUT_OF_ORDER", f"{sid} is out of order after {nodes[cur].seg_id}."
            else:
                code, msg = "SEGMENT_NOT_IN_SET", f"{sid} is not defined in the {spec.name or 'set'}."
            out.append((code, msg, sid[:3], pos, _loop_id(cur)))
        else:
            for k in skipped:
                if nodes[k].req == "M" and counts[k] == 0:
                    out.append(("SEGMENT_MANDATORY_MISSING", f"Mandatory {nodes[k].seg_id} is missing before {sid}.",
                                nodes[k].seg_id, pos, _loop_id(k)))
            for start in loops:
                lp = nodes[start].starts
                if kind == "enter":
                    loop_counts[start] = 0
                loop_counts[start] = loop_counts.get(start, 0) + 1
                for k in range(lp.start, lp.end + 1):
                    counts[k] = 0
                if loop_counts[start] > lp.max_repeat:
                    out.append(("LOOP_OVER_MAX", f"Loop {lp.loop_id} repeats more than {lp.max_repeat} times.",
                                sid, pos, lp.loop_id))
            counts[nxt] += 1
            if counts[nxt] > nodes[nxt].max_use:
                out.append(("SEGMENT_OVER_MAX_USE", f"{sid} is used more than {nodes[nxt].max_use} time(s) here.",
                            sid, pos, _loop_id(nxt)))
            cur = nxt
        if len(out) >= MAX_FINDINGS_PER_SET:
            break
    return out


# --- elements ---------------------------------------------------------------------------------------
_NUMERIC_N = r"^-?\d+$"
_NUMERIC_R = r"^-?(\d+\.?\d*|\.\d+)([Ee]-?\d+)?$"
_TIME = r"^([01]\d|2[0-3])[0-5]\d([0-5]\d(\d{1,2})?)?$"
_CONTROL = r"[\x00-\x1f\x7f]"


def element_ref(seg_id: str, position: int, version: str = "004010") -> str:
    """Data element reference number for AK4-02 ("" when not catalogued)."""
    specs = SPECS.get(version[:6], SPECS["004010"]).get(seg_id, ())
    return specs[position - 1][0] if 0 < position <= len(specs) else ""


def _check_elements(result: ParseResult, sets: list[tuple[Interchange, Group, TransactionSet]]) -> list[Finding]:
    """Element checks over every element of the sets at once; findings in (version, segment, position,
    check) order, at most MAX_FINDINGS_PER_SET per check of a segment id."""
    table = result.segments
    n = len(table)
    if n == 0:
        return []
    vocab, codes = table.id_codes
    set_of_row = np.full(n, -1, dtype=np.int64)
    set_version: list[str] = []
    last_g, v = None, ""
    for k, (_ic, g, ts) in enumerate(sets):
        set_of_row[ts.start: ts.end + 1] = k
        if g is not last_g:
            last_g, v = g, (g.version[:6] if g.version[:6] in SPECS else "004010")
        set_version.append(v)
    elements = table.elements
    flat = elements.flatten()
    offsets = elements.offsets.to_numpy()
    offsets = offsets - offsets[0]
    row_len = np.diff(offsets)
    lengths = _char_lengths(flat)
    out: list[Finding] = []
    versions = sorted(set(set_version))
    # each row's version as a small integer (-1: outside the sets)
    if len(versions) == 1:
        version_of_set = np.zeros(len(set_version) + 1, dtype=np.int8)
        version_of_set[-1] = -1
    else:
        version_of_set = np.array([versions.index(v) for v in set_version] + [-1], dtype=np.int8)
    version_of_row = version_of_set[set_of_row]
    for v_code, version in enumerate(versions):
        in_version = version_of_row == v_code
        checks = _ElementChecks(flat, offsets, row_len, lengths, codes, vocab, in_version, SPECS[version])
        for seg_id, spec in SPECS[version].items():
            if seg_id not in vocab:
                continue
            rows = np.flatnonzero((codes == vocab.index(seg_id)) & in_version)
            if len(rows):
                out.extend(checks.findings(result, sets, set_of_row, seg_id, spec, rows))
    return out


_TYPE_CODE = {"N0": 1, "N2": 1, "R": 2, "DT": 3, "TM": 4}  # 0: AN, ID and anything else (control characters)


class _ElementChecks:
    """Element verdicts of one version's specs, computed column by column: one (segment id, position)
    at a time, over the rows of that segment id and only the positions some row has."""

    def __init__(self, flat, offsets, row_len, lengths, codes, vocab, in_version, specs) -> None:
        self.flat, self.offsets, self.row_len = flat, offsets, row_len
        self.lengths = lengths
        self.control = None  # whether any value holds a control byte: computed when first needed

    def _has_control(self) -> bool:
        if self.control is None:
            self.control = _has_control_bytes(self.flat)
        return self.control

    def _verdicts(self, at: np.ndarray, digits: np.ndarray, typ: str, lo: int, hi: int, allowed) -> tuple:
        """(too short, too long, bad type, bad code) for the present elements at ``at``, whose character
        lengths are ``digits`` (adjusted here, in place; None: nothing flagged)."""
        flat = self.flat
        t = _TYPE_CODE.get(typ, 0)
        bad_type = None
        sub = None
        if t in (1, 2):
            sub = flat.take(_indices(at))
            data = _value_bytes(sub)
            plain = (data >= 48) & (data <= 57)
            if plain.all():
                pass  # digits only (and never empty here): valid, no sign to discount
            elif (plain | (data == 46)).all():
                # digits and points: N is valid without a point; R with at most one, and not "." alone
                dots = pc.count_substring(sub, ".").to_numpy(zero_copy_only=False).astype(np.int32)
                digits -= dots
                bad_type = ((dots > 1) | ((dots == 1) & (digits == 0))) if t == 2 else dots > 0
            else:
                signs = pc.add(pc.count_substring(sub, "-"), pc.count_substring(sub, "."))
                digits -= signs.to_numpy(zero_copy_only=False).astype(np.int32)
                bad_type = ~pc.match_substring_regex(sub, _NUMERIC_N if t == 1 else _NUMERIC_R).to_numpy(
                    zero_copy_only=False)
        elif t == 4:
            sub = flat.take(_indices(at))
            bad_type = ~pc.match_substring_regex(sub, _TIME).to_numpy(zero_copy_only=False)
        elif t == 3:
            sub = flat.take(_indices(at))
            parsed = pc.strptime(sub, format="%Y%m%d", unit="s", error_is_null=True)
            bad_type = (pc.is_null(parsed).to_numpy(zero_copy_only=False)
                        | ~pc.match_substring_regex(sub, r"^\d{8}$").to_numpy(zero_copy_only=False))
        elif self._has_control():
            sub = flat.take(_indices(at))
            bad_type = pc.match_substring_regex(sub, _CONTROL).to_numpy(zero_copy_only=False)
        bad_code = None
        if allowed:
            if sub is None:
                sub = flat.take(_indices(at))
            bad_code = ~pc.is_in(sub, value_set=pa.array(allowed)).to_numpy(zero_copy_only=False)
        return digits < lo, digits > hi, bad_type, bad_code

    def findings(self, result, sets, set_of_row, seg_id, spec, rows) -> list[Finding]:
        out: list[Finding] = []
        flat = self.flat

        def report(code: str, mask: np.ndarray, position: int, element_at, msg: str) -> None:
            for i in np.flatnonzero(mask)[:MAX_FINDINGS_PER_SET].tolist():
                row = int(rows[i])
                ic, g, ts = sets[set_of_row[row]]
                value = None
                if element_at is not None and position < self.row_len[row]:
                    value = flat[int(element_at[i])].as_py()
                out.append(finding(code, msg, seg=seg_id, element=f"{seg_id}{position:02d}" if position else "",
                                   value=value, file=result.file, isa13=ic.control_number, gs06=g.control_number,
                                   st02=ts.control_number, segment_position=row - ts.start + 1,
                                   file_segment=row + 1))

        def spread(col: np.ndarray | None, present_at: np.ndarray | None) -> np.ndarray | None:
            """A verdict over the present elements as a mask over ``rows`` (None when nothing is flagged;
            ``present_at`` None: every row has the element)."""
            if col is None or not col.any():
                return None
            if present_at is None:
                return col
            mask = np.zeros(len(rows), dtype=bool)
            mask[present_at[col]] = True
            return mask

        lens = self.row_len[rows]
        report("ELEMENT_TOO_MANY", lens - 1 > len(spec), 0, None, f"{seg_id} has more than {len(spec)} elements.")
        starts = self.offsets[rows]
        present: dict[int, np.ndarray] = {}
        last = len(self.lengths) - 1
        widest = int(lens.max()) - 1 if len(lens) else 0  # the last position any row has
        for position, (_ref, typ, lo, hi, req, allowed) in enumerate(spec, start=1):
            ref = f"{seg_id}{position:02d}"
            if position > widest:
                # no row has this element
                has = np.zeros(len(rows), dtype=bool)
                present[position] = has
                if req == "M":
                    report("ELEMENT_MANDATORY_MISSING", ~has, position, None, f"{ref} is mandatory.")
                elif req == "U":
                    report("ELEMENT_CONDITIONAL_MISSING", ~has, position, None, f"{ref} is required by us.")
                continue
            exists = lens > position
            at = np.minimum(starts + position, last)
            el_len = self.lengths[at]
            has = exists & (el_len > 0)
            present[position] = has
            if req == "M":
                report("ELEMENT_MANDATORY_MISSING", ~has, position, at, f"{ref} is mandatory.")
            elif req == "U":
                report("ELEMENT_CONDITIONAL_MISSING", ~has, position, at, f"{ref} is required by us.")
            if has.all():
                present_at = None
                short, long, bad_type, bad_code = self._verdicts(at, el_len.astype(np.int32, copy=False), typ, lo,
                                                                 hi, allowed)
            else:
                present_at = np.flatnonzero(has)
                if not len(present_at):
                    continue
                short, long, bad_type, bad_code = self._verdicts(
                    at[present_at], el_len[present_at].astype(np.int32, copy=False), typ, lo, hi, allowed)
            mask = spread(short, present_at)
            if mask is not None:
                report("ELEMENT_TOO_SHORT", mask, position, at, f"{ref} is shorter than {lo}.")
            mask = spread(long, present_at)
            if mask is not None:
                report("ELEMENT_TOO_LONG", mask, position, at, f"{ref} is longer than {hi}.")
            mask = spread(bad_type, present_at)
            if mask is not None:
                if typ in ("N0", "N2"):
                    report("ELEMENT_INVALID_CHARACTER", mask, position, at, f"{ref} must be a whole number.")
                elif typ == "R":
                    report("ELEMENT_INVALID_CHARACTER", mask, position, at, f"{ref} must be a decimal number.")
                elif typ == "DT":
                    report("ELEMENT_INVALID_DATE", mask, position, at, f"{ref} is not a valid CCYYMMDD date.")
                elif typ == "TM":
                    report("ELEMENT_INVALID_TIME", mask, position, at, f"{ref} is not a valid time.")
                else:
                    report("ELEMENT_INVALID_CHARACTER", mask, position, at,
                           f"{ref} contains control characters (a missing segment terminator?).")
            mask = spread(bad_code, present_at)
            if mask is not None:
                report("ELEMENT_INVALID_CODE", mask, position, at, f"{ref} must be one of {', '.join(allowed)}.")
        for a, b in PAIRED.get(seg_id, ()):
            if a in present and b in present:
                report("ELEMENT_CONDITIONAL_MISSING", present[a] & ~present[b], b, None,
                       f"{seg_id}{b:02d} is required when {seg_id}{a:02d} is present.")
                report("ELEMENT_CONDITIONAL_MISSING", present[b] & ~present[a], a, None,
                       f"{seg_id}{a:02d} is required when {seg_id}{b:02d} is present.")
        return out


def _indices(idx: np.ndarray) -> pa.Array:
    return pa.Array.from_buffers(pa.int64(), len(idx), [None, pa.py_buffer(np.ascontiguousarray(idx, np.int64))])


def _value_bytes(strings: pa.Array) -> np.ndarray:
    """The UTF-8 bytes of all values of a string array, concatenated (a view)."""
    if not len(strings) or strings.buffers()[2] is None:
        return np.zeros(0, dtype=np.uint8)
    width = np.int64 if pa.types.is_large_string(strings.type) else np.int32
    offsets = np.frombuffer(strings.buffers()[1], dtype=width)[strings.offset: strings.offset + len(strings) + 1]
    return np.frombuffer(strings.buffers()[2], dtype=np.uint8)[offsets[0]: offsets[-1]]


def _char_lengths(flat: pa.Array) -> np.ndarray:
    """Characters per value (utf8_length); from the value offsets when the data is ASCII."""
    data = flat.buffers()[2] if len(flat) and not flat.null_count else None
    if data is not None and not pa.types.is_large_string(flat.type):
        b = np.frombuffer(data, dtype=np.uint8)
        if not len(b) or int(b.max()) < 0x80:
            value_offsets = np.frombuffer(flat.buffers()[1], dtype=np.int32)[flat.offset: flat.offset + len(flat) + 1]
            return np.diff(value_offsets)
    return pc.utf8_length(flat).to_numpy(zero_copy_only=False)


def _has_control_bytes(flat: pa.Array) -> bool:
    """Whether any value holds a byte below 0x20 or 0x7f (UTF-8 continuation bytes are >= 0x80)."""
    data = flat.buffers()[2]
    if data is None:
        return False
    b = np.frombuffer(data, dtype=np.uint8)
    return bool(((b < 0x20) | (b == 0x7F)).any())
