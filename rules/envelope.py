"""Envelope rules: ISA/GS/ST field syntax, trailer counts and control numbers, supported sets.

Input is a ParseResult (tree + trailers as received) and what we accept; output is findings.
Cross-file checks (duplicate ISA13) need state and live in rules.duplicates.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from parsers.x12_reader import ParseResult
from schemas.findings import Finding, finding
from schemas.interchange_codes import isa_codes
from schemas.x12 import FUNCTIONAL_ID, PROCESSED_SETS, Group, Interchange, TransactionSet, gs_id_valid
from schemas.x12dict import SUPPORTED_VERSIONS, base_version, functional_id_unknown

_VERSION = re.compile(r"^00[2-8]0\d$")
_DIGITS9 = re.compile(r"^\d{9}$")
# ISA14 (I13): 0 none, 1 a TA1; X12's later code list adds 2 (a TA1 only when the interchange is rejected) and 3 (only
# when rejected or accepted with errors noted). Taken in every release: a translator sending 2 or 3 under an older
# ISA12 asks for less than 1 does, never something we cannot answer (engine.acks.ta1_asked)
ACK_REQUESTED_CODES = ("0", "1", "2", "3")
_GS06 = re.compile(r"^\d{1,9}$")
_ST02 = re.compile(r"^[\x20-\x7e]{4,9}$")  # AN 4/9: any printable ASCII ("PO-1", "A.01"), not just letters and digits
_NUMBER = re.compile(r"^[0-9]{1,18}$")  # an N0 value as sent (ASCII digits: str.isdigit takes others)


@dataclass(frozen=True, slots=True)
class Acceptance:
    """What we accept: GS01 functional ids -> transaction sets, and GS08 base versions (None: any
    version, for a partner whose other versions get envelope checks only)."""

    sets: dict[str, frozenset[str]] = field(default_factory=lambda: {
        "PO": frozenset({"850"}), "OG": frozenset({"875", "876"}), "PC": frozenset({"860"}), "FA": frozenset({"997"})})
    versions: frozenset[str] | None = frozenset(SUPPORTED_VERSIONS)
    # GS02/GS03 outside AN 2/15: an error in what we send (rules.outbound), a warning in what we receive (the
    # group is taken and answered to the profile's ids: refusing it for an id would lose a valid order)
    ids_strict: bool = False
    # how the sets of a group in a version we hold no dictionary for are judged (the partner's x12.other_versions:
    # "common" or "envelope_only"): what GS_VERSION_UNKNOWN tells
    other_versions: str = "common"
    # the partner's x12.other_sets is "keep": a set no reader of ours processes (schemas.x12.PROCESSED_SETS: an 820,
    # an 852, a 204 we never heard of) in a group of a known GS01 is accepted on its syntax (AK5 A), not refused as
    # unsupported; the engine lists it as received, not processed
    keep_others: bool = False

    def kept(self, gid: str, set_id: str) -> bool:
        """Whether set ``set_id`` of a group ``gid`` is one we take without processing (keep_others): not a
        set we process, and in the group X12 puts it in; in a group we do not accept, also a set we know no
        group of (a 3-digit ST01 we never heard of). In a group we accept, an ST01 we do not know (a damaged
        "85O", a "998" among 997s) is still refused."""
        if not self.keep_others or set_id in PROCESSED_SETS:
            return False
        home = FUNCTIONAL_ID.get(set_id)
        if gid in self.sets:
            return home == gid
        return home == gid or (home is None and len(set_id) == 3 and set_id.isascii() and set_id.isdigit())


def check_envelopes(result: ParseResult, accept: Acceptance | None = None) -> list[Finding]:
    accept = accept or Acceptance()
    out: list[Finding] = []
    clean: set[tuple] = set()  # ISA / GS values (control numbers aside) found without a fault in this file
    for ic in result.interchanges:
        if ic.rejected:
            continue
        out.extend(_check_isa_again(ic, clean))
        for g in ic.groups:
            out.extend(_check_group_again(ic, g, accept, len(g.transactions), clean))
            out.extend(check_sets(ic, g, g.transactions, accept, set()))
        out.extend(_check_iea(ic))
    return [f.with_file(result.file) if result.file else f for f in out]


def _check_isa_again(ic: Interchange, clean: set[tuple]) -> list[Finding]:
    """_check_isa, skipped for an ISA whose every value but ISA13 equals one already found without a
    fault (a file of our own 856s or 810s repeats one envelope thousands of times): only its ISA13 is
    checked then; any fault there and the whole check runs, so the findings are _check_isa's."""
    e = ic.elements
    key = ("ISA", ic.raw_length, *e[:12], *e[13:]) if len(e) == 16 else None
    if key in clean and _DIGITS9.match(e[12].strip()):
        return []
    out = _check_isa(ic)
    if key is not None and not out:
        clean.add(key)
    return out


