"""Transaction-set content against the dictionary of each group's version: segment order, loops,
max use and mandatory segments (a walk over a memoised transition table compiled from the SetTable),
element syntax (rules.elements, columnar) and each set's own counts (rules.set_checks).

Input: a ParseResult and which sets to check; output: findings located to segment and element. A set
whose group version has no dictionary, or whose set id has no table in it, is not checked here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from parsers.x12_reader import ParseResult
from rules.elements import Context, FlatElements, check_segment_elements, valid_dates
from rules.set_checks import SET_CHECK_CODES, set_checks_for
from schemas.findings import Finding, finding
from schemas.x12 import ENVELOPE_IDS, Group, Interchange, TransactionSet
from schemas.x12dict import SUPPORTED_VERSIONS, dictionary
from schemas.x12dict.model import Dictionary, SetTable

if TYPE_CHECKING:  # an annotation only: the pydantic profile models cost ~0.2 s to import
    from schemas.fulfilment import InvoiceSettings

_SEG_ID = re.compile(r"^[A-Z0-9]{2,3}$")
MAX_FINDINGS_PER_SET = 100
MAX_FINDINGS_PER_CHECK = 100

Sets = list[tuple[Interchange, Group, TransactionSet]]
DictionaryFor = Callable[[str], "Dictionary | None"]  # GS08 -> the dictionary its sets are judged by


def dictionary_for(gs08: str) -> Dictionary | None:
    """The dictionary of a group's version (GS08 "004010VICS" -> 004010), or None when we have none."""
    return dictionary(gs08)


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


_COMPILED: dict[int, tuple[SetTable, SetSpec]] = {}


def compiled(table: SetTable) -> SetSpec:
    """The walker for a set table, compiled once per table (dictionaries are cached and immutable)."""
    hit = _COMPILED.get(id(table))
    if hit is None or hit[0] is not table:
        hit = _COMPILED[id(table)] = (table, compile_table(list(table.entries), table.set_id))
    return hit[1]


# What a set of a version we hold no dictionary for (003040, 004030, 007030 ...) can be refused for: what
# every X12 version agrees on. Lengths grew, code lists, segments, loops and syntax notes changed from
# version to version, so those are never judged by another version's dictionary; a segment id that is
# no segment id, and a mandatory segment or element every dictionary we hold agrees is missing, are; the
# set's own checks (rules.set_checks: warnings, its counts and what it asks that we do not apply: SAC
# allowances, SDQ stores, SLN sublines, notes ...) do not depend on the version.
# The elements' data types are among them (qtycheck, s69): N0/Nn/R/ID/AN/DT/TM of the elements an order is made
# of (PO1, POC, SAC, CTT, BEG, DTM ...) are the same kind in every release from version 2 to 008030, so a
# non-numeric PO102 or PO104 in a 003040 or 006020 PO is an AK4 6 there as in 004010 (both held dictionaries must
# say so: an element whose type changed between them is not judged). A date is the exception by width: YYMMDD
# before 004010, CCYYMMDD after, so a release we hold no dictionary for has a date refused only when it is a date
# in neither form (_a_date_in_some_release), and a value holding the component separator is not judged by its type
# (003070 made dates composites, BEG05 "261123>20" with its century: an element may be one in a release we do not
# hold).
COMMON_CODES = frozenset({"SEGMENT_UNRECOGNIZED", "SEGMENT_MANDATORY_MISSING", "ELEMENT_MANDATORY_MISSING",
                          "ELEMENT_INVALID_CHARACTER", "ELEMENT_INVALID_DATE", "ELEMENT_INVALID_TIME"}) \
    | SET_CHECK_CODES


