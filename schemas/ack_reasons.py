"""The meanings, in words, of the codes partners put in the 997s and 999s they send for our documents:
AK501/IK501 and AK901 statuses, AK502/IK502 (718/618), AK304/IK304 (720/620), AK403/IK403 (723/621)
and AK905 (716); and of their TA1s for our interchanges, TA104 (I17) and TA105 (I18). Definitions
only: parsers.functional_acks looks reasons up here; nothing else lives here.

Written from the X12 element code lists (public references); where a code's meaning changed between
releases (the security codes 19-22 of 716 and 718 before 004020), the version decides.
"""

from __future__ import annotations

# AK501 / IK501 (717): the transaction set's status.
SET_STATUS: dict[str, str] = {
    "A": "accepted",
    "E": "accepted, but errors were noted",
    "M": "rejected: message authentication code (MAC) failed",
    "R": "rejected",
    "W": "rejected: assurance failed validity tests",
    "X": "rejected: content after decryption could not be analysed",
}

# AK901 (715): the functional group's status.
GROUP_STATUS: dict[str, str] = {
    **SET_STATUS,
    "P": "partially accepted: at least one transaction set was rejected",
}

ACCEPTED = frozenset({"A"})
ACCEPTED_WITH_ERRORS = frozenset({"E"})
REJECTED = frozenset({"M", "R", "W", "X"})

# AK304 (720) and IK304 (620).
SEGMENT_ERRORS: dict[str, str] = {
    "1": "unrecognized segment ID",
    "2": "unexpected segment",
    "3": "mandatory segment missing",
    "4": "loop occurs over maximum times",
    "5": "segment exceeds maximum use",
    "6": "segment not in defined transaction set",
    "7": "segment not in proper sequence",
    "8": "segment has data element errors",
    "10": "segment has excess trailing delimiters",
    "I4": "implementation \"not used\" segment present",
    "I6": "implementation dependent segment missing",
    "I7": "implementation loop occurs under minimum times",
    "I8": "implementation segment below minimum use",
    "I9": "implementation dependent \"not used\" segment present",
}

# AK403 (723) and IK403 (621).
ELEMENT_ERRORS: dict[str, str] = {
    "1": "mandatory data element missing",
    "2": "conditional required data element missing",
    "3": "too many data elements",
    "4": "data element too short",
    "5": "data element too long",
    "6": "invalid character in data element",
    "7": "invalid code value",
    "8": "invalid date",
    "9": "invalid time",
    "10": "exclusion condition violated",
    "12": "too many repetitions",
    "13": "too many components",
    "16": "composite data structure contains excess trailing delimiters",
    "I6": "code value not used in implementation",
    "I9": "implementation dependent data element missing",
    "I10": "implementation \"not used\" data element present",
    "I11": "implementation too few repetitions",
    "I12": "implementation pattern match failure",
    "I13": "implementation dependent \"not used\" data element present",
}

_SECURITY = {
    "S1": "S1E security end segment missing for S1S security start segment",
    "S1S": "S1S security start segment missing for S1E security end segment",
    "S2": "S2E security end segment missing for S2S security start segment",
    "S2S": "S2S security start segment missing for S2E security end segment",
}

# AK502..AK506 (718) and IK502..IK506 (618), as of 004020 and later.
SET_ERRORS: dict[str, str] = {
    "1": "transaction set not supported",
    "2": "transaction set trailer missing",
    "3": "transaction set control number in header and trailer do not match",
    "4": "number of included segments does not match actual count",
    "5": "one or more segments in error",
    "6": "missing or invalid transaction set identifier",
    "7": "missing or invalid transaction set control number",
    "8": "authentication key name unknown",
    "9": "encryption key name unknown",
    "10": "requested service (authentication or encryption) not available",
    "11": "unknown security recipient",
    "12": "incorrect message length (encryption only)",
    "13": "message authentication code failed",
    "15": "unknown security originator",
    "16": "syntax error in decrypted text",
    "17": "security not supported",
    "18": "transaction set not in functional group",
    "19": "invalid transaction set implementation convention reference",
    "23": "transaction set control number not unique within the functional group",
    "24": "S3E security end segment missing for S3S security start segment",
    "25": "S3S security start segment missing for S3E security end segment",
    "26": "S4E security end segment missing for S4S security start segment",
    "27": "S4S security start segment missing for S4E security end segment",
    "I5": "implementation: one or more segments in error",
    "I6": "implementation convention not supported",
}
_SET_ERRORS_BEFORE_004020 = {"19": _SECURITY["S1"], "20": _SECURITY["S1S"], "21": _SECURITY["S2"],
                             "22": _SECURITY["S2S"]}