def _check_group_again(ic: Interchange, g: Group, accept: Acceptance, set_count: int, clean: set[tuple]
                       ) -> list[Finding]:
    """_check_group, skipped as _check_isa_again is for a GS whose values but GS06, set count and GE
    equal a faultless one's: only GS06 and GE02 are checked then (one accept per file)."""
    e = g.elements
    key = ("GS", set_count, g.has_trailer, g.trailer_count, *e[:5], *e[6:]) if len(e) >= 8 else None
    if key in clean and _GS06.match(g.control_number) and (not g.has_trailer or g.trailer_control == g.control_number):
        return []
    out = _check_group(ic, g, accept, set_count)
    if key is not None and not out:
        clean.add(key)
    return out


def _version_unknown(g: Group, accept: Acceptance, loc: dict) -> Finding:
    """GS_VERSION_UNKNOWN: GS08 names no X12 version and release. Element 480 (GS08, when GS07 is X): positions 1-3
    the version, 4-6 its release and subrelease, 7-12 an industry's or association's own identifier (004010VICS,
    005010X222A1: read as 004010, 005010). "004SPL" (a grammar's own name), "SPS" or "X12" name none: its sets are
    judged by no version's dictionary, and said so, never refused for it (the group is taken as any version we
    hold no dictionary for: x12.other_versions)."""
    judged = ("their envelopes alone (x12.other_versions = \"envelope_only\")" if accept.other_versions ==
              "envelope_only" else "what every X12 version agrees on (a segment id that is none, a mandatory segment "
              "or element missing) and their own counts, as a version we hold no dictionary for (003040, 007030 ...)")
    return finding("GS_VERSION_UNKNOWN", f"GS08 {g.version!r} names no X12 version and release (its first six "
                   "characters are the version and release, digits: 004010, 005010, then any industry identifier: "
                   f"004010VICS): no version's dictionary judges its sets, only {judged}; they are read and "
                   "answered. Ask the partner which X12 release its guide and translator follow.", seg="GS",
                   element="GS08", value=g.version, **loc)


def check_interchange(ic: Interchange, accept: Acceptance, set_counts: list[int], *, file: str = "",
                      set_ids: Sequence[Collection[str]] | None = None) -> list[Finding]:
    """check_envelopes for an interchange read a batch of sets at a time (engine.process_batches): its
    ISA, each group (``set_counts``: the sets each holds; ``set_ids``: their ST01s, which decide whether a group
    we do not accept is kept) and its IEA; its sets go to `check_sets`."""
    if ic.rejected:
        return []
    out = _check_isa(ic)
    for k, (g, count) in enumerate(zip(ic.groups, set_counts, strict=True)):
        out.extend(_check_group(ic, g, accept, count, set_ids[k] if set_ids is not None else None))
    out.extend(_check_iea(ic))
    return [f.with_file(file) if file else f for f in out]