def check_structure(result: ParseResult, sets: Sets, *, dictionaries: DictionaryFor = dictionary_for,
                    common: bool = False, invoice: InvoiceSettings | None = None,
                    components: bool = False, marks_carried: bool = True,
                    refs_echoed: Collection[str] = frozenset(), agreed_currency: str | None = None) -> list[Finding]:
    """Segment order, loops, max use, mandatory segments, element syntax and set-level counts for the
    given sets, each judged by the dictionary of its group's version; findings in file order. With
    ``common``, a set whose version has no dictionary is judged by what they all agree on
    (`common_findings`); without it, such a set is not checked here. ``invoice``: the partner's invoice
    settings (SAC_NOT_APPLIED says per SAC whether our 810s carry it); ``components``: its 856s list prepacks
    by their components ([fulfilment.asn] prepacks = "components"): the 850's are checked as they read them;
    ``marks_carried``: its 856s mark each carton for its lines' own N1*Z7 (set_checks.marks_carried_by);
    ``refs_echoed``: the line REF qualifiers its documents carry back (set_checks.line_refs_echoed_by);
    ``agreed_currency``: the currency agreed with the partner (customers.csv; None: not known), a PO's that sends no
    heading CUR (a line's own CUR in it is not told: set_checks._line_terms)."""
    out = _check_structure(result, sets, dictionaries, invoice, components, marks_carried, refs_echoed,
                           agreed_currency)
    if common:
        unheld = {id(g): dictionaries(g.version) is None for g in {id(g): g for _ic, g, _ts in sets}.values()}
        others = [(ic, g, ts) for ic, g, ts in sets if unheld[id(g)]]  # (asked once per group, not per set)
        if others:
            out += common_findings(result, others, invoice, components, marks_carried, refs_echoed, agreed_currency)
            out.sort(key=lambda f: f.location.file_segment or 0)
    return out


def sdq_applied(findings: list[Finding], profile) -> list[Finding]:
    """``findings`` without SDQ_NOT_APPLIED when the partner's profile (schemas.profile.PartnerProfile) takes
    store-level orders (fulfilment.asn.store_level): its SDQ store quantities are applied (each carton named for
    its store, the 856 marks it), so saying they are not would be wrong; SDQ_QUANTITY_MISMATCH stays."""
    if not profile.fulfilment.asn.store_level:
        return findings
    return [f for f in findings if f.code != "SDQ_NOT_APPLIED"]


def taxes_of_invoices(findings: list[Finding], profile) -> list[Finding]:
    """``findings`` without PO_TAX_MISMATCH when the partner's profile (schemas.profile.PartnerProfile) receives no
    invoices of ours (neither 810 nor 880): no tax of ours is billed to differ from the PO's (Walmart Mexico's IVA
    goes on its CFDI, not on a document of ours)."""
    if {"810", "880"} & set(profile.receives):
        return findings
    return [f for f in findings if f.code != "PO_TAX_MISMATCH"]


def common_findings(result: ParseResult, sets: Sets, invoice: InvoiceSettings | None = None,
                    components: bool = False, marks_carried: bool = True,
                    refs_echoed: Collection[str] = frozenset(), agreed_currency: str | None = None) -> list[Finding]:
    """The findings of ``sets`` (of versions we hold no dictionary for) that every held version's
    dictionary reports alike and that do not depend on the version (COMMON_CODES): a 003040 or 007030 PO
    without BEG03 or PO1 is refused; one with longer names, newer codes, segments or notes is not."""
    agreed: list[Finding] | None = None
    separators = {c for c in result.segments.component if c}
    for version in SUPPORTED_VERSIONS:
        d = dictionary(version)
        found = [f for f in _check_structure(result, sets, lambda _gs08, d=d: d, invoice, components, marks_carried,
                                             refs_echoed, agreed_currency)
                 if f.code in COMMON_CODES and not _a_date_in_some_release(f)
                 and not _maybe_a_composite(f, separators)]
        if agreed is None:
            agreed = found
        else:
            keys = {_finding_key(f) for f in found}
            agreed = [f for f in agreed if _finding_key(f) in keys]
    return agreed or []


