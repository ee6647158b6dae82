"""Catalogue of every finding code: level, default severity, and the TA1/997 code it maps to.

The ack builders (engine.acks) are pure functions of findings through this table, and
docs/error-codes.md is checked against it by a test. Definitions only; no logic beyond lookups.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["file", "interchange", "group", "set", "segment", "element", "business", "outbound"]


@dataclass(frozen=True, slots=True)
class CodeSpec:
    code: str
    level: Level
    severity: Literal["error", "warning"]
    ack: str  # "TA1:026", "AK9:4", "AK5:4", "AK3:7", "AK4:5" or "" (not reported in an ack)
    text: str
    ack_since: str = ""  # the first 997 version whose code list has the ack code ("" = every version)
    reserved: str = ""  # why no check emits this code yet ("" = some check emits it)


_C = CodeSpec
CATALOGUE: dict[str, CodeSpec] = {
    c.code: c
    for c in [
        # --- the file itself -------------------------------------------------------------
        _C("X12_NOT_EDI", "file", "error", "", "No ISA interchange header found; the file is not X12."),
        _C("X12_LEADING_GARBAGE", "file", "warning", "", "Bytes before the first ISA were ignored."),
        _C("X12_TRAILING_GARBAGE", "file", "warning", "", "Data after the last IEA was ignored."),
        _C("X12_BETWEEN_INTERCHANGES", "file", "warning", "",
           "Lines between two interchanges that are not X12 (a VAN mailbox's header or trailer) were ignored."),
        _C("X12_NOT_UTF8", "file", "warning", "",
           "The file is not valid UTF-8; it was read as Windows-1252 (Latin-1)."),
        _C("X12_EBCDIC", "file", "warning", "",
           "The file is EBCDIC (a mainframe's code page 037), sent in binary rather than as text; it was read as "
           "such."),
        _C("X12_EMPTY_SEGMENT", "file", "warning", "", "An empty segment (two terminators in a row) was skipped."),
        _C("X12_TERMINATOR_IS_SPACE", "file", "warning", "",
           "ISA16 is followed by a space; line breaks were used as the segment terminator."),
        _C("X12_TRAILING_COMPONENT_SEPARATOR", "file", "warning", "",
           "Segments end with the component separator; the empty trailing component was dropped."),
        _C("X12_LINES_WRAPPED", "file", "warning", "",
           "The file is cut into fixed-length lines inside its segments; the line breaks were ignored."),
        _C("FILE_DUPLICATE", "file", "warning", "",
           "The same file content was already processed; nothing was sent again."),
        _C("FILE_RETAKEN", "file", "warning", "",
           "A file's content taken again because ops asked (orderbridge retake); its earlier take sent nothing."),
        _C("FILE_NAME_REFUSED", "file", "error", "",
           "A file name with a path separator, '..', NUL or a control character was refused."),
        _C("FILE_TYPE_REFUSED", "file", "error", "",
           "An inbox entry that is a symlink, FIFO, socket or device was refused (never followed or read)."),
        _C("FILE_OUTSIDE_INBOX", "file", "error", "",
           "A file put in the drop folder itself, not in its inbox/: never read there, left where it is."),
        _C("MAILBOX_INTERCHANGE_UNROUTED", "file", "error", "",
           "An interchange of a VAN mailbox file that no one partner takes (unknown sender, several profiles, an "
           "unreadable ISA): kept in mailbox/quarantine/, never answered."),
        _C("MAILBOX_INTERCHANGE_HELD", "file", "error", "",
           "An interchange of a VAN mailbox file that may be a partner's whose profile does not load: kept in "
           "mailbox/quarantine/held/, never answered, routed by the first run after the profile loads."),
        _C("MAILBOX_INTERCHANGE_STILL_HELD", "file", "warning", "",
           "An interchange held for a partner whose profile does not load, still held: said every run until the "
           "profile loads, with how long it has waited."),
        _C("MAILBOX_TEXT_SKIPPED", "file", "warning", "",
           "Text of a VAN mailbox file outside every interchange (a mailbox header, a mailbag segment): sent to no "
           "partner, kept in the archived mailbox file."),
        _C("FILE_TOO_LARGE", "file", "error", "",
           "The file is larger than the partner's limit (limits.max_file_bytes); it was not read."),
        _C("FILE_TOO_MANY_SETS", "file", "error", "",
           "The file holds more transaction sets than the partner's limit (limits.max_sets_per_file); not read."),
        _C("FINDINGS_CAPPED", "file", "warning", "",
           "More findings than the partner's limits keep (per set, per file); the rest are counted here."),
        _C("OUTBOX_FILE_CONFLICT", "file", "error", "",
           "An outbox file of the same name exists with other content; it was not overwritten."),
        _C("PARTNER_SENDER_MISMATCH", "file", "error", "",
           "The ISA sender (ISA05/ISA06) is not the partner whose drop the file came from (neither its [x12] "
           "their_qualifier/their_id nor a pair of its their_ids)."),
        _C("PARTNER_SWITCH_EARLY", "file", "warning", "",
           "The interchange comes from (ISA05/ISA06) or to (ISA07/ISA08) ids, or a group from a GS02 (the same ISA "
           "ids), that a dated change of the partner's profile announces for a date not come yet ([[changes]]): the "
           "partner's; taken ([x12] early_ids \"take\", the "
           "default) or held, its file quarantined unanswered until the switch night takes it (early_ids \"hold\": an "
           "error)."),
        _C("PROFILE_NOT_LOADED", "file", "error", "",
           "The partner's profile does not load; nothing of the partner was taken, answered or sent this run."),
        # --- interchange (TA1 note codes, X12 I18) ----------------------------------------
        _C("ISA_TERMINATOR_INVALID", "interchange", "error", "TA1:004", "The segment terminator is invalid."),
        _C("ISA_SENDER_QUALIFIER_INVALID", "interchange", "error", "TA1:005", "ISA05 is not a valid qualifier."),
        _C("ISA_SENDER_ID_INVALID", "interchange", "error", "TA1:006", "ISA06 is empty or too long."),
        _C("ISA_RECEIVER_QUALIFIER_INVALID", "interchange", "error", "TA1:007", "ISA07 is not a valid qualifier."),
        _C("ISA_RECEIVER_ID_INVALID", "interchange", "error", "TA1:008", "ISA08 is empty or too long."),
        _C("ISA_RECEIVER_UNKNOWN", "interchange", "error", "TA1:009",
           "ISA07/ISA08 is not us for this partner (neither [x12] our_qualifier/our_id nor a pair of our_ids)."),
        _C("ISA_AUTH_QUALIFIER_INVALID", "interchange", "error", "TA1:010", "ISA01 is not a valid qualifier."),
        _C("ISA_SECURITY_QUALIFIER_INVALID", "interchange", "error", "TA1:012", "ISA03 is not a valid qualifier."),
        _C("ISA_DATE_INVALID", "interchange", "error", "TA1:014", "ISA09 is not a valid YYMMDD date."),
        _C("ISA_TIME_INVALID", "interchange", "error", "TA1:015", "ISA10 is not a valid HHMM time."),
        _C("ISA_STANDARDS_ID_INVALID", "interchange", "warning", "TA1:016",
           "ISA11 is neither 'U' nor a plausible repetition separator."),
        _C("ISA_VERSION_INVALID", "interchange", "error", "TA1:017", "ISA12 is not a supported control version."),
        _C("ISA_CONTROL_NUMBER_INVALID", "interchange", "error", "TA1:018", "ISA13 is not a number of 1-9 digits."),
        _C("ISA_ACK_REQUESTED_INVALID", "interchange", "error", "TA1:019", "ISA14 is not 0 or 1."),
        _C("ISA_USAGE_INVALID", "interchange", "error", "TA1:020", "ISA15 is not I, P or T."),
        _C("ISA_USAGE_MISMATCH", "interchange", "warning", "",
           "ISA15 (test/production) differs from the partner profile."),
        _C("IEA_GROUP_COUNT_MISMATCH", "interchange", "error", "TA1:021",
           "IEA01 does not equal the number of functional groups."),
        _C("ISA_STRUCTURE_INVALID", "interchange", "error", "TA1:022",
           "Invalid control structure (segments outside an envelope, ISA element count)."),
        _C("IEA_MISSING", "interchange", "error", "TA1:023", "The interchange has no IEA trailer."),
        _C("ISA_CONTENT_INVALID", "interchange", "error", "TA1:024", "Invalid interchange content."),
        _C("ISA_DUPLICATE", "interchange", "error", "TA1:025",
           "This ISA13 was already received from this sender (earlier in the file, or in an earlier file "
           "within the partner's duplicate window)."),
        _C("ISA_ACKS_REPEATED", "interchange", "warning", "",
           "An interchange of acknowledgments alone (997/999, TA1) repeats one received from this sender in an "
           "earlier file under the same ISA13 with the same acknowledgments; not read again."),
        _C("ISA_REUSED", "interchange", "warning", "",
           "This ISA13 was received from this sender before, longer ago than the partner's duplicate window "
           "(x12.duplicate_window_days); taken as a new interchange."),
        _C("ISA_ELEMENT_SEPARATOR_INVALID", "interchange", "error", "TA1:026",
           "The element separator is a letter, digit or space."),
        _C("ISA_COMPONENT_SEPARATOR_INVALID", "interchange", "error", "TA1:027",
           "The component separator is missing or clashes with another delimiter."),
        _C("IEA_CONTROL_MISMATCH", "interchange", "error", "TA1:001", "IEA02 does not equal ISA13."),
        _C("ISA_NOT_FIXED_WIDTH", "interchange", "warning", "", "The ISA segment is not 106 characters long "
           "(its fields are not padded, e.g. ISA13 1 for 000000001)."),
        # --- functional group (997 AK9) ---------------------------------------------------
        _C("GS_FUNCTIONAL_ID_UNSUPPORTED", "group", "error", "AK9:1", "We do not accept this functional group."),
        _C("GS_VERSION_UNSUPPORTED", "group", "error", "AK9:2", "GS08 is not a version we accept."),
        _C("GS_VERSION_UNKNOWN", "group", "warning", "", "GS08 names no X12 version and release (its first six "
           "characters are not digits: \"004SPL\"): no version's dictionary judges its sets."),
        _C("GE_MISSING", "group", "error", "AK9:3", "The functional group has no GE trailer."),
        _C("GE_CONTROL_MISMATCH", "group", "error", "AK9:4", "GE02 does not equal GS06."),
        _C("GE_SET_COUNT_MISMATCH", "group", "error", "AK9:5", "GE01 does not equal the number of sets."),
        _C("GS_CONTROL_NUMBER_INVALID", "group", "error", "AK9:6", "GS06 is not a 1-9 digit number."),
        _C("GS_DATE_INVALID", "group", "error", "AK9:", "GS04 is not a valid CCYYMMDD date."),
        _C("GS_TIME_INVALID", "group", "error", "AK9:", "GS05 is not a valid HHMM[SS[d..]] time."),
        _C("GS_ELEMENT_MISSING", "group", "error", "AK9:", "A mandatory GS element is missing."),
        _C("GS_DUPLICATE", "group", "error", "AK9:19",
           "This GS01+GS02+GS03+GS06 was already received earlier in the same interchange.",
           ack_since="005010"),  # AK905 19 "not unique" is in the 005010 list; 004010's 19 means something else
        _C("GS_REUSED", "group", "warning", "",
           "This GS01+GS02+GS03+GS06 was received before, longer ago than the partner's duplicate window "
           "(x12.duplicate_window_days); taken as a new group.",
           reserved=("No longer emitted: a group number is unique within its interchange only (X12 RFI 362), "
                     "so one used in another interchange is a new group, whatever its age, with no finding; "
                     "kept for findings recorded before.")),
        _C("GS_APPLICATION_ID_INVALID", "group", "warning", "",
           "GS02 or GS03 is not an application id X12 allows (AN 2/15: 2 to 15 printable characters, no leading or "
           "trailing space): the group is taken, and its answers go to / are sent from the profile's ids ([x12] "
           "their_gs_id, our_gs_id), not the value sent."),
        _C("GS_ID_MISMATCH", "group", "warning", "",
           "GS02 is none of the GS ids the partner profile lists ([x12] their_gs_id, their_gs_ids), or GS03 none of "
           "ours ([x12] our_gs_id, our_gs_ids); the group is taken and answered to its GS02 from its GS03."),
        # --- transaction set (997 AK5) ----------------------------------------------------
        _C("ST_SET_UNSUPPORTED", "set", "error", "AK5:1", "We do not accept this transaction set."),
        _C("SET_RECEIVED_NOT_PROCESSED", "set", "warning", "",
           "A transaction set we do not process (an 820 remittance, 812 adjustment, 852, 846, 816, 753/754, 830, 862, "
           "180, 869, a set we never heard of), taken as the profile's [x12] other_sets \"keep\" says: answered by the "
           "997 on its syntax (AK5 A; an 820 or 812 judged by the standard's table and the segments our dictionary "
           "defines, refused AK5 R or noted AK5 E as a set we process is), the file processed and kept in the "
           "archive; the finding says what it is and what it says in a line, for ops, finance or the ERP to act on."),
        _C("REMITTANCE_NOT_READ", "segment", "warning", "",
           "An 820's RMR (its RMR04-06 or an ADX01 of its loop) or an 812's BCD04 is written but is no number, in a "
           "set the 997 did not judge (a version whose dictionary we do not hold): the RMR or 812 is not taken as a "
           "payment or adjustment (no remittance row); the set is in the archive and its hand-off file."),
        _C("SE_MISSING", "set", "error", "AK5:2", "The transaction set has no SE trailer."),
        _C("SE_CONTROL_MISMATCH", "set", "error", "AK5:3", "SE02 does not equal ST02."),
        _C("SE_COUNT_MISMATCH", "set", "error", "AK5:4", "SE01 does not equal the number of segments ST..SE."),
        _C("ST_SET_ID_MISMATCH", "set", "error", "AK5:6", "ST01 does not belong to the group's GS01."),
        _C("ST_CONTROL_NUMBER_INVALID", "set", "error", "AK5:7", "ST02 is not 4-9 printable characters."),
        _C("ST_CONTROL_NUMBER_DUPLICATE", "set", "error", "AK5:23", "ST02 repeats within the group."),
        _C("SET_TOO_LARGE", "set", "error", "AK5:5",
           "The transaction set is larger than the partner's limit (limits.max_set_bytes); its body was not read."),
        _C("SET_SEGMENTS_IN_ERROR", "set", "error", "AK5:5", "One or more segments are in error.",
           reserved=("AK5 code 5 is added by the 997 builder itself to any set with segment or element "
                     "errors; no check reports it.")),
        # --- segments (997 AK3) ----------------------------------------------------------
        _C("SEGMENT_UNRECOGNIZED", "segment", "error", "AK3:1", "Unrecognized segment id."),
        _C("SEGMENT_UNEXPECTED", "segment", "error", "AK3:2", "Segment not expected at this place in the set.",
           reserved=("The 850/860 structure walk reports a misplaced segment as out of order (AK3 7) or not in the set "
                     "(AK3 6).")),
        _C("SEGMENT_MANDATORY_MISSING", "segment", "error", "AK3:3", "A mandatory segment is missing."),
        _C("LOOP_OVER_MAX", "segment", "error", "AK3:4", "A loop occurs more often than allowed."),
        _C("SEGMENT_OVER_MAX_USE", "segment", "error", "AK3:5", "A segment occurs more often than allowed."),
        _C("SEGMENT_NOT_IN_SET", "segment", "error", "AK3:6", "Segment not defined in this transaction set."),
        _C("SEGMENT_OUT_OF_ORDER", "segment", "error", "AK3:7", "Segment out of order."),
        # --- elements (997 AK4) ----------------------------------------------------------
        _C("ELEMENT_MANDATORY_MISSING", "element", "error", "AK4:1", "A mandatory element is missing."),
        _C("ELEMENT_CONDITIONAL_MISSING", "element", "error", "AK4:2", "A conditionally required element is missing."),
        _C("ELEMENT_TOO_MANY", "element", "error", "AK4:3", "The segment has more elements than defined."),
        _C("ELEMENT_TOO_SHORT", "element", "error", "AK4:4", "The element is shorter than its minimum length."),
        _C("ELEMENT_TOO_LONG", "element", "error", "AK4:5", "The element is longer than its maximum length."),
        _C("ELEMENT_INVALID_CHARACTER", "element", "error", "AK4:6", "The element has characters its type forbids."),
        _C("ELEMENT_INVALID_CODE", "element", "error", "AK4:7", "The element's value is not an allowed code."),
        _C("ELEMENT_INVALID_DATE", "element", "error", "AK4:8", "The element is not a valid date."),
        _C("ELEMENT_INVALID_TIME", "element", "error", "AK4:9", "The element is not a valid time."),
        _C("ELEMENT_EXCLUSION_VIOLATED", "element", "error", "AK4:10", "Mutually exclusive elements both present."),
        _C("ELEMENT_TOO_MANY_REPEATS", "element", "error", "AK4:12",
           "A repeating element repeats more often than defined (or a non-repeating one repeats)."),
        _C("ELEMENT_TOO_MANY_COMPONENTS", "element", "error", "AK4:13",
           "A composite has more components than defined."),
        _C("IMPLIED_DECIMAL_STATED", "element", "warning", "AK4:6",
           "A numeric element of implied decimals (N0, N2 ...) was sent with its decimal point; read as stated."),
        _C("ELEMENT_TOO_LONG_ACCEPTED", "element", "warning", "AK4:5",
           "An element of what the order is not made of (free text, a description, a note, a name, a reference we "
           "only keep: rules.lenient.HARMLESS) is longer than its maximum; the set is accepted with errors noted "
           "(997 AK5 E) as the profile's [x12] element_errors \"accept\" says, the value kept as received."),
        _C("ELEMENT_CHARACTER_ACCEPTED", "element", "warning", "AK4:6",
           "An element of what the order is not made of (free text, a description, a note, a name, a reference we "
           "only keep: rules.lenient.HARMLESS) holds the component separator; the set is accepted with errors noted "
           "(997 AK5 E) as the profile's [x12] element_errors \"accept\" says, the value kept as received."),
        _C("ELEMENT_REPEATS_ACCEPTED", "element", "warning", "AK4:12",
           "An element of what the order is not made of (free text, a description, a note, a name, a reference we "
           "only keep: rules.lenient.HARMLESS) holds the repetition separator (ISA11), as if it repeated; the set is "
           "accepted with errors noted (997 AK5 E) as the profile's [x12] element_errors \"accept\" says, the value "
           "kept as received."),
        # --- a partner's implementation guide (profile [x12.guide]; severity from the profile) ----
        _C("GUIDE_SEGMENT_UNEXPECTED", "segment", "warning", "AK3:2",
           "A segment the partner's guide says it never sends (valid X12)."),
        _C("GUIDE_CODE_UNEXPECTED", "element", "warning", "AK4:7",
           "A code value outside those the partner's guide lists for the element (valid X12)."),
        # --- documents we send (never in an acknowledgment: about our output) ------------------
        _C("OUTBOUND_DELIMITERS_EXHAUSTED", "outbound", "error", "",
           "A document's values contain a character of every delimiter set the profile allows; it is held."),
        _C("OUTBOUND_CONTROL_CHARACTER", "outbound", "error", "",
           "A document we built holds a control character (tab, CR, LF, NUL ...) inside a value; it is held, not "
           "sent."),
        _C("CONTROL_CHARACTER_REPLACED", "outbound", "warning", "",
           "A value we send holds a control character (a CSV cell, a reference file's row, a C1 control in an X12 "
           "element); each run of them was written as one blank."),
        _C("CONTROL_NUMBERS_SKIPPED", "outbound", "warning", "",
           "A profile carrying on another's orders ([continues]) numbers that one's documents from now: its own "
           "control numbers moved past the other's, and the numbers between were skipped (once)."),
        _C("TEXT_NOT_IN_ENCODING", "outbound", "warning", "",
           "A document's text has characters the partner's encoding ([x12] encoding) has no code nor spelling for "
           "(Chinese, Japanese or Korean in ISO-8859-1 or ASCII); each was sent as '?'."),
        # --- 850 semantics (not in the 997, shown to ops) ---------------------------------
        _C("CTT_LINE_COUNT_MISMATCH", "set", "warning", "", "CTT01 does not equal the number of PO1 lines."),
        _C("CTT_QUANTITY_MISMATCH", "set", "warning", "", "CTT02 does not equal the sum of PO102."),
        _C("PO1_LINE_ID_DUPLICATE", "set", "warning", "", "PO101 repeats within the purchase order."),
        _C("SDQ_NOT_APPLIED", "set", "warning", "",
           "PO1 lines carry SDQ store quantities; lines are not split per store but ship whole to the ship-to."),
        _C("SDQ_QUANTITY_MISMATCH", "set", "warning", "",
           "A PO1 line's SDQ store quantities do not add up to its PO102."),
        _C("ORDER_875_NOT_CARRIED", "set", "warning", "",
           "An 875 (grocery purchase order) segment or element no order column takes (G66, G23, a G72 whose 340 code "
           "names no SAC02 we know, G7204, G7210, a subline's G72, G70, a G62 date of another qualifier, G68's price "
           "bracket or quantity cost, G76's weight, volume or amount, a G7601 total that is not the sum of the "
           "lines); the order is read without it."),
        _C("ORDER_876_NOT_CARRIED", "set", "warning", "",
           "An 876 (grocery purchase order change) segment or element no change column takes (G66, G23, a G72 whose "
           "340 code names no SAC02 we know, G7204, G7210, a subline's G72, G70, SLN, a G68 loop's store N1/QTY, a "
           "G62 date of another qualifier, G68's price bracket or quantity cost, G76's weight, volume or amount); the "
           "change is read without it."),
        _C("SCH_NOT_APPLIED", "set", "warning", "",
           "PO1 lines carry SCH delivery schedules; lines are not split by date but ship whole on the order's dates."),
        _C("SCH_QUANTITY_MISMATCH", "set", "warning", "",
           "A PO1 line's SCH schedule quantities do not add up to its PO102."),
        _C("LINE_DATES_NOT_APPLIED", "set", "warning", "",
           "PO1 lines carry DTM dates the order's heading does not and the line does not keep (a line keeps its "
           "own first DTM 002/010/001/063/064, or a twin read as one: 106/996/074 as 002, 118 as 010, 175/177 as "
           "001, 061 as 063)."),
        _C("HEADING_DATES_NOT_APPLIED", "set", "warning", "",
           "The PO's heading carries a delivery, ship or cancel date (DTM) we keep nothing for (077, 068 ...), or "
           "a twin of one we keep (106, 175 ...) not taken because the standard one came with another date."),
        _C("SHIP_TO_NOT_APPLIED", "set", "warning", "",
           "The PO's heading names more than one ship-to (N1*ST loops naming different parties): the order ships to "
           "the first; the others are not applied."),
        _C("LINE_SHIP_TO_NOT_APPLIED", "set", "warning", "",
           "PO1 loops name ship-tos (N1*ST) the order does not ship to: another than the heading's, several "
           "without one in the heading, or the heading's at another department (N2)."),
        _C("LINE_MARK_FOR_NOT_APPLIED", "set", "warning", "",
           "PO1 loops name mark-for parties (N1*Z7) of their own, other than the heading's, that no 856 of ours marks "
           "a carton for (no id, a line's second, or a partner whose 856s mark no cartons)."),
        _C("SLN_NOT_APPLIED", "set", "warning", "",
           "SLN sublines add, delete or substitute components (SLN03 A, D, S); the PO1 items ship as ordered."),
        _C("PREPACK_COMPONENT_UNREADABLE", "set", "warning", "",
           "A prepack's component (SLN03 I) has no quantity per pack (SLN04) or no product id: an 856 listing the "
           "pack's components lists that pack alone."),
        _C("PREPACK_QUANTITY_MISMATCH", "set", "warning", "",
           "A prepack's components (SLN03 I, in eaches) do not add up to the eaches its PO4 holds (PO414, or PO401 "
           "of units of one each)."),
        _C("SAC_NOT_APPLIED", "set", "warning", "",
           "The PO carries SAC (or, in 003010/003020, ITA) allowances or charges our 810s do not all bill; none is "
           "applied to prices or 855s, and each says what our 810s bill of it."),
        _C("NOTES_NOT_KEPT", "set", "warning", "",
           "The PO carries free-form notes (MSG, MTX, NTE), asks for paperwork (PWK) or states terms nothing of ours "
           "applies (DIS, INC, LDT, CTB, a priced PO3, a line's own CSH or IT8, N1 MA / UD); no order, 855, 856 or "
           "warehouse order of ours carries them."),
        _C("PO_TOTAL_MISMATCH", "set", "warning", "",
           "The PO's summary AMT*TT (its total as the buyer calculated it) is neither the sum of its lines (PO102 x "
           "PO104) nor that sum with its SAC allowances and charges, with or without the taxes its TXIs state."),
        _C("LINE_AMOUNT_MISMATCH", "set", "warning", "",
           "A PO1 loop's own amount (AMT*1, the line item total as the buyer calculated it) is neither its PO102 x "
           "PO104 nor that with the line's SAC allowances and charges; the line is acknowledged and invoiced at "
           "PO102 x PO104."),
        _C("CTP_PRICE_MISMATCH", "set", "warning", "",
           "A PO1 line's PO104 is not the price the buyer pays stated in a CTP of its loop (CTP02 CON contract, UCP "
           "unit cost ...); the line is acknowledged and invoiced at PO104."),
        _C("PO_TAX_MISMATCH", "set", "warning", "",
           "The PO's TXIs (a line's or the heading's) state a tax other than our 810s bill for its ship-to (the "
           "partner's [[fulfilment.invoice.taxes]]): a code none of ours bills, another percent, or another amount "
           "of the line's value; each is named with ours. What we bill does not change."),
        _C("ORDER_DUPLICATE", "business", "warning", "",
           "This PO number was already received from this partner; not acknowledged again."),
        _C("ORDER_CONFIRMATION_DIFFERS", "business", "warning", "",
           "A confirmation (850 BEG01 06) of a PO we hold differs from it (a line added or gone, another PO101, "
           "quantity, unit or price); not applied."),
        # --- reference data (connectors.reference; said by the decide stage and `partner check`) ----
        _C("CASE_PACK_AMBIGUOUS", "business", "warning", "",
           "An items.csv row of an item sold by the case (unit CA, or CS not made a cassette) has a case_pack above "
           "1: a case of that many cases, its orders rounded to multiples of them as the row says."),
        # --- the order lifecycle (engine.lifecycle) ----------------------------------------
        _C("ORDER_DECISION_FAILED", "business", "error", "",
           "Deciding this order failed; it is held for ops and every other order went on."),
        _C("ORDER_TRANSITION_REFUSED", "business", "error", "",
           "The event is not allowed in the order's state; the order was left as it was."),
        _C("PO_OF_ANOTHER_BUYER", "business", "error", "",
           "A PO from one of the several buyers a partner sends for (a hub's, a network's: their GS02s) has the "
           "number of another of those buyers' orders; it is not taken as a copy, cancellation or replacement of "
           "that order, and not processed. The same for an 860 (change or cancellation) naming it."),
    ]
}


def spec(code: str) -> CodeSpec:
    return CATALOGUE[code]


def ack_code(code: str, *, version: str = "") -> tuple[str, str]:
    """('AK4', '5') for ELEMENT_TOO_LONG; ('', '') where the code is not reported in an ack. With the
    997's ``version``, a code value that version's list lacks is left out: ('AK9', '')."""
    spec = CATALOGUE.get(code)
    if spec is None or not spec.ack:
        return "", ""
    level, _, value = spec.ack.partition(":")
    if version and spec.ack_since and version[:6] < spec.ack_since:
        value = ""
    return level, value


# Business rule codes live in schemas.codes_business, which registers them here on import.
import schemas.codes_business  # noqa: E402,F401
import schemas.codes_changes  # noqa: E402,F401
import schemas.codes_finance  # noqa: E402,F401
import schemas.codes_fulfilment  # noqa: E402,F401