def check_sets(ic: Interchange, g: Group, sets: list[TransactionSet], accept: Acceptance, seen: set[str],
               set_ids: Collection[str] | None = None) -> list[Finding]:
    """The ST/SE checks of ``sets`` of group ``g``, in order; ``seen``: the ST02s of the group met before
    (a group read in batches carries it from one batch to the next). The group's values are read once,
    and a set's checks build nothing unless one fails (the clean set is the hot path: 10,000 a run)."""
    out: list[Finding] = []
    isa13, gs06, gid = ic.control_number, g.control_number, g.functional_id
    accepted = accept.sets.get(gid)
    # a group we do not accept but keep (_kept_group: it holds an 820, an 852 ...): its sets we do not keep are
    # refused one by one (AK5 R 1); a group we do not accept at all is refused whole (GS_FUNCTIONAL_ID_UNSUPPORTED,
    # AK9 R 1, its sets' AK5 R 1: engine.acks.ak2_loops), without a finding per set
    kept_group = accepted is None and _kept_group(g, accept, set_ids)
    refused: dict[str, bool] = {}  # whether each ST01 of the group is refused as not supported (AK5 R 1)
    for ts in sets:
        set_id, st02 = ts.set_id, ts.control_number
        expected_gs = FUNCTIONAL_ID.get(set_id)
        refuses = refused.get(set_id)
        if refuses is None:
            refuses = refused[set_id] = not accept.kept(gid, set_id) and (
                set_id not in accepted if accepted is not None else kept_group)
        if (expected_gs and gid and expected_gs != gid) or refuses or not _ST02.match(st02) or st02 in seen:
            out.extend(_check_set(isa13, gs06, gid, refuses, ts, seen))
        else:
            seen.add(st02)
            if ts.has_trailer and (ts.trailer_count != str(ts.end - ts.start + 1) or ts.trailer_control != st02):
                out.extend(_check_se(isa13, gs06, ts))
    return out


def same_number(sent: str, expected: int | str) -> bool:
    """Whether an N0 trailer value (SE01, GE01, IEA01 counts; GE02 against GS06) is ``expected``: the same
    number, leading zeros or not ("012" is 12: X12.6 asks for them to be suppressed, the value is the
    same). Anything else must be the very same text."""
    if str(sent) == str(expected):
        return True
    other = str(expected)
    return bool(_NUMBER.match(sent) and _NUMBER.match(other)) and int(sent) == int(other)


def _check_iea(ic: Interchange) -> list[Finding]:
    out: list[Finding] = []
    if ic.has_trailer:
        stated = _stated_count(ic.trailer_count)
        if stated != ic.trailer_count and same_number(stated, len(ic.groups)):
            out.append(finding("IMPLIED_DECIMAL_STATED", f"IEA01 is N0 (a whole number, no decimal point) but was "
                               f"sent as {ic.trailer_count!r}: read as the count stated, {len(ic.groups)}.", seg="IEA",
                               element="IEA01", value=ic.trailer_count, isa13=ic.control_number,
                               file_segment=ic.end + 1))
        if not same_number(stated, len(ic.groups)):
            out.append(finding("IEA_GROUP_COUNT_MISMATCH", f"IEA01 says {ic.trailer_count or '(empty)'} groups;"
                               f" the interchange has {len(ic.groups)}.", seg="IEA", element="IEA01",
                               value=ic.trailer_count, isa13=ic.control_number, file_segment=ic.end + 1))
        if ic.trailer_control != ic.control_number:
            # by text, not by number: IEA02 and ISA13 are both I12, N0 9/9 (nine digits, leading zeros kept: a fixed
            # length), and X12.5 asks IEA02 to be identical to ISA13, so IEA02 '1' is a value of the wrong length,
            # not ISA13 000000001 written short (as GE02 '1' against GS06 '000000001' is: N0 1/9, same_number)
            short = same_number(ic.trailer_control, ic.control_number)
            out.append(finding("IEA_CONTROL_MISMATCH", f"IEA02 {ic.trailer_control!r} does not equal ISA13 "
                               f"{ic.control_number!r}" + (
                                   ": the same number, but IEA02 is nine digits as ISA13 is (N0 9/9, leading zeros "
                                   "kept), so the trailer is no copy of the header; the header's number is used"
                                   if short else "") + ".", seg="IEA", element="IEA02",
                               value=ic.trailer_control, isa13=ic.control_number, file_segment=ic.end + 1))
    return out


