"""997 and TA1 as pure functions of what was received and the findings about it.

Findings map to AK3/AK4/AK5/AK9 and TA1 note codes through schemas.codes. A finding belongs to a
set (or group, interchange) by its file segment ordinal, which is unambiguous even when a partner
repeats ST02.
"""

from __future__ import annotations

from collections import defaultdict

from parsers.x12_writer import Segment
from rules.structure import dictionary_for, element_ref
from schemas.codes import CATALOGUE, ack_code
from schemas.findings import Finding
from schemas.x12 import Group, Interchange, TransactionSet
from schemas.x12dict import Dictionary

# Interchange errors after which the groups are still read and acknowledged (TA1 "E").
TA1_TOLERATED = {"IEA_CONTROL_MISMATCH", "IEA_GROUP_COUNT_MISMATCH"}


def _within(f: Finding, start: int, end: int) -> bool:
    fs = f.location.file_segment
    return fs is not None and start + 1 <= fs <= end + 1


def interchange_findings(ic: Interchange, findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if CATALOGUE.get(f.code) and CATALOGUE[f.code].level == "interchange"
            and (f.location.isa13 == ic.control_number or _within(f, ic.start, max(ic.end, ic.start)))]


def interchange_rejected(ic: Interchange, findings: list[Finding]) -> bool:
    if ic.rejected:
        return True
    return any(f.severity == "error" and f.code not in TA1_TOLERATED for f in interchange_findings(ic, findings))


def ta1_segment(ic: Interchange, findings: list[Finding]) -> list[str]:
    errors = [f for f in interchange_findings(ic, findings) if f.severity == "error"]
    note = "000"
    for f in errors:
        level, value = ack_code(f.code)
        if level == "TA1" and value:
            note = value
            break
    status = "A" if not errors else ("E" if all(f.code in TA1_TOLERATED for f in errors) and not ic.rejected
                                     else "R")
    date = (ic.date or "000000")[:6].rjust(6, "0")
    time = (ic.time or "0000")[:4].rjust(4, "0")
    isa13 = ic.control_number if ic.control_number.isdigit() else "0"
    return ["TA1", isa13.rjust(9, "0")[-9:], date, time, status, note]


def set_status(ts: TransactionSet, findings: list[Finding]) -> tuple[str, list[str], list[Finding]]:
    """(AK501 status, AK502.. codes, the set's segment/element findings)."""
    mine = [f for f in findings if _within(f, ts.start, ts.end)]
    set_codes: list[str] = []
    seg_findings: list[Finding] = []
    for f in mine:
        level, value = ack_code(f.code)
        if level == "AK5" and value and f.severity == "error" and value not in set_codes:
            set_codes.append(value)
        elif level in ("AK3", "AK4") and f.severity == "error":
            seg_findings.append(f)
    if seg_findings and "5" not in set_codes:
        set_codes.append("5")
    rejected = any(f.severity == "error" for f in mine if CATALOGUE.get(f.code) and
                   CATALOGUE[f.code].level in ("set", "segment", "element"))
    return ("R" if rejected else "A"), set_codes[:5], seg_findings


def group_rejected(g: Group, findings: list[Finding]) -> tuple[bool, list[str]]:
    codes: list[str] = []
    rejected = False
    for f in findings:
        spec = CATALOGUE.get(f.code)
        if not spec or spec.level != "group" or f.severity != "error":
            continue
        fs = f.location.file_segment
        if fs not in (g.start + 1, g.end + 1):
            continue
        rejected = True
        level, value = ack_code(f.code)
        if level == "AK9" and value and value not in codes:
            codes.append(value)
    return rejected, codes[:5]


def build_997(g: Group, findings: list[Finding], *, version: str = "004010") -> list[Segment]:
    """The body (AK1..AK9) of a 997 (in ``version``) acknowledging group ``g``. AK4-02 comes from the
    dictionary of the group's own version. When the group is rejected (AK9 R), no AK5 says A."""
    body: list[Segment] = [["AK1", g.functional_id, g.control_number] + ([g.version] if version >= "005010" else [])]
    accepted = 0
    group_is_rejected, group_codes = group_rejected(g, findings)
    their_dictionary = dictionary_for(g.version)
    our_dictionary = dictionary_for(version)
    for ts in g.transactions:
        status, codes, seg_findings = set_status(ts, findings)
        if group_is_rejected:
            status = "R"  # the group's rejection covers its sets (X12: AK9 R, so no set is accepted)
        body.append(["AK2", ts.set_id, ts.control_number])
        by_segment: dict[tuple[int, str], list[Finding]] = defaultdict(list)
        for f in seg_findings:
            pos = f.location.segment_position or ((f.location.file_segment or ts.start + 1) - ts.start)
            by_segment[(pos, f.location.segment_id)].append(f)
        for (pos, seg_id), fs in sorted(by_segment.items()):
            seg_level = [f for f in fs if ack_code(f.code)[0] == "AK3"]
            el_level = [f for f in fs if ack_code(f.code)[0] == "AK4"]
            code = ack_code(seg_level[0].code)[1] if seg_level else "8"
            loop = (seg_level[0] if seg_level else fs[0]).location.loop_id
            body.append(["AK3", (seg_id or "UNK")[:3], str(pos), loop, code])
            for f in el_level[:99]:
                position, component = element_position(f.location.element)
                ref = element_ref(their_dictionary, seg_id, position, component) if position else ""
                bad = (f.location.value or "")[:99]
                where: object = (str(position), str(component)) if component else str(position or 1)
                body.append(["AK4", where, ref, ak4_code(ack_code(f.code)[1], our_dictionary), bad])
        if status == "A":
            accepted += 1
        body.append(["AK5", status, *codes])
    rejected, codes = group_is_rejected, group_codes
    received = len(g.transactions)
    if rejected:
        status, accepted = "R", 0
    elif accepted == received:
        status = "A"
    elif accepted == 0:
        status = "R"
    else:
        status = "P"
    body.append(["AK9", status, str(received), str(received), str(accepted), *codes])
    return body


def ak4_code(code: str, d997: Dictionary | None) -> str:
    """An AK403 code the 997's own version defines: 004010's complete list of 723 lacks 12 (too many
    repetitions) and 13 (too many components); there they are reported as 3 (too many data elements)."""
    known = d997.codes("723") if d997 is not None else None
    return code if known is None or code in known else "3"


def element_position(ref: str) -> tuple[int, int]:
    """(element position, component position or 0) of a reference such as "PO102" or "PO105-01"."""
    element, _, component = ref.partition("-")
    position = int(element[-2:]) if element[-2:].isdigit() else 0
    return position, int(component) if component.isdigit() else 0


def accepted_sets(g: Group, findings: list[Finding]) -> list[TransactionSet]:
    rejected, _ = group_rejected(g, findings)
    if rejected:
        return []
    return [ts for ts in g.transactions if set_status(ts, findings)[0] == "A"]
