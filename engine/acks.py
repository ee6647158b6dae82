"""997 and TA1 as pure functions of what was received and the findings about it.

Findings map to AK3/AK4/AK5/AK9 and TA1 note codes through schemas.codes. A finding belongs to a
set (or group, interchange) by its file segment ordinal, which is unambiguous even when a partner
repeats ST02. Whatever came in, what we send is valid X12: every echoed value passes through the
"sendable" section at the end of this module (the one place that decides what may be echoed).
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime

import numpy as np

from parsers.x12_writer import Segment
from rules.structure import dictionary_for, element_ref
from schemas.codes import CATALOGUE, ack_code
from schemas.findings import Finding, finding
from schemas.x12 import FUNCTIONAL_ID, Group, Interchange, TransactionSet
from schemas.x12dict import Dictionary, functional_id_unknown

# Interchange errors after which the groups are still read and acknowledged (TA1 "E").
TA1_TOLERATED = {"IEA_CONTROL_MISMATCH", "IEA_GROUP_COUNT_MISMATCH"}

# Warnings the 997 notes with their AK3/AK4 although the set is accepted (AK501 E, "accepted but errors were
# noted"; AK901 E when every set is accepted): syntax deviations whose meaning is unambiguous and which we read,
# so the partner learns of them without losing the document (SAC05 "25.00" in an N2: AK4 code 6).
NOTED_IN_997 = frozenset({"IMPLIED_DECIMAL_STATED",
                          # an element error in what an order is not made of, accepted ([x12] element_errors
                          # "accept": rules.lenient): a REF02 of 40 in 004010, a ":" in a PID05 (AK4 5, 6)
                          "ELEMENT_TOO_LONG_ACCEPTED", "ELEMENT_CHARACTER_ACCEPTED", "ELEMENT_REPEATS_ACCEPTED",
                          # a 3PL's 945 deviation its reader reads (engine.warehouse_acks.READ_DEVIATIONS: only those
                          # are ever warnings; a partner's set with one of these is refused, an error)
                          "SEGMENT_NOT_IN_SET", "SEGMENT_OUT_OF_ORDER", "ELEMENT_TOO_LONG", "ELEMENT_TOO_SHORT"})
# Warnings the TA1 notes (TA104 E, accepted with errors noted) with the TA105 code X12 has for them, by finding
# code and element: an IEA01 count written with its decimal point ("1.", read as the count it states) is an
# invalid number of included groups value (021). The 997 has no code for a GE01 so written (AK905 5 says the
# count differs, which it does not): its group is acknowledged A, the warning kept in our reports.
TA1_NOTED = {("IMPLIED_DECIMAL_STATED", "IEA01"): "021"}
# AK501 codes of a set that is processed: accepted, or accepted with errors noted
SET_ACCEPTED = frozenset({"A", "E"})


def _within(f: Finding, start: int, end: int) -> bool:
    fs = f.location.file_segment
    return fs is not None and start + 1 <= fs <= end + 1


def interchange_findings(ic: Interchange, findings: list[Finding]) -> list[Finding]:
    """The interchange-level findings about ``ic``: by position when the finding has one (two copies of an
    interchange share their ISA13), else by ISA13."""
    return [f for f in findings if CATALOGUE.get(f.code) and CATALOGUE[f.code].level == "interchange"
            and (_within(f, ic.start, max(ic.end, ic.start)) if f.location.file_segment is not None
                 else f.location.isa13 == ic.control_number)]


def interchange_rejected(ic: Interchange, findings: list[Finding]) -> bool:
    if ic.rejected:
        return True
    return any(f.severity == "error" and f.code not in TA1_TOLERATED for f in interchange_findings(ic, findings))


def _ta1_status(ic: Interchange, findings: list[Finding]) -> tuple[list[Finding], list[str], str]:
    """(the interchange's errors, the TA105 codes of its noted warnings, TA104: R, E or A)."""
    errors = [f for f in interchange_findings(ic, findings) if f.severity == "error"]
    warned = [TA1_NOTED[key] for f in findings if f.severity == "warning"
              and (key := (f.code, f.location.element)) in TA1_NOTED and _within(f, ic.start, max(ic.end, ic.start))]
    if ic.rejected or any(f.code not in TA1_TOLERATED for f in errors):
        return errors, warned, "R"
    return errors, warned, "E" if errors or warned else "A"


def ta1_asked(ic: Interchange, findings: list[Finding]) -> bool:
    """Whether ``ic``'s ISA14 asks for a TA1 given what was found: 1 always; 2 only when the TA1 would reject it (R);
    3 when it would reject it or note errors (R or E); 0 (or anything else) never."""
    code = ic.ack_requested
    if code == "1":
        return True
    if code not in ("2", "3"):
        return False
    status = _ta1_status(ic, findings)[2]
    return status == "R" or (code == "3" and status == "E")


def ta1_segment(ic: Interchange, findings: list[Finding], *, today: date) -> list[str]:
    """TA1 for ``ic``; TA101-TA103 echo ISA13/ISA09/ISA10 where they are valid (`ta1_reference`)."""
    errors, warned, status = _ta1_status(ic, findings)
    # TA105 names why: for a rejection (R), an error that rejects it before one that is only tolerated
    # (a duplicate ISA13 whose IEA02 also differs is answered R 025, not R 001); a noted warning after errors
    noted = sorted(errors, key=lambda f: status == "R" and f.code in TA1_TOLERATED)
    note = next((value for level, value in map(ack_code, (f.code for f in noted)) if level == "TA1" and value),
                warned[0] if warned else "000")
    return ["TA1", *ta1_reference(ic, today), status, note]


def findings_by_set(sets: list[TransactionSet], findings: list[Finding]) -> list[list[Finding]]:
    """Each set's findings (those whose file segment lies within it, as ``_within`` says), in the order
    of ``findings``: one sort of the findings and one search of all the sets' bounds in them, instead
    of every finding looked at for every set."""
    located = sorted((f.location.file_segment, i) for i, f in enumerate(findings)
                     if f.location.file_segment is not None)
    if not located:
        return [[] for _ in sets]
    keys = np.fromiter((fs for fs, _ in located), np.int64, len(located))
    n = len(sets)
    lo = np.searchsorted(keys, np.fromiter((ts.start for ts in sets), np.int64, n) + 1, "left").tolist()
    hi = np.searchsorted(keys, np.fromiter((ts.end for ts in sets), np.int64, n) + 1, "right").tolist()
    return [[findings[i] for i in sorted(i for _, i in located[a:b])] if a < b else []
            for a, b in zip(lo, hi, strict=True)]


# status_of([]): the status of a set without findings (the usual case), one shared value: read only
ACCEPTED: tuple[str, list[str], list[Finding]] = ("A", [], [])


def statuses_of(sets: list[TransactionSet], findings: list[Finding]) -> list[tuple[str, list[str], list[Finding]]]:
    """status_of each set's findings_by_set; the sets without findings share ACCEPTED (ak2_loops
    writes a group of those from its columns)."""
    return [status_of(mine) if mine else ACCEPTED for mine in findings_by_set(sets, findings)]


def status_of(mine: list[Finding]) -> tuple[str, list[str], list[Finding]]:
    """(AK501 status, AK502.. codes, the set's segment/element findings) from the set's own findings
    (findings_by_set): R when one of them is an error of the set, its segments or elements; E (accepted,
    errors noted) when it has none but a warning the 997 notes (NOTED_IN_997); else A."""
    set_codes: list[str] = []
    seg_findings: list[Finding] = []
    for f in mine:
        level, value = ack_code(f.code)
        if level == "AK5" and value and f.severity == "error" and value not in set_codes:
            set_codes.append(value)
        elif level in ("AK3", "AK4") and (f.severity == "error" or f.code in NOTED_IN_997):
            seg_findings.append(f)
    if seg_findings and "5" not in set_codes:
        set_codes.append("5")
    rejected = any(f.severity == "error" for f in mine if CATALOGUE.get(f.code) and
                   CATALOGUE[f.code].level in ("set", "segment", "element"))
    return ("R" if rejected else "E" if seg_findings else "A"), set_codes[:5], seg_findings


def group_rejected(g: Group, findings: list[Finding], *, version: str = "") -> tuple[bool, list[str]]:
    """(rejected, AK905.. codes in the 997 ``version``) from the group-level findings about ``g``."""
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
        level, value = ack_code(f.code, version=version)
        if level == "AK9" and value and value not in codes:
            codes.append(value)
    return rejected, codes[:5]


def build_997(g: Group, findings: list[Finding], *, version: str = "004010", avoid: str = "") -> list[Segment]:
    """The body (AK1..AK9) of a 997 (in ``version``) acknowledging group ``g``. AK4-02 comes from the
    dictionary of the group's own version. When the group is rejected (AK9 R), no AK5 says A. Every
    echoed value is sendable (see the section at the end); ``avoid``: the delimiters the 997 will be
    written with, which no AK404 copy carries."""
    head = ak1_segment(g, version)
    group_is_rejected, group_codes = group_rejected(g, findings, version=version)
    loops, accepted = ak2_loops(g, g.transactions, findings, group_is_rejected=group_is_rejected, version=version,
                                avoid=avoid)
    return [head, *loops, ak9_segment(group_is_rejected, group_codes, received=len(g.transactions), accepted=accepted,
                                      included=g.trailer_count if g.has_trailer else None, noted=noted_in(loops))]


def ak1_segment(g: Group, version: str) -> Segment:
    """AK1 of the 997 (in ``version``) for group ``g`` (build_997's head)."""
    named = ak101(g)
    if named is None:
        raise ValueError("a group whose GS01/GS06 cannot be echoed gets no 997 (see unnameable_groups)")
    return ["AK1", named, g.control_number] + (
        [g.version] if version >= "005010" and _sendable(g.version, "AN", 1, 12) else [])


def ak2_loops(g: Group, sets: list[TransactionSet], findings: list[Finding], *, group_is_rejected: bool,
              version: str, statuses: list[tuple[str, list[str], list[Finding]]] | None = None,
              avoid: str = "", group_codes: list[str] | None = None) -> tuple[list[Segment], int]:
    """The AK2..AK5 loops of ``sets`` (of group ``g``, in order) and how many of them are accepted: the
    middle of build_997, which a group read a batch of sets at a time builds batch by batch.
    ``statuses``: each set's status_of, when the caller has them already. The usual group (not
    rejected, every set accepted without findings and nameable) is written from the sets' ST01/ST02
    columns at once; otherwise set by set."""
    if statuses is None:
        statuses = statuses_of(sets, findings)
    named = sets_nameable(sets)
    if not group_is_rejected and named is None and all(st is ACCEPTED for st in statuses):
        return [seg for ts in sets for seg in (ak2_segment(ts, version), ["AK5", "A"])], len(sets)
    body: list[Segment] = []
    accepted = 0
    # a group refused as not supported (AK905 1, GS_FUNCTIONAL_ID_UNSUPPORTED): each of its sets that has no error
    # of its own is not supported either (AK502 1), so a partner's translator reads why its 820 was refused
    # (``group_codes``: the group's AK905 codes when ``findings`` do not hold its group findings, a batch's)
    unsupported = group_is_rejected and "1" in (group_codes if group_codes is not None else
                                                group_rejected(g, findings)[1])
    their_dictionary = dictionary_for(g.version)
    # a 997 before 004010 (003040-003070) takes 004010's AK403 list, which holds theirs (1-10; 12 and 13 came later)
    our_dictionary = dictionary_for(version if version >= "004010" else "004010")
    for k, (ts, (status, codes, seg_findings)) in enumerate(zip(sets, statuses, strict=True)):
        if named is not None and not named[k]:
            continue  # no AK2 can name it: counted as received, not accepted (AK9)
        if group_is_rejected:
            status = "R"  # the group's rejection covers its sets (X12: AK9 R, so no set is accepted)
        body.append(ak2_segment(ts, version))
        by_segment: dict[tuple[int, str], list[Finding]] = defaultdict(list)
        for f in seg_findings:
            pos = f.location.segment_position or ((f.location.file_segment or ts.start + 1) - ts.start)
            by_segment[(pos, f.location.segment_id)].append(f)
        for (pos, seg_id), fs in sorted(by_segment.items()):
            # one AK3 per segment error code, then AK304 8 with the AK4s when it has element errors (as
            # pyx12 writes it): AK4s never stand under an AK3 whose code says something else (AK3*N4*9**7)
            el_level = [f for f in fs if ack_code(f.code)[0] == "AK4"]
            notes = list(dict.fromkeys(ack_code(f.code)[1] for f in fs if ack_code(f.code)[0] == "AK3"))
            notes = [code for code in notes if code and code != "8"] + (["8"] if el_level else [])
            loop = next((f.location.ack_loop for f in fs if f.location.ack_loop), "")  # AK303: LS/LE loops only
            for code in notes:
                ak3 = sendable_ak3(seg_id, pos, loop, code, version)
                if ak3 is None:
                    break  # a segment id we cannot echo: AK5 still reports the set's errors
                body.append(ak3)
                if code != "8":
                    continue
                for f in el_level[:99]:
                    position, component = element_position(f.location.element)
                    ref = element_ref(their_dictionary, seg_id, position, component) if position else ""
                    # AK401 is one number before 003050 (C030, the element and component positions, came then)
                    body.append(sendable_ak4(position, ref, ak4_code(ack_code(f.code)[1], our_dictionary),
                                             f.location.value, component=component if version >= "003050" else 0,
                                             avoid=avoid))
        if status in SET_ACCEPTED:
            accepted += 1
        body.append(["AK5", status, *(codes or (["1"] if unsupported else []))])
    return body, accepted


def ak2_segment(ts: TransactionSet, version: str) -> Segment:
    """AK2 for set ``ts`` in a 997 of ``version``: AK203 (005010 and later; 004010..004060 have no AK203)
    echoes the set's ST03, the implementation convention it names (X12 RFI 1438: whatever the sender
    put in ST03, when it is valid AN 1/35; here also only when it holds no delimiter-like character, as
    AK404's copies), so a partner that sends several conventions of one set can match the answer;
    left out when the set has none or it cannot be sent."""
    if version >= "005010" and _sendable(ts.implementation, "AN", 1, 35) and _COPY_SAFE.fullmatch(ts.implementation):
        return ["AK2", ts.set_id, ts.control_number, ts.implementation]
    return ["AK2", ts.set_id, ts.control_number]


def noted_in(loops: list[Segment]) -> bool:
    """Whether some set of these AK2 loops is accepted with errors noted (AK5 E)."""
    return any(seg[0] == "AK5" and seg[1] == "E" for seg in loops)


# GE01 as the whole number it states: ASCII digits, with a decimal point and zeros after it or not ("2", "2.0")
_WHOLE_COUNT = re.compile(r"([0-9]+)(?:\.0*)?")


def ak9_segment(group_is_rejected: bool, group_codes: list[str], *, received: int, accepted: int,
                included: str | None = None, noted: bool = False) -> Segment:
    """AK9 (build_997's tail): AK902 the sets the group says it includes (``included``: GE01 as received,
    as Bots and other translators echo it, so a GE01 that disagrees with the count, AK905 5, shows both
    numbers), AK903 the ``received`` sets, AK904 ``accepted`` of them (none when the group is rejected).
    A GE01 written with its decimal point ("2.0", "2.") is echoed as the whole number it states (AK902 is N0).
    Without a GE, or a GE01 that is no number of at most 6 digits (leading zeros dropped), AK902 is the
    received count. AK901 E (accepted, errors noted) when every set is accepted and some set's AK5 is E
    (``noted``, noted_in its loops)."""
    if group_is_rejected:
        status, accepted = "R", 0
    elif accepted == received:
        status = "E" if noted else "A"  # E: accepted, errors noted (a set's AK5 E)
    elif accepted == 0:
        status = "R"
    else:
        status = "P"
    whole = _WHOLE_COUNT.fullmatch(included or "")
    digits = whole.group(1).lstrip("0") if whole is not None else ""
    stated = (digits or "0") if whole is not None and len(digits) <= 6 else str(received)
    return ["AK9", status, stated, str(received), str(accepted), *group_codes]


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
    statuses = statuses_of(g.transactions, findings)
    return [ts for ts, (status, _, _) in zip(g.transactions, statuses, strict=True) if status in SET_ACCEPTED]


# --- sendable: what we echo is valid X12, whatever came in ----------------------------------------
# TA1 and 997 elements echo what the partner sent. Where that is not a valid value of the element
# we write (type, length, characters), X12 leaves three ways out, used here in this order:
#  - an optional element is left out (AK103, AK303, AK402, AK404);
#  - a mandatory element of the TA1, whose interchange may be unreadable, gets a defined
#    substitute: TA101 000000000 (X12 RFI 2102: nothing can be echoed, defaults by agreement),
#    TA102 the date we processed the file, TA103 0000;
#  - an optional loop is left out when its mandatory head cannot be written (AK2 for an ST that
#    cannot be named, AK3 for a segment id that cannot be echoed); the set's AK5 / the group's AK9
#    still carry the errors and counts. A group whose GS01 or GS06 cannot be echoed (AK1 is
#    mandatory) gets no 997: its interchange is answered with TA1 024 (unnameable_groups). AK101 is
#    an ID of 479: a GS01 that is no such code is named by its sets' ST01 where they agree (ak101).
# whole values only (fullmatch): a "$" also matches before a final line break, so re.match let "N903 text\n"
# through as a copy (pubother: a note broken across lines put a line break in our AK404)
_ID = re.compile(r"[A-Z0-9]+")
# AK404 copies a bad value only when every character is a letter, digit, space or one of these: the
# X12 basic and extended characters that are not usually delimiters, so the copy never forces the
# 997 onto other delimiters, and never carries control or non-ASCII characters.
_COPY_SAFE = re.compile(r"[A-Za-z0-9 \"&'()+,\-./;?=%@#$_]+")


def _sendable(value: str | None, kind: str, low: int, high: int) -> bool:
    """``value`` is a valid X12 element of type ``kind`` (N0, ID, AN) and length low..high."""
    if value is None or not low <= len(value) <= high:
        return False
    if kind == "N0":
        return value.isascii() and value.isdigit()
    if kind == "ID":
        return bool(_ID.fullmatch(value))
    return value.isascii() and value.isprintable() and bool(value.strip())


def _valid_yymmdd(value: str) -> bool:
    try:
        return len(value) == 6 and value.isdigit() and bool(datetime.strptime(value, "%y%m%d"))
    except ValueError:
        return False


def _valid_hhmm(value: str) -> bool:
    return len(value) == 4 and value.isascii() and value.isdigit() and int(value[:2]) < 24 and int(value[2:]) < 60


def ta1_reference(ic: Interchange, today: date) -> tuple[str, str, str]:
    """TA101, TA102, TA103: ISA13, ISA09, ISA10 as received when valid (a 1-9 digit ISA13 is padded
    to its 9 digits), else 000000000, the processing date, 0000."""
    isa13 = ic.control_number
    control = isa13.rjust(9, "0") if _sendable(isa13, "N0", 1, 9) else "000000000"
    day = ic.date if _valid_yymmdd(ic.date) else today.strftime("%y%m%d")
    time = ic.time if _valid_hhmm(ic.time) else "0000"
    return control, day, time


def group_nameable(g: Group) -> bool:
    """AK101/AK102 can echo GS01 (ID 2/2) and GS06 (N0 1/9)."""
    return _sendable(g.functional_id, "ID", 2, 2) and _sendable(g.control_number, "N0", 1, 9)


def ak101(g: Group) -> str | None:
    """AK101, the functional identifier code (479) the 997 names group ``g`` by; None when nothing can
    (unnameable_groups: TA1 024). GS01 as received when it is valid syntax and, as far as we can tell, a
    479 code of the group's release (schemas.x12dict.functional_id_unknown: a code a later release added
    is echoed). A GS01 that is no 479 code (a damaged "01") is named by the functional identifier its sets'
    ST01 imply (850 -> PO, 860 -> PC: schemas.x12.FUNCTIONAL_ID) when they all agree: AK101 must be a code
    of 479, and GS06 (AK102) still names the partner's group; the group itself is rejected by its
    GS_FUNCTIONAL_ID_UNSUPPORTED (AK9 R, AK905 1). No sets, sets of other groups or ST01s we do not know:
    None."""
    if not group_nameable(g):
        return None
    if not functional_id_unknown(g.functional_id, g.version):
        return g.functional_id
    implied = {FUNCTIONAL_ID.get(ts.set_id) for ts in g.transactions}
    only = implied.pop() if len(implied) == 1 else None
    return only if only is not None and not functional_id_unknown(only, g.version) else None


def set_nameable(ts: TransactionSet) -> bool:
    """AK201/AK202 can echo ST01 (ID 3/3) and ST02 (AN 4/9)."""
    return _sendable(ts.set_id, "ID", 3, 3) and _sendable(ts.control_number, "AN", 4, 9)


def sets_nameable(sets: list[TransactionSet]) -> list[bool] | None:
    """set_nameable of each of ``sets``; None when every one is (the usual case), found from all the
    ST01s and ST02s at once: each distinct ST01 checked, the ST02s' lengths, and their characters
    joined (printable ASCII without a blank: no ST02 is blank). Else set by set."""
    numbers = [ts.control_number for ts in sets]
    try:
        joined = "".join(numbers)
    except TypeError:  # a missing ST02
        return [set_nameable(ts) for ts in sets]
    if not numbers or (joined.isascii() and joined.isprintable() and " " not in joined
                       and min(map(len, numbers)) >= 4 and max(map(len, numbers)) <= 9
                       and all(_sendable(set_id, "ID", 3, 3) for set_id in {ts.set_id for ts in sets})):
        return None
    return [set_nameable(ts) for ts in sets]


def unnameable_groups(ic: Interchange) -> list[Finding]:
    """An interchange-level error (TA1 024, invalid interchange content) for each group of ``ic`` that
    a 997 cannot name (ak101): its GS01 or GS06 is not valid syntax, or its GS01 is no functional
    identifier code and its sets' ST01 do not name one."""
    if ic.rejected:
        return []
    out = []
    for g in ic.groups:
        if ak101(g) is not None:
            continue
        gs01_bad = not _sendable(g.functional_id, "ID", 2, 2) or _sendable(g.control_number, "N0", 1, 9)
        why = (f"GS01 {g.functional_id!r} is no functional identifier code (X12 element 479) and its sets' ST01 "
               "name none, so no 997 can name the group (AK101)" if group_nameable(g) else
               f"GS01 {g.functional_id!r} / GS06 {g.control_number!r} cannot be echoed in a 997 (AK1)")
        out.append(finding("ISA_CONTENT_INVALID", f"{why}; the interchange is answered with TA1 024 instead.", seg="GS",
                           element="GS01" if gs01_bad else "GS06",
                           value=g.functional_id if gs01_bad else g.control_number,
                           isa13=ic.control_number, file_segment=g.start + 1))
    return out


def sendable_ak3(seg_id: str, position: int, loop: str, code: str, version: str) -> list[str] | None:
    """AK3, or None when the segment id cannot be echoed (AK301 ID 2/3) or its position written."""
    high = 10 if version >= "005010" else 6
    if not _sendable(seg_id, "ID", 2, 3) or not _sendable(str(position), "N0", 1, high) or position < 1:
        return None
    loop_high = 4 if version >= "005010" else 6
    return ["AK3", seg_id, str(position), loop if _sendable(loop, "AN", 1, loop_high) else "", code]


def sendable_ak4(position: int, ref: str, code: str, bad: str | None, *, component: int = 0,
                 avoid: str = "") -> list:
    """AK4: element position 1-99 (with the component position 1-99 when the error is in one),
    AK402 only when a 1-4 digit reference, and AK404, the copy of the bad value, only when
    `_COPY_SAFE` (first 99 characters, trailing spaces dropped as X12 asks) and free of ``avoid``, the
    delimiters the 997 is written with (a profile may choose "+" or "'", which `_COPY_SAFE` allows)."""
    element = str(min(max(position, 1), 99))
    where: object = (element, str(component)) if 1 <= component <= 99 else element
    copy = (bad or "")[:99].rstrip(" ")
    safe = _COPY_SAFE.fullmatch(copy) and not any(c in copy for c in avoid)
    return ["AK4", where, ref if _sendable(ref, "N0", 1, 4) else "", code, copy if safe else ""]