@lru_cache(maxsize=4096)  # strptime is slow, and a run's envelopes share a few dates
def _valid_date(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value, fmt)
        return True
    except ValueError:
        return False


def valid_time(value: str) -> bool:
    if not re.fullmatch(r"\d{4}(\d{2}(\d{1,2})?)?", value):
        return False
    hh, mm = int(value[:2]), int(value[2:4])
    ss = int(value[4:6]) if len(value) >= 6 else 0
    return hh < 24 and mm < 60 and ss < 60


def valid_date8(value: str) -> bool:
    return bool(re.fullmatch(r"\d{8}", value)) and _valid_date(value, "%Y%m%d")


def valid_date6(value: str) -> bool:
    """A YYMMDD date (GS04 before version 004010)."""
    return bool(re.fullmatch(r"\d{6}", value)) and _valid_date(value, "%y%m%d")


def _check_isa(ic: Interchange) -> list[Finding]:
    out: list[Finding] = []
    e = ic.elements
    isa13 = ic.control_number

    def bad(code: str, idx: int, msg: str) -> None:
        out.append(finding(code, msg, seg="ISA", element=f"ISA{idx:02d}", value=e[idx - 1] if len(e) >= idx else "",
                           isa13=isa13, file_segment=ic.start + 1))

    if len(e) != 16:
        out.append(finding("ISA_STRUCTURE_INVALID", f"ISA has {len(e)} elements; 16 are required.", seg="ISA",
                           isa13=isa13, file_segment=ic.start + 1))
        return out
    if ic.raw_length and ic.raw_length != 106:
        out.append(finding("ISA_NOT_FIXED_WIDTH", f"The ISA segment is {ic.raw_length} characters, not 106.",
                           seg="ISA", isa13=isa13, file_segment=ic.start + 1))
    version = e[11].strip()

    def coded(code: str, idx: int, what: str) -> None:
        allowed = isa_codes(f"ISA{idx:02d}", version)
        if e[idx - 1].strip() not in allowed:
            bad(code, idx, f"ISA{idx:02d} {e[idx - 1].strip()!r} is not {what} in control version {version or '?'} "
                f"({', '.join(sorted(allowed))}).")

    coded("ISA_AUTH_QUALIFIER_INVALID", 1, "an authorization information qualifier")
    coded("ISA_SECURITY_QUALIFIER_INVALID", 3, "a security information qualifier")
    coded("ISA_SENDER_QUALIFIER_INVALID", 5, "an interchange id qualifier")
    if not e[5].strip() or len(e[5].rstrip()) > 15:
        bad("ISA_SENDER_ID_INVALID", 6, "ISA06 must hold 1-15 characters.")
    coded("ISA_RECEIVER_QUALIFIER_INVALID", 7, "an interchange id qualifier")
    if not e[7].strip() or len(e[7].rstrip()) > 15:
        bad("ISA_RECEIVER_ID_INVALID", 8, "ISA08 must hold 1-15 characters.")
    if not (re.fullmatch(r"\d{6}", e[8].strip()) and _valid_date(e[8].strip(), "%y%m%d")):
        bad("ISA_DATE_INVALID", 9, f"ISA09 {e[8]!r} is not a valid YYMMDD date.")
    if not (re.fullmatch(r"\d{4}", e[9].strip()) and valid_time(e[9].strip())):
        bad("ISA_TIME_INVALID", 10, f"ISA10 {e[9]!r} is not a valid HHMM time.")
    if not _VERSION.match(e[11].strip()):
        bad("ISA_VERSION_INVALID", 12, f"ISA12 {e[11]!r} is not a valid control version (e.g. 00401, 00501).")
    if e[10] != "U" and (e[10].isalnum() or len(e[10]) != 1):
        bad("ISA_STANDARDS_ID_INVALID", 11, f"ISA11 {e[10]!r} is neither 'U' nor a repetition separator.")
    if _DIGITS9.match(e[12].strip()):
        pass
    elif _NUMBER.match(e[12].strip()) and len(e[12].strip()) < 9:
        # an ISA not written fixed-width ("*1*" for "*000000001*"): read as the number it is, like its other
        # unpadded fields; the TA1 echoes it padded (engine.acks.ta1_reference)
        if not (ic.raw_length and ic.raw_length != 106):  # else ISA_NOT_FIXED_WIDTH is reported above
            out.append(finding("ISA_NOT_FIXED_WIDTH", f"ISA13 {e[12]!r} is not padded to 9 digits; read as "
                               f"{e[12].strip().zfill(9)}.", seg="ISA", element="ISA13", value=e[12], isa13=isa13,
                               file_segment=ic.start + 1))
    else:
        bad("ISA_CONTROL_NUMBER_INVALID", 13, f"ISA13 {e[12]!r} is not a number of up to 9 digits.")
    if e[13].strip() not in ACK_REQUESTED_CODES:
        bad("ISA_ACK_REQUESTED_INVALID", 14, "ISA14 must be 0, 1, 2 or 3.")
    coded("ISA_USAGE_INVALID", 15, "a usage indicator (I information, P production, T test)")
    return out