# AK905..AK909 (716), as of 004020 and later.
GROUP_ERRORS: dict[str, str] = {
    "1": "functional group not supported",
    "2": "functional group version not supported",
    "3": "functional group trailer missing",
    "4": "group control number in the functional group header and trailer do not agree",
    "5": "number of included transaction sets does not match actual count",
    "6": "group control number violates syntax",
    "7": "invalid application sender's code",
    "8": "invalid application receiver's code",
    "9": "invalid responsible agency code",
    "10": "authentication key name unknown",
    "11": "encryption key name unknown",
    "12": "requested service (authentication or encryption) not available",
    "13": "unknown security recipient",
    "14": "unknown security originator",
    "15": "syntax error in decrypted text",
    "16": "security not supported",
    "17": "incorrect message length (encryption only)",
    "18": "message authentication code failed",
    "19": "functional group control number not unique within interchange",
    "23": "S3E security end segment missing for S3S security start segment",
    "24": "S3S security start segment missing for S3E security end segment",
    "25": "S4E security end segment missing for S4S security start segment",
    "26": "S4S security start segment missing for S4E security end segment",
    "30": "invalid group date",
    "31": "invalid group time",
    "32": "control segments for one or more included transaction sets were syntactically invalid",
}
_GROUP_ERRORS_BEFORE_004020 = {"19": _SECURITY["S1"], "20": _SECURITY["S1S"], "21": _SECURITY["S2"],
                               "22": _SECURITY["S2S"]}

# TA104 (I17): a partner's verdict on one of our interchanges.
INTERCHANGE_STATUS: dict[str, str] = {
    "A": "accepted",
    "E": "accepted, but errors were noted",
    "R": "rejected",
}

# TA105 (I18): the interchange note code.
INTERCHANGE_NOTES: dict[str, str] = {
    "000": "no error",
    "001": "the interchange control number in the header and trailer do not match",
    "002": "this standard as noted in the control standards identifier is not supported",
    "003": "this version of the controls is not supported",
    "004": "the segment terminator is invalid",
    "005": "invalid interchange ID qualifier for sender",
    "006": "invalid interchange sender ID",
    "007": "invalid interchange ID qualifier for receiver",
    "008": "invalid interchange receiver ID",
    "009": "unknown interchange receiver ID",
    "010": "invalid authorization information qualifier value",
    "011": "invalid authorization information value",
    "012": "invalid security information qualifier value",
    "013": "invalid security information value",
    "014": "invalid interchange date value",
    "015": "invalid interchange time value",
    "016": "invalid interchange standards identifier value",
    "017": "invalid interchange version ID value",
    "018": "invalid interchange control number value",
    "019": "invalid acknowledgment requested value",
    "020": "invalid test indicator value",
    "021": "invalid number of included groups value",
    "022": "invalid control structure",
    "023": "improper (premature) end-of-file (transmission)",
    "024": "invalid interchange content (e.g. invalid GS segment)",
    "025": "duplicate interchange control number",
    "026": "invalid data element separator",
    "027": "invalid component element separator",
    "028": "invalid delivery date in deferred delivery request",
    "029": "invalid delivery time in deferred delivery request",
    "030": "invalid delivery time code in deferred delivery request",
    "031": "invalid grade of service code",
}

TABLES: dict[str, dict[str, str]] = {
    "set_status": SET_STATUS,
    "group_status": GROUP_STATUS,
    "segment": SEGMENT_ERRORS,
    "element": ELEMENT_ERRORS,
    "set": SET_ERRORS,
    "group": GROUP_ERRORS,
    "interchange_status": INTERCHANGE_STATUS,
    "interchange": INTERCHANGE_NOTES,
}
_OLD = {"set": _SET_ERRORS_BEFORE_004020, "group": _GROUP_ERRORS_BEFORE_004020}


def reason(table: str, code: str | None, version: str = "") -> str:
    """The meaning of ``code`` in ``table`` (a TABLES key) for the acknowledgment's version (GS08 of the
    997/999, e.g. "004010"); codes no list defines read "code X (not in the X12 code list)"."""
    if code is None or code == "":
        return ""
    code = code.strip()
    old = _OLD.get(table)
    if old and version and version[:6] < "004020" and code in old:
        return old[code]
    text = TABLES[table].get(code.upper())
    return text if text is not None else f"code {code} (not in the X12 code list)"


def verdict_words(status: str, ack_type: str | None) -> str:
    """A document's status (schemas.functional_acks.DOCUMENT_STATUSES) in words, saying who decided it
    when a partner's 824 did: "rejected by the partner's application"."""
    words = status.replace("_", " ")
    return words + " by the partner's application" if ack_type == "824" and status != "accepted" else words