def _a_date_in_some_release(f: Finding) -> bool:
    """An ELEMENT_INVALID_DATE whose value is a date that exists as YYMMDD (X12 before 004010) or CCYYMMDD (004010
    on): not a finding in a release we hold no dictionary for, whose width we do not know."""
    if f.code != "ELEMENT_INVALID_DATE" or not f.location.value:
        return False
    values = pa.array([f.location.value], pa.string())
    return bool(valid_dates(values, short=True)[0] or valid_dates(values, short=False)[0])


def _maybe_a_composite(f: Finding, separators: set[str]) -> bool:
    """A type finding whose value holds a component separator: the element may be a composite in the set's release
    (003070's date and century), so its type is not judged there."""
    return (f.code in _TYPE_CODES and f.location.value is not None
            and any(c in f.location.value for c in separators))


_TYPE_CODES = frozenset({"ELEMENT_INVALID_CHARACTER", "ELEMENT_INVALID_DATE", "ELEMENT_INVALID_TIME"})


def _finding_key(f: Finding) -> tuple:
    loc = f.location
    return f.code, loc.isa13, loc.gs06, loc.st02, loc.file_segment, loc.segment_id, loc.element


def _check_structure(result: ParseResult, sets: Sets, dictionaries: DictionaryFor,
                     invoice: InvoiceSettings | None = None, components: bool = False,
                     marks_carried: bool = True, refs_echoed: Collection[str] = frozenset(),
                     agreed_currency: str | None = None) -> list[Finding]:
    judged: list[tuple[Interchange, Group, TransactionSet]] = []
    tables: list[tuple[Dictionary, SetTable]] = []
    group_dictionary: dict[int, Dictionary | None] = {}
    version_dictionary: dict[str, Dictionary | None] = {}  # a file of our 856s: one GS08 in 10,000 groups
    set_tables: dict[tuple[int, str], SetTable | None] = {}
    for ic, g, ts in sets:
        d = group_dictionary.get(id(g), False)
        if d is False:
            version = g.version
            d = version_dictionary.get(version, False)
            if d is False:
                d = version_dictionary[version] = dictionaries(version)
            group_dictionary[id(g)] = d
        key = (id(d), ts.set_id)
        table = set_tables.get(key, False)
        if table is False:
            table = set_tables[key] = d.set_table(ts.set_id) if d is not None else None
        if table is not None:
            judged.append((ic, g, ts))
            tables.append((d, table))
    if not judged:
        return []
    fe = FlatElements(result.segments.elements, delimiter_rows=result.segments.rows_of("ISA"))
    set_of_row = _set_of_row(result, judged)
    out = _walk_sets(result, judged, tables)
    out += _check_elements(result, judged, tables, fe, set_of_row)
    set_ids = [ts.set_id for _, _, ts in judged]
    for set_id, check in set_checks_for(invoice, components, marks_carried, refs_echoed, agreed_currency).items():
        chosen = np.array([k for k, s in enumerate(set_ids) if s == set_id], dtype=np.int64)
        if len(chosen):
            out += check(result, judged, chosen, set_of_row, fe)
    out.sort(key=lambda f: f.location.file_segment or 0)  # stable: each segment's findings keep their order
    return bounded_loops(result, judged, out)