def _check_group(ic: Interchange, g: Group, accept: Acceptance, set_count: int,
                 set_ids: Collection[str] | None = None) -> list[Finding]:
    out: list[Finding] = []
    loc = dict(isa13=ic.control_number, gs06=g.control_number, file_segment=g.start + 1)
    if len(g.elements) < 8 or not all(x.strip() for x in g.elements[:8]):
        out.append(finding("GS_ELEMENT_MISSING", f"GS has {len(g.elements)} elements; GS01-GS08 are mandatory.",
                           seg="GS", **loc))
    for element, value in (("GS02", g.sender), ("GS03", g.receiver)):
        if value.strip() and not gs_id_valid(value):
            out.append(finding(
                "GS_APPLICATION_ID_INVALID", f"{element} {value!r} is not an application id X12 allows (AN 2/15: "
                f"2 to 15 printable characters, no space at either end; it has {len(value)})"
                + ("." if accept.ids_strict else ": the group is taken, and its answers go to / are sent from the "
                   "profile's [x12] their_gs_id / our_gs_id instead. Ask the partner to correct its translator's "
                   "set-up."), severity="error" if accept.ids_strict else None, seg="GS", element=element,
                value=value, **loc))
    if g.functional_id not in accept.sets and not _kept_group(g, accept, set_ids):
        # a GS01 that is no code of 479 (a damaged "01"): said so, and that its 997 names the group by its sets
        # (engine.acks.ak101), so ops read why AK101 differs from the GS01 sent
        what = (f"GS01 {g.functional_id!r} is no functional identifier code (X12 element 479): the group is "
                "rejected (AK905 1) and its 997 names it by its sets' ST01 (AK101), with its GS06"
                if functional_id_unknown(g.functional_id, g.version) else
                f"Functional group {g.functional_id!r} is not accepted")
        out.append(finding("GS_FUNCTIONAL_ID_UNSUPPORTED", f"{what}.", seg="GS", element="GS01",
                           value=g.functional_id, **loc))
    version = base_version(g.version)
    if g.date and not (valid_date8(g.date) or (version < "004010" and valid_date6(g.date))):
        out.append(finding("GS_DATE_INVALID", f"GS04 {g.date!r} is not a valid "
                           f"{'YYMMDD or ' if version < '004010' else ''}CCYYMMDD date.", seg="GS",
                           element="GS04", value=g.date, **loc))
    if g.time and not valid_time(g.time):
        out.append(finding("GS_TIME_INVALID", f"GS05 {g.time!r} is not a valid time.", seg="GS", element="GS05",
                           value=g.time, **loc))
    if not _GS06.match(g.control_number):
        out.append(finding("GS_CONTROL_NUMBER_INVALID", f"GS06 {g.control_number!r} is not a 1-9 digit number.",
                           seg="GS", element="GS06", value=g.control_number, **loc))
    if g.functional_id in accept.sets and accept.versions is not None and version not in accept.versions:
        out.append(finding("GS_VERSION_UNSUPPORTED", f"GS08 {g.version!r} is not a version we accept "
                           f"({', '.join(sorted(accept.versions))}).", seg="GS", element="GS08", value=g.version,
                           **loc))
    elif g.version.strip() and len(version) != 6:
        out.append(_version_unknown(g, accept, loc))
    if g.has_trailer:
        stated = _stated_count(g.trailer_count)
        if stated != g.trailer_count and same_number(stated, set_count):
            out.append(finding("IMPLIED_DECIMAL_STATED", f"GE01 is N0 (a whole number, no decimal point) but was "
                               f"sent as {g.trailer_count!r}: read as the count stated, {set_count}.", seg="GE",
                               element="GE01", value=g.trailer_count, isa13=ic.control_number,
                               gs06=g.control_number, file_segment=g.end + 1))
        if not same_number(stated, set_count):
            out.append(finding("GE_SET_COUNT_MISMATCH", f"GE01 says {g.trailer_count or '(empty)'} sets; the group"
                               f" has {set_count}.", seg="GE", element="GE01", value=g.trailer_count,
                               isa13=ic.control_number, gs06=g.control_number, file_segment=g.end + 1))
        control = _stated_count(g.trailer_control)  # GE02, N0 too: "7." is GS06 7, as "0007" is
        if control != g.trailer_control and same_number(control, g.control_number):
            out.append(finding("IMPLIED_DECIMAL_STATED", f"GE02 is N0 (a whole number, no decimal point) but was "
                               f"sent as {g.trailer_control!r}: read as the number stated, GS06 "
                               f"{g.control_number}.", seg="GE", element="GE02", value=g.trailer_control,
                               isa13=ic.control_number, gs06=g.control_number, file_segment=g.end + 1))
        if not same_number(control, g.control_number):
            out.append(finding("GE_CONTROL_MISMATCH", f"GE02 {g.trailer_control!r} does not equal GS06 "
                               f"{g.control_number!r}.", seg="GE", element="GE02", value=g.trailer_control,
                               isa13=ic.control_number, gs06=g.control_number, file_segment=g.end + 1))
    return out


