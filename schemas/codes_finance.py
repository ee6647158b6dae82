"""Catalogue of the codes about partners' 997s and 999s for our documents: what
parsers.functional_acks says about an acknowledgment it reads and engine.partner_acks about matching
it to what we sent. Definitions only, in the shape of schemas.codes_changes; registered into
schemas.codes.CATALOGUE on import. None is reported in a 997 of ours (ack is "").
"""

from __future__ import annotations

from schemas.codes import CATALOGUE, CodeSpec

_C = CodeSpec
FINANCE_CODES: list[CodeSpec] = [
    # --- reading the acknowledgment (parsers.functional_acks) ---------------------------------
    _C(
        "FA_ACKNOWLEDGES_NOTHING",
        "business",
        "warning",
        "",
        "A 997/999 has no AK1 group response: it names nothing it acknowledges.",
    ),
    _C(
        "FA_SET_RESPONSE_MISSING",
        "business",
        "warning",
        "",
        "An AK2 set response has no AK5/IK5: its group's AK9 decides it (A accepted, E accepted with errors, R"
        " rejected); under AK9 P its status is unknown and it stays unacknowledged.",
    ),
    _C(
        "FA_GROUP_RESPONSE_MISSING",
        "business",
        "warning",
        "",
        "A 997/999 has no AK9: the group's status is unknown; the set responses are still used.",
    ),
    _C(
        "FA_GROUP_PARTIAL_UNNAMED",
        "business",
        "warning",
        "",
        "A 997/999's AK9 P (group partially accepted) does not name every set it rejected (AK903 - AK904 sets"
        " rejected, fewer AK2 loops with AK5 R): the group's sets it does not decide stay unacknowledged, their status"
        " saying which 997 left them undecided.",
    ),
    _C(
        "FA_STATUS_UNKNOWN",
        "business",
        "warning",
        "",
        "AK501/IK501, AK901 or TA104 is not an X12 acknowledgment code; that answer counts as no answer (a set's"
        " AK5 of such a code is decided by its group's AK9: R rejected, A or E accepted with errors, never plainly"
        " accepted; under P not acknowledged).",
    ),
    _C(
        "FA_INTERCHANGE_REJECTED",
        "business",
        "error",
        "",
        "A partner's TA1 rejects one of our interchanges (TA104 R): it took none of the documents in it.",
    ),
    _C(
        "FA_DOCUMENT_REJECTED",
        "business",
        "error",
        "",
        "A partner's 997/999 rejects a document we sent (AK5/IK5 R, M, W or X, or its group's AK9/IK9): "
        "it was not taken.",
    ),
    _C(
        "FA_INTERCHANGE_NOTED",
        "business",
        "warning",
        "",
        "A partner's TA1 accepts one of our interchanges with errors noted (TA104 E).",
    ),
    # --- matching it to what we sent (engine.partner_acks) ------------------------------------
    _C(
        "FA_UNMATCHED",
        "business",
        "warning",
        "",
        "A 997/999 acknowledges a group or set (GS01/GS06/ST02), or a TA1 an interchange (TA101), we never sent to"
        " this partner.",
    ),
    _C(
        "FA_ACK_CONFLICT",
        "business",
        "warning",
        "",
        "Two acknowledgments of one document disagree; the latest one counts (a TA1 rejecting its interchange wins"
        " whenever it came).",
    ),
    # --- partners' 824 application advices (engine.application_advice) ----------------------
    _C(
        "APPLICATION_ADVICE_REJECTED",
        "business",
        "error",
        "",
        "A partner's 824 says its application rejected one of our documents (OTI01 TR, GR, IR...); the document"
        " reads rejected.",
    ),
    _C(
        "APPLICATION_ADVICE_ERRORS",
        "business",
        "warning",
        "",
        "A partner's 824 says its application accepted one of our documents with errors or changes (OTI01 TE, TC,"
        " TP...).",
    ),
    _C(
        "APPLICATION_ADVICE_HELD",
        "business",
        "warning",
        "",
        "A partner's 824 says its application holds one of our documents (OTI01 TH, or GH for its group: 005010+):"
        " not decided yet; its status stays as it was.",
    ),
    _C(
        "APPLICATION_ADVICE_CODE_UNKNOWN",
        "business",
        "warning",
        "",
        "A partner's 824 OTI01 is not an X12 application acknowledgment code (element 110): it decides nothing about"
        " our document (never read as accepted).",
    ),
    _C(
        "APPLICATION_ADVICE_UNMATCHED",
        "business",
        "warning",
        "",
        "A partner's 824 names a document (OTI08/OTI09 control numbers, OTI03 reference) we never sent to this"
        " partner.",
    ),
    # --- our own 810s and 856s sent by another system, recorded (orderbridge record) -------------
    _C(
        "RECORDED_DOCUMENT_INCOMPLETE",
        "business",
        "error",
        "",
        "A recorded 810 or 856 does not say which invoice, shipment, PO or line it is; that set was not recorded.",
    ),
    _C(
        "RECORDED_LINE_UNKNOWN",
        "business",
        "warning",
        "",
        "A recorded 810 or 856 line names a PO or PO line we do not hold; it is kept but not reconciled.",
    ),
]

FINANCE_CATALOGUE: dict[str, CodeSpec] = {c.code: c for c in FINANCE_CODES}

# A partner's rejection of a document we sent, whichever answer told it (a TA1 R for its interchange, a 997/999 AK5 R,
# an 824 OTI ..R): one severity, error, for ops to act on (correct the document, send it again); never a fault of the
# partner's file that told it, so it never quarantines that file (engine.process: Outcome.error_count, disposition)
PARTNER_VERDICTS = frozenset({"FA_INTERCHANGE_REJECTED", "FA_DOCUMENT_REJECTED", "APPLICATION_ADVICE_REJECTED"})

for _spec in FINANCE_CODES:  # one catalogue: the finance codes join schemas.codes.CATALOGUE
    CATALOGUE.setdefault(_spec.code, _spec)
