"""997 and 999 transaction sets (what partners send back for our documents) -> the canonical
FUNCTIONAL_ACKS table (schemas.functional_acks), with every status and note also in words.

Reads a parsed file (parsers.x12_reader); no paths, no clock (the file's arrival time is passed in).
It reads what the partner said, tolerantly: a missing AK5 or AK9 or an unknown status is a finding,
never an exception; matching the answers to what we sent is engine.partner_acks' job.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import datetime

import pyarrow as pa

from parsers import x12_dates
from parsers.x12_reader import ParseResult
from schemas.ack_reasons import GROUP_STATUS, REJECTED, SET_STATUS, reason
from schemas.findings import Finding, finding
from schemas.functional_acks import FUNCTIONAL_ACKS
from schemas.x12 import Group, Interchange, TransactionSet

ACK_SET_IDS = ("997", "999")
_SEGMENT_NOTES = ("AK3", "IK3")
_ELEMENT_NOTES = ("AK4", "IK4")
_SET_RESPONSES = ("AK5", "IK5")


def read_functional_acks(
    result: ParseResult,
    *,
    partner: str,
    source_sha256: str = "",
    received_at: datetime | None = None,
    sets: Iterable[tuple[Interchange, Group, TransactionSet]] | None = None,
) -> tuple[pa.Table, list[Finding]]:
    """Every 997/999 set of a parsed file (or of ``sets``, the (interchange, group, set) triples the
    caller accepted) as FUNCTIONAL_ACKS rows, and the findings about them.

    ``received_at``: when the file reached us (the run clock's time of pick-up); null if unknown."""
    rows: list[dict] = []
    findings: list[Finding] = []
    for ic, g, ts in result.transaction_sets() if sets is None else sets:
        if ts.set_id not in ACK_SET_IDS:
            continue
        got, notes = _read_set(result, ic, g, ts, partner, source_sha256, received_at)
        rows.extend(got)
        findings.extend(notes)
    return pa.Table.from_pylist(rows, schema=FUNCTIONAL_ACKS), findings


def read_interchange_acks(
    result: ParseResult,
    interchanges: Iterable[Interchange],
    *,
    partner: str,
    source_sha256: str = "",
    received_at: datetime | None = None,
) -> tuple[pa.Table, list[Finding]]:
    """The partner's TA1s for our interchanges in ``interchanges`` (those of a parsed file the caller
    took): one FUNCTIONAL_ACKS row each (ack_type TA1; TA101 as acked_isa13, TA104, TA105), matched to
    what we sent by engine.partner_acks (TA104 R: every document of that interchange rejected), and
    findings: R is FA_INTERCHANGE_REJECTED, E is FA_INTERCHANGE_NOTED, an unknown TA104 is
    FA_STATUS_UNKNOWN; A says nothing a 997 will not say better."""
    rows: list[dict] = []
    findings: list[Finding] = []
    ta1_rows = result.segments.rows_of("TA1") if len(result.segments) else []
    for ic in interchanges:
        end = ic.end if ic.end >= 0 else len(result.segments)
        for row in (int(r) for r in ta1_rows if ic.start < r < end):
            seg = result.segments.row(row)
            ours, status, code = element(seg, 1), element(seg, 4), element(seg, 5)
            note_words = reason("interchange", code) if code else "no note code"
            where = dict(file=result.file, isa13=ic.control_number, seg="TA1", file_segment=row + 1)
            rows.append({
                "partner": partner, "ack_type": "TA1", "ack_ref": f"{ic.control_number}-TA1-{ours or ''}",
                "ack_version": ic.version or None, "acked_isa13": ours, "interchange_status": status,
                "interchange_note": code, "set_error_codes": [], "group_error_codes": [], "errors": [],
                "reasons": _interchange_reason(ours, status, code), "ack_created_at": created_at(ic, None),
                "received_at": received_at, "source_file": result.file, "source_sha256": source_sha256,
                "isa13": ic.control_number, "gs06": "", "st02": "", "segment_position": row - ic.start + 1,
                "file_segment": row + 1})
            if status == "R":
                findings.append(finding(
                    "FA_INTERCHANGE_REJECTED", f"This TA1 rejects our interchange {ours} (note {code}: {note_words}):"
                    " the partner took none of its documents and will send no 997 for them; they read rejected "
                    "until sent again in a new interchange.", element="TA104", value=ours, **where))
            elif status == "E":
                findings.append(finding(
                    "FA_INTERCHANGE_NOTED", f"This TA1 accepts our interchange {ours} with errors noted (note {code}:"
                    f" {note_words}); its documents are decided by the partner's 997s.", element="TA104",
                    value=ours, **where))
            elif status != "A":
                findings.append(finding(
                    "FA_STATUS_UNKNOWN", f"TA104 {status!r} is not an interchange acknowledgment code (A, E, R); "
                    f"the TA1 for our interchange {ours} says nothing.", element="TA104", value=status, **where))
    return pa.Table.from_pylist(rows, schema=FUNCTIONAL_ACKS), findings


def _interchange_reason(ours: str | None, status: str | None, code: str | None) -> str:
    """ "interchange 000000012 rejected (invalid control structure)": a TA1's verdict in words."""
    words = reason("interchange_status", status) if status in ("A", "E", "R") else f"status {status!r}"
    note = reason("interchange", code) if code else "no note code"
    text = f"interchange {ours or '?'} {words} ({note})"
    return text + (": none of its documents was processed" if status == "R" else "")


def element(seg: list[str], i: int) -> str | None:
    """Element i of a segment, stripped; None when absent or empty."""
    if len(seg) <= i:
        return None
    value = seg[i].strip()
    return value or None


# an N0 count or position (AK902-AK904, AK302, AK401's parts): digits, or a whole number a translator wrote with
# its decimal point ("3.0", "12.": IMPLIED_DECIMAL_STATED at the element check), read as the number it states,
# as parsers.orders_850 reads an 850's N0 and rules.elements tells it from a bad type
_WHOLE = re.compile(r"([0-9]{1,9})(?:\.0*)?")


def whole_number(value: str | None) -> int | None:
    """An N0 value (a position, a count in an acknowledgment) as its number ("12", "012", "12.", "12.00": 12);
    None when absent or no whole number ("12.5")."""
    m = _WHOLE.fullmatch(value) if value is not None else None
    return int(m.group(1)) if m is not None else None


def created_at(ic: Interchange, g: Group | None) -> datetime | None:
    """GS04 (CCYYMMDD; YYMMDD before 004010) + GS05 (HHMM[SS..]) of the acknowledgment (a 997, 999, TA1 or 824),
    else (and for a TA1, ``g`` None) ISA09 (YYMMDD) + ISA10."""
    for day, clock in ((g.date, g.time), (ic.date, ic.time)) if g is not None else ((ic.date, ic.time),):
        on = x12_dates.parse(day)
        if on is not None:
            digits = "".join(ch for ch in clock if ch.isdigit())[:6].ljust(6, "0") if clock else "000000"
            try:
                return datetime.combine(on, datetime.strptime(digits, "%H%M%S").time())
            except ValueError:
                continue
    return None


def _read_set(result: ParseResult, ic: Interchange, g: Group, ts: TransactionSet, partner: str, sha: str,
              received_at: datetime | None) -> tuple[list[dict], list[Finding]]:
    seg_rows = result.segments.rows(ts.start, ts.end)
    component = result.segments.component[ts.start] if len(result.segments.component) > ts.start else ">"
    ack_ref = f"{ic.control_number}-{g.control_number}-{ts.control_number}"
    version = g.version
    base = {
        "partner": partner,
        "ack_type": ts.set_id,
        "ack_ref": ack_ref,
        "ack_version": version or None,
        "ack_created_at": created_at(ic, g),
        "received_at": received_at,
        "source_file": result.file,
        "source_sha256": sha,
        "isa13": ic.control_number,
        "gs06": g.control_number,
        "st02": ts.control_number,
    }
    findings: list[Finding] = []

    def note(code: str, message: str, position: int, seg_id: str, **kw) -> None:
        findings.append(finding(code, message, file=result.file, isa13=ic.control_number, gs06=g.control_number,
                                st02=ts.control_number, seg=seg_id, segment_position=position,
                                file_segment=ts.start + position, **kw))

    # one block per AK1 (the standard has one per set; a set with several is out of order, and each AK2
    # and AK9 still belongs to the AK1 before it, so each group keeps its own answers)
    blocks: list[dict] = []
    sets: list[dict] = []
    current: dict | None = None
    segment_note: dict | None = None
    trailer: dict = {}
    for position, seg in enumerate(seg_rows, start=1):
        sid = seg[0].strip() if seg else ""
        if sid == "AK1":
            if blocks:  # what came before the first AK1 (out of order) is still that group's
                sets, trailer, current, segment_note = [], {}, None, None
            blocks.append({"group": {"acked_functional_id": element(seg, 1), "acked_gs06": element(seg, 2),
                                     "acked_version": element(seg, 3)},
                           "position": position, "sets": sets, "trailer": trailer})
        elif sid == "AK2":
            current = {"acked_set_id": element(seg, 1), "acked_st02": element(seg, 2),
                       "acked_implementation": element(seg, 3),
                       "set_status": None, "set_error_codes": [], "errors": [], "segment_position": position,
                       "file_segment": ts.start + position}
            segment_note = None
            sets.append(current)
        elif sid in _SEGMENT_NOTES and current is not None:
            segment_note = {"segment_id": element(seg, 1), "segment_position": whole_number(element(seg, 2)),
                            "loop_id": element(seg, 3), "segment_error": element(seg, 4)}
            current["errors"].append({**segment_note, "element_position": None, "component_position": None,
                                      "repeat_position": None, "element_ref": None, "element_error": None,
                                      "bad_value": None, "reason": _segment_reason(segment_note, version)})
        elif sid in _ELEMENT_NOTES and current is not None:
            parts = (element(seg, 1) or "").split(component) if component else [element(seg, 1) or ""]
            parts += [""] * (3 - len(parts))
            item = {**(segment_note or {"segment_id": None, "segment_position": None, "loop_id": None,
                                         "segment_error": None}),
                    "element_position": whole_number(parts[0].strip()),
                    "component_position": whole_number(parts[1].strip()),
                    "repeat_position": whole_number(parts[2].strip()), "element_ref": element(seg, 2),
                    "element_error": element(seg, 3), "bad_value": seg[4] if len(seg) > 4 and seg[4] != "" else None}
            item["reason"] = _element_reason(item, version)
            errors = current["errors"]
            # the element note replaces its segment's bare "has data element errors" note
            if errors and errors[-1]["element_error"] is None and segment_note is not None \
                    and errors[-1]["segment_position"] == segment_note["segment_position"] \
                    and errors[-1]["segment_id"] == segment_note["segment_id"]:
                errors.pop()
            errors.append(item)
        elif sid in _SET_RESPONSES and current is not None:
            current["set_status"] = element(seg, 1)
            current["set_error_codes"] = [c for c in (element(seg, i) for i in range(2, 7)) if c]
            if current["set_status"] not in SET_STATUS:
                note("FA_STATUS_UNKNOWN", f"{sid}01 {current['set_status']!r} is not a transaction set status "
                     "(A, E, M, R, W, X): the group's AK9 decides the set (R rejected; A or E accepted with errors, "
                     "never plainly accepted); under AK9 P it counts as not acknowledged.", position, sid,
                     element=f"{sid}01", value=current["set_status"])
            current = None
            segment_note = None
        elif sid == "AK9":
            trailer.update({"position": position, "group_status": element(seg, 1),
                            "sets_included": whole_number(element(seg, 2)),
                            "sets_received": whole_number(element(seg, 3)),
                            "sets_accepted": whole_number(element(seg, 4)),
                            "group_error_codes": [c for c in (element(seg, i) for i in range(5, 10)) if c]})
            if trailer["group_status"] not in GROUP_STATUS:
                note("FA_STATUS_UNKNOWN", f"AK901 {trailer['group_status']!r} is not a group status "
                     "(A, E, M, P, R, W, X).", position, "AK9", element="AK901", value=trailer["group_status"])
    if not blocks:
        note("FA_ACKNOWLEDGES_NOTHING", f"This {ts.set_id} has no AK1: it names no group it acknowledges.", 1, "ST")
        return [], findings
    rows = []
    for block in blocks:
        rows += _block_rows(block, base, ts, version, note)
    return rows, findings


def _block_rows(block: dict, base: dict, ts: TransactionSet, version: str, note) -> list[dict]:
    """The rows of one AK1 and what follows it (its AK2 loops, its AK9)."""
    sets, trailer, ak1_position = block["sets"], block["trailer"], block["position"]
    for s in sets:
        if s["set_status"] is None:
            note("FA_SET_RESPONSE_MISSING", f"The AK2 for set {s['acked_set_id']} {s['acked_st02']} has no "
                 f"{'IK5' if ts.set_id == '999' else 'AK5'}: its status is unknown.", s["segment_position"], "AK2")
    if not trailer:
        note("FA_GROUP_RESPONSE_MISSING", f"This {ts.set_id} has no AK9: the group's status is unknown.",
             ak1_position, "AK1")
    unnamed = partial_unnamed(trailer.get("group_status"), trailer.get("sets_included"),
                              trailer.get("sets_received"), trailer.get("sets_accepted"),
                              sum(s["set_status"] in REJECTED for s in sets))
    listed = len({s["acked_st02"] for s in sets})
    if unnamed and (trailer.get("sets_included") is None or trailer["sets_included"] > listed):
        # (every set listed: those without a readable AK5 are told by FA_SET_RESPONSE_MISSING / FA_STATUS_UNKNOWN)
        note("FA_GROUP_PARTIAL_UNNAMED",
             f"AK9 P (group {block['group']['acked_functional_id']} GS06 {block['group']['acked_gs06']} partially "
             f"accepted): {unnamed} rejected set(s) this {ts.set_id} does not name (AK902-AK904 "
             f"{trailer.get('sets_included')}/{trailer.get('sets_received')}/{trailer.get('sets_accepted')}, "
             f"{sum(s['set_status'] in REJECTED for s in sets)} listed rejected): the group's sets it does not decide "
             "stay unacknowledged, neither accepted nor rejected.", trailer["position"], "AK9", element="AK901",
             value="P")
    group_part = {
        **block["group"],
        "group_status": trailer.get("group_status"),
        "group_error_codes": trailer.get("group_error_codes", []),
        "sets_included": trailer.get("sets_included"),
        "sets_received": trailer.get("sets_received"),
        "sets_accepted": trailer.get("sets_accepted"),
    }
    if not sets:  # the group answered as a whole
        sets = [{"acked_set_id": None, "acked_st02": None, "acked_implementation": None, "set_status": None,
                 "set_error_codes": [], "errors": [], "segment_position": ak1_position,
                 "file_segment": ts.start + ak1_position}]
    rows = []
    for s in sets:
        row = {**base, **group_part, **s}
        row["reasons"] = describe(row, version)
        rows.append(row)
    return rows


def partial_unnamed(group_status: str | None, included: int | None, received: int | None, accepted: int | None,
                    listed_rejected: int) -> int:
    """How many sets a group answered AK9 P (partially accepted: at least one set rejected) rejected that its
    997/999 does not name (no AK2 loop with AK5 R, M, W or X): its AK903 (else AK902) sets received less its AK904
    accepted, at least one, less those it lists rejected; 0 for any other group status. Under P the sets a 997
    does not list are the accepted ones only when it names every set it rejected; else which were rejected is not
    said (X12's example 004010X363 lists each rejected set)."""
    if group_status != "P":
        return 0
    counted = received if received is not None else included
    rejected = counted - accepted if counted is not None and accepted is not None else 0
    return max(max(rejected, 1) - listed_rejected, 0)


def _segment_reason(n: dict, version: str) -> str:
    where = f"segment {n['segment_id'] or '?'}"
    if n["segment_position"] is not None:
        where += f" at position {n['segment_position']}"
    if n["loop_id"]:
        where += f" (loop {n['loop_id']})"
    return f"{where}: {reason('segment', n['segment_error'], version) or 'error'}"


def _element_reason(n: dict, version: str) -> str:
    ref = f"{n['segment_id'] or ''}{n['element_position']:02d}" if n["element_position"] is not None else "element"
    if n["component_position"] is not None:
        ref += f"-{n['component_position']}"
    where = ref + (f" (data element {n['element_ref']})" if n["element_ref"] else "")
    if n["segment_position"] is not None:
        where += f" in segment {n['segment_id'] or '?'} at position {n['segment_position']}"
    if n["loop_id"]:
        where += f" (loop {n['loop_id']})"
    text = f"{where}: {reason('element', n['element_error'], version) or 'error'}"
    if n["bad_value"] is not None:
        text += f", value {n['bad_value']!r}"
    return text


def describe(row: dict, version: str = "") -> str:
    """An acknowledgment row's verdict in words: set status and codes, its notes, the group's verdict."""
    parts: list[str] = []
    if row.get("set_status"):
        parts.append(_verdict("set", row["set_status"], tuple(row.get("set_error_codes") or ()), version))
    parts.extend(e["reason"] for e in row.get("errors") or [])
    if row.get("group_status"):
        parts.append(_verdict("group", row["group_status"], tuple(row.get("group_error_codes") or ()), version))
    return "; ".join(parts)


@functools.lru_cache(maxsize=4096)
def _verdict(level: str, status: str, codes: tuple[str, ...], version: str) -> str:
    """ "set rejected (one or more segments in error)": a status with its error codes, in words."""
    text = f"{level} {reason(f'{level}_status', status, version)}"
    words = [reason(level, c, version) for c in codes]
    return text + (f" ({'; '.join(words)})" if words else "")