def _kept_group(g: Group, accept: Acceptance, set_ids: Collection[str] | None = None) -> bool:
    """A group whose GS01 we do not accept, taken because it holds a set we keep (Acceptance.kept: an 820 in
    its GS RA group, for a partner whose other_sets is "keep"): its GS01 a code of 479 as far as we can tell.
    ``set_ids``: the group's ST01s when its sets are not all in ``g`` (a group read in batches)."""
    if not accept.keep_others or functional_id_unknown(g.functional_id, g.version):
        return False
    ids = set_ids if set_ids is not None else {ts.set_id for ts in g.transactions}
    return any(accept.kept(g.functional_id, set_id) for set_id in ids)


def _check_set(isa13: str, gs06: str, gid: str, refused: bool, ts: TransactionSet,
               seen: set[str]) -> list[Finding]:
    """The ST/SE checks of one set of a group (``gid``: its GS01; ``refused``: the set is not supported,
    Acceptance.refuses)."""
    out: list[Finding] = []
    loc = dict(isa13=isa13, gs06=gs06, st02=ts.control_number, file_segment=ts.start + 1)
    expected_gs = FUNCTIONAL_ID.get(ts.set_id)
    if expected_gs and gid and expected_gs != gid:
        out.append(finding("ST_SET_ID_MISMATCH", f"ST01 {ts.set_id} does not belong in a {gid} group.",
                           seg="ST", element="ST01", value=ts.set_id, segment_position=1, **loc))
    elif refused:
        out.append(finding("ST_SET_UNSUPPORTED", f"Transaction set {ts.set_id!r} is not accepted.", seg="ST",
                           element="ST01", value=ts.set_id, segment_position=1, **loc))
    if not _ST02.match(ts.control_number):
        out.append(finding("ST_CONTROL_NUMBER_INVALID", f"ST02 {ts.control_number!r} is not 4-9 printable characters.",
                           seg="ST", element="ST02", value=ts.control_number, segment_position=1, **loc))
    elif ts.control_number in seen:
        out.append(finding("ST_CONTROL_NUMBER_DUPLICATE", f"ST02 {ts.control_number} repeats within group "
                           f"{gs06}.", seg="ST", element="ST02", value=ts.control_number,
                           segment_position=1, **loc))
    seen.add(ts.control_number)
    if ts.has_trailer:
        out.extend(_check_se(isa13, gs06, ts))
    return out