def bounded_loops(result: ParseResult, sets: Sets, out: list[Finding]) -> list[Finding]:
    """``out`` with ``ack_loop`` set on each finding whose segment lies in a loop bounded by LS and LE:
    the LS01 received (the innermost such loop; an LS without its LE bounds the rest of the set). X12's
    AK303 (element 447) names only such a loop, by the identifier its LS/LE carry; a segment of any
    other loop (N1, PO1 ...) has no AK303. Nothing to do, and nothing done, in a file without LS."""
    vocab, codes = result.segments.id_codes
    if "LS" not in vocab or not out:
        return out
    ls, le = vocab.index("LS"), vocab.index("LE") if "LE" in vocab else -1
    spans: dict[int, list[tuple[int, int, str]]] = {}  # set index -> (LS row, last row, LS01)

    def spans_of(k: int) -> list[tuple[int, int, str]]:
        if k not in spans:
            ts = sets[k][2]
            found, open_ = [], []
            for r in range(ts.start + 1, ts.end + 1):
                if codes[r] == ls:
                    row = result.segments.row(r)
                    open_.append((r, row[1] if len(row) > 1 and row[1] is not None else ""))
                elif codes[r] == le and open_:
                    a, ls01 = open_.pop()
                    found.append((a, r, ls01))
            found += [(a, ts.end, ls01) for a, ls01 in open_]
            spans[k] = found
        return spans[k]

    starts = np.fromiter((ts.start for _, _, ts in sets), np.int64, len(sets))  # sets are in file order
    marked = []
    for f in out:
        fs = f.location.file_segment
        k = int(np.searchsorted(starts, fs - 1, "right")) - 1 if fs is not None else -1
        if k >= 0 and not sets[k][2].start < fs - 1 <= sets[k][2].end:  # ST itself, or between sets
            k = -1
        holding = [(a, ls01) for a, b, ls01 in spans_of(k) if a <= fs - 1 <= b] if k >= 0 else []
        if holding:
            f = replace(f, location=replace(f.location, ack_loop=max(holding)[1]))
        marked.append(f)
    return marked


def _walk_sets(result: ParseResult, sets: Sets, tables: list[tuple[Dictionary, SetTable]]) -> list[Finding]:
    out: list[Finding] = []
    vocab, codes = result.segments.id_codes
    # The walk's findings depend only on the table and the set's sequence of segment ids: sets of the
    # same shape (common: many POs with the same lines layout) are walked once, their findings re-located.
    shapes: dict[tuple[int, bytes, bool], list[tuple]] = {}
    code_bytes, width = codes.tobytes(), codes.itemsize  # slicing bytes is cheaper than slicing the array
    for (ic, g, ts), (_d, table) in zip(sets, tables, strict=True):
        key = (id(table), code_bytes[(ts.start + 1) * width: (ts.end + 1) * width], ts.has_trailer)
        walked = shapes.get(key)
        if walked is None:
            ids = [vocab[c] for c in codes[ts.start + 1: ts.end + 1].tolist()]
            walked = shapes[key] = [(code, _release_said(table, seg) if code == "SEGMENT_NOT_IN_SET" else msg, seg,
                                     pos, loop_id) for code, msg, seg, pos, loop_id
                                    in walk(compiled(table), ids if ts.has_trailer else ids + ["SE"])]
        if walked:
            base = dict(file=result.file, isa13=ic.control_number, gs06=g.control_number, st02=ts.control_number)
            out.extend(finding(code, msg, seg=seg, segment_position=pos, file_segment=ts.start + pos,
                               loop_id=loop_id, **base) for code, msg, seg, pos, loop_id in walked)
    return out


def _release_said(table: SetTable, seg: str) -> str:
    """SEGMENT_NOT_IN_SET's words for ``seg`` in a set of ``table``: the release it is judged by, and the other
    release whose same set has the segment, if one does (MSG, 004010's text in an 850's N9 loop, where 005010 has
    MTX: a map written for one release labelled another)."""
    said = f"{seg} is not defined in the {table.version} {table.set_id}."
    for version in SUPPORTED_VERSIONS:
        other = dictionary(version).set_table(table.set_id) if version != table.version else None
        if other is not None and seg in compiled(other).ids:
            return (f"{said} The {version} {table.set_id} has it: was the set written for {version} and labelled "
                    f"{table.version} in GS08?")
    return said


def _set_of_row(result: ParseResult, sets: Sets) -> np.ndarray:
    """Each row's index in ``sets`` for the rows after ST up to SE (exclusive), -1 elsewhere."""
    n = len(result.segments)
    set_of_row = np.full(n, -1, dtype=np.int64)
    for k, (_ic, _g, ts) in enumerate(sets):
        set_of_row[ts.start + 1: ts.end + 1] = k
    if n:
        vocab, codes = result.segments.id_codes
        envelope = [vocab.index(s) for s in ENVELOPE_IDS if s in vocab]
        if envelope:
            set_of_row[np.isin(codes, envelope)] = -1  # SE (and any stray envelope segment): rules.envelope's
    return set_of_row


def _check_elements(result: ParseResult, sets: Sets, tables: list[tuple[Dictionary, SetTable]], fe: FlatElements,
                    set_of_row: np.ndarray) -> list[Finding]:
    """Element checks over every segment of the sets at once, one run per (dictionary, delimiters)."""
    if len(result.segments) == 0:
        return []
    vocab, codes = result.segments.id_codes
    runs: dict[tuple[int, str, str], list[int]] = {}
    run_dictionary: dict[int, Dictionary] = {}
    last_group, key = None, None
    for k, ((ic, g, _ts), (d, _t)) in enumerate(zip(sets, tables, strict=True)):
        if g is not last_group:
            last_group, key = g, (id(d), ic.delimiters.component, ic.delimiters.repetition)
            run_dictionary[id(d)] = d
        runs.setdefault(key, []).append(k)
    out: list[Finding] = []
    single = len(runs) == 1
    for (d_id, component, repetition), members in runs.items():
        d = run_dictionary[d_id]
        if single:
            in_run = set_of_row >= 0
        else:
            member = np.zeros(len(sets) + 1, dtype=bool)
            member[members] = True
            in_run = member[set_of_row]  # -1 reads the last slot: False
        run_codes = np.where(in_run, codes, -1)
        present_ids = np.flatnonzero(np.bincount(run_codes[in_run], minlength=len(vocab)))
        for c in present_ids.tolist():
            seg = d.segment(vocab[c])
            if seg is None or seg.id in ENVELOPE_IDS:
                continue
            rows = np.flatnonzero(run_codes == c)
            report = _reporter(out, rows, result, sets, set_of_row, seg.id)
            check_segment_elements(fe, seg, rows, Context(
                d, component, repetition if repetition and fe.holds(repetition) else "", fe.has_control, report,
                stray_component=bool(component) and fe.holds(component)))
    return out


def _reporter(out: list[Finding], rows: np.ndarray, result: ParseResult, sets: Sets, set_of_row: np.ndarray,
              seg_id: str):
    def report(code: str, hit: np.ndarray, element: str, values, msg: str) -> None:
        hit = hit[:MAX_FINDINGS_PER_CHECK]
        got = None
        if values is not None:
            got = values[0].take(pa.array(values[1][:MAX_FINDINGS_PER_CHECK], pa.int64())).to_pylist()
        for j, i in enumerate(hit.tolist()):
            row = int(rows[i])
            ic, g, ts = sets[set_of_row[row]]
            out.append(finding(code, msg, seg=seg_id, element=element, value=got[j] if got is not None else None,
                               file=result.file, isa13=ic.control_number, gs06=g.control_number,
                               st02=ts.control_number, segment_position=row - ts.start + 1, file_segment=row + 1))

    return report


def element_ref(d: Dictionary | None, seg_id: str, position: int, component: int = 0) -> str:
    """Data element reference number for AK4-02: the element's (or the component's) number in ``d``
    ("" when the segment or position is not in the dictionary, e.g. a position beyond the last)."""
    seg = d.segment(seg_id) if d is not None else None
    if seg is None or not 0 < position <= len(seg.elements):
        return ""
    use = seg.elements[position - 1]
    if component and use.composite is not None and 0 < component <= len(use.composite.components):
        return use.composite.components[component - 1].element.ref
    return "" if use.is_composite else use.ref  # AK402 is numeric: no composite ids



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