# A trailer count (SE01, GE01, IEA01), or GE02, written as a whole number with its decimal point ("12.", "12.0",
# as translators fed by spreadsheets write their N0 numbers): the number it states, with the warning the element
# checks give any other N0 so written (IMPLIED_DECIMAL_STATED; the 997 notes SE01's in AK4, the TA1 IEA01's with
# TA104 E / TA105 021; X12 has no 997 code for GE01's or GE02's, so AK9 says A). A number that differs is still
# a mismatch.
_POINTED_WHOLE = re.compile(r"([0-9]+)\.0*")


def _stated_count(sent: str) -> str:
    """A trailer count as the count it states: "12.0" and "12." are "12"; anything else as sent (same_number
    compares)."""
    m = _POINTED_WHOLE.fullmatch(sent or "")
    return m.group(1) if m is not None else sent


def _check_se(isa13: str, gs06: str, ts: TransactionSet) -> list[Finding]:
    out: list[Finding] = []
    stated = _stated_count(ts.trailer_count)
    if stated != ts.trailer_count and same_number(stated, ts.segment_count):  # the element checks skip SE
        out.append(finding("IMPLIED_DECIMAL_STATED", f"SE01 is N0 (a whole number, no decimal point) but was sent "
                           f"as {ts.trailer_count!r}: read as the count stated, {ts.segment_count}.", seg="SE",
                           element="SE01", value=ts.trailer_count, segment_position=ts.segment_count, isa13=isa13,
                           gs06=gs06, st02=ts.control_number, file_segment=ts.end + 1))
    if not same_number(stated, ts.segment_count):
        out.append(finding("SE_COUNT_MISMATCH", f"SE01 says {ts.trailer_count or '(empty)'} segments; the set "
                           f"has {ts.segment_count}.", seg="SE", element="SE01", value=ts.trailer_count,
                           segment_position=ts.segment_count, isa13=isa13, gs06=gs06,
                           st02=ts.control_number, file_segment=ts.end + 1))
    if ts.trailer_control != ts.control_number:
        out.append(finding("SE_CONTROL_MISMATCH", f"SE02 {ts.trailer_control!r} does not equal ST02 "
                           f"{ts.control_number!r}.", seg="SE", element="SE02", value=ts.trailer_control,
                           segment_position=ts.segment_count, isa13=isa13, gs06=gs06,
                           st02=ts.control_number, file_segment=ts.end + 1))
    return out
