"""Partners' 824 Application Advices matched to the documents we sent: each OTI (schemas.application_advice)
as a FUNCTIONAL_ACKS row (ack_type "824") naming the sent set it judges, so engine.partner_acks records its
verdict with the 997s'; and the findings ops act on.

Pure: APPLICATION_ADVICE and SENT_SETS tables in, FUNCTIONAL_ACKS rows and findings out. Must not touch the
state store. How an OTI finds our document (per partner):
  * by its control numbers: OTI08 our GS06 and OTI09 our ST02 (all-digit numbers compared by value), and
    OTI10 our ST01 when given; OTI08 alone names a whole group (a group-level OTI, GA/GE/GR); OTI09 without OTI08
    (X12 requires them together; Walmart.com DSV's sample sends OTI09 alone) names the one set of that ST02 we sent
    to the partner, said in the finding and the reasons; an ST02 naming several sets names none by itself (its
    reference may still name one; else APPLICATION_ADVICE_UNMATCHED says which sets it could be);
  * else (or when those name nothing we sent) by OTI03, the reference it quotes, as OTI02 qualifies it: BM the
    bill of lading of our 856, SI its BSN02 shipment id, IV its BIG02 invoice number, PO the PO number of the set
    OTI10 names (without OTI10: the type its TEDs' segments belong to, else the latest document sent for the PO;
    it used to be the 855, whose BAK03 is the PO number); another qualifier, or one naming nothing, as any of our
    references (SENT_SETS.document_ref, po_number), of the set OTI10 names when given; a reference we sent more
    than once names the latest sending (the 824 answers the copy last sent).
Its verdict is OTI01's (X12 element 110, 003010-008050: level B batch, G group, I item, T set; then A accept: accepted;
C accept with change, E accept with error, P partial accept/reject: accepted with errors; R reject: rejected): a
rejection is APPLICATION_ADVICE_REJECTED (error), accepted with errors or changes APPLICATION_ADVICE_ERRORS (warning),
each naming our document and the partner's TED, CTX (where in our document), NTE and RED texts. TH and GH
(005010+: set or group on hold) decide nothing yet (APPLICATION_ADVICE_HELD, warning); a code element 110 does not
have (a lowercase "tr", a lone "A", a translator's own "TX") decides nothing either, never a silent "accepted"
(APPLICATION_ADVICE_CODE_UNKNOWN, warning, naming it). An OTI naming nothing we sent is APPLICATION_ADVICE_UNMATCHED
(warning) and gives no row.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from engine.partner_acks import control_key
from schemas.application_advice import APPLICATION_ADVICE, LINE_QUALIFIERS
from schemas.findings import Finding, finding
from schemas.functional_acks import FUNCTIONAL_ACKS, PART_REJECTED, SENT_SETS
from schemas.x12 import FUNCTIONAL_ID

# OTI01 (element 110): a level (B batch, G functional group, I item, T transaction set) and an edit result (A accept,
# C accept with data content change, E accept with error, P partial accept/reject, R reject) -> the AK501 code the
# verdict is recorded as; TH and GH (005010+: on hold) decide nothing yet. Exactly X12's codes: one it does not have
# (lowercase, one letter, a translator's own) decides nothing (it used to be read by its last letter: "A" accepted)
_RESULT = {"A": "A", "C": "E", "E": "E", "P": "E", "R": "R"}
_VERDICT = {level + result: verdict for level in "BGIT" for result, verdict in _RESULT.items()}
HELD = frozenset({"TH", "GH"})
_WORDS = {"A": "accepted", "E": "accepted with errors", "R": "rejected"}


def advice_acks(advice: pa.Table, sent: pa.Table) -> tuple[pa.Table, list[Finding]]:
    """FUNCTIONAL_ACKS rows (ack_type 824) for the OTIs of ``advice`` (APPLICATION_ADVICE) that name a set
    of ``sent`` (SENT_SETS), and the findings about them."""
    advice = advice.select(APPLICATION_ADVICE.names).cast(APPLICATION_ADVICE)
    if not advice.num_rows:
        return FUNCTIONAL_ACKS.empty_table(), []
    bills = sent["bill_of_lading"] if "bill_of_lading" in sent.column_names else pa.nulls(sent.num_rows, pa.string())
    sent = sent.select(SENT_SETS.names).cast(SENT_SETS).append_column("bill_of_lading", pc.cast(bills, pa.string()))
    sent = sent.filter(pc.is_in(sent["partner"], value_set=pc.unique(advice["partner"])))
    ours = _Rows(sent)
    by_group: dict[tuple, list[int]] = {}  # (partner, GS06 key) -> rows; (partner, reference) -> rows
    by_ref: dict[tuple, list[int]] = {}
    by_bill: dict[tuple, list[int]] = {}  # (partner, an 856's bill of lading) -> rows
    by_st02: dict[tuple, list[int]] = {}  # (partner, ST02 key) -> rows, for an OTI09 without its OTI08
    gs06s, st02s = control_key(sent["gs06"]), control_key(sent["st02"])
    refs = pc.drop_null(advice["reference"])
    alone = advice.filter(pc.and_(pc.is_null(advice["acked_gs06"]), pc.is_valid(advice["acked_st02"])))["acked_st02"]
    named = pc.or_(pc.or_(pc.is_in(gs06s, value_set=control_key(pc.drop_null(advice["acked_gs06"]))),
                          pc.is_in(st02s, value_set=control_key(alone))),
                   pc.or_(pc.or_(pc.is_in(sent["document_ref"], value_set=refs),
                                 pc.is_in(sent["po_number"], value_set=refs)),
                          pc.is_in(sent["bill_of_lading"], value_set=refs)))
    st02s = st02s.to_pylist()
    for i in pc.indices_nonzero(pc.fill_null(named, False)).to_pylist():  # only the sets some OTI may name
        by_group.setdefault((ours[i]["partner"], _key(ours[i]["gs06"])), []).append(i)
        by_st02.setdefault((ours[i]["partner"], st02s[i]), []).append(i)
        for value in {ours[i]["document_ref"], ours[i]["po_number"]} - {None}:
            by_ref.setdefault((ours[i]["partner"], value), []).append(i)
        if ours[i]["bill_of_lading"]:
            by_bill.setdefault((ours[i]["partner"], ours[i]["bill_of_lading"]), []).append(i)
    rows: list[dict] = []
    findings: list[Finding] = []
    for oti in advice.to_pylist():
        named, note = _named(oti, ours, by_group, by_ref, by_bill, by_st02, st02s)
        verdict = _VERDICT.get(oti["code"] or "")
        where = dict(file=oti["source_file"], isa13=oti["isa13"], gs06=oti["gs06"], st02=oti["st02"], seg="OTI",
                     segment_position=oti["segment_position"], file_segment=oti["file_segment"])
        said = _said(oti)
        if not named:
            told = (f": {note}" + (", and its reference names none of ours" if oti["reference"] else "")
                    + "; ask the partner to send OTI08 with OTI09") if note else \
                f", which we never sent to {oti['partner']}"
            findings.append(finding(
                "APPLICATION_ADVICE_UNMATCHED",
                f"This 824's OTI ({oti['code'] or 'no code'}) names {_quoted(oti)}{told}"
                f"{'. The partner says: ' + said if note and said else ': ' + said if said else ''}.",
                element="OTI09" if note else "OTI03", value=oti["acked_st02"] if note else oti["reference"], **where))
            continue
        group_level = oti["acked_st02"] is None and oti["acked_gs06"] is not None and len(named) > 1
        lines = _lines(oti, verdict, group=group_level)
        rows.append(_row(oti, named[0], verdict, said, group=group_level, note=note, lines=lines))
        what = _document(named, group=group_level) + (f" ({note})" if note else "")
        if verdict == "R" and lines:
            findings.append(finding(
                "APPLICATION_ADVICE_REJECTED",
                f"{oti['partner']}'s application rejected {_lines_said(lines)} of our {what} (824 OTI {oti['code']}): "
                f"{said or 'no reason given'}. The rest of the document stands accepted: correct that line with the "
                "partner (a corrected document, or a credit).", element="OTI01", value=oti["code"], **where))
        elif verdict == "R":
            findings.append(finding(
                "APPLICATION_ADVICE_REJECTED",
                f"{oti['partner']}'s application rejected our {what} (824 OTI {oti['code']}): "
                f"{said or 'no reason given'}. Sent again as it was, it would be rejected again: correct it with the "
                "partner.", element="OTI01", value=oti["code"],
                **where))
        elif verdict == "E":
            findings.append(finding(
                "APPLICATION_ADVICE_ERRORS",
                f"{oti['partner']}'s application accepted our {what} with errors or changes (824 OTI "
                f"{oti['code']}): {said or 'no reason given'}.", element="OTI01", value=oti["code"], **where))
        elif verdict is None and oti["code"] in HELD:
            findings.append(finding(
                "APPLICATION_ADVICE_HELD",
                f"{oti['partner']}'s application holds our {what} (824 OTI {oti['code']}: on hold): "
                f"{said or 'no reason given'}. Not decided yet: its status stays as it was until the partner says.",
                element="OTI01", value=oti["code"], **where))
        elif verdict is None:
            findings.append(finding(
                "APPLICATION_ADVICE_CODE_UNKNOWN",
                f"This 824's OTI01 {oti['code']!r} about our {what} is not an application acknowledgment code (X12 "
                f"element 110: TA TC TE TP TR, GA GC GE GP GR, IA IC IE IP IR, BA BC BE BP BR, TH GH): it decides "
                f"nothing{': ' + said if said else ''}.", element="OTI01", value=oti["code"], **where))
    return pa.Table.from_pylist(rows, schema=FUNCTIONAL_ACKS), findings


class _Rows:
    """A table's rows as dicts, each made when first asked for (an 824 names a few of a history's sets)."""

    def __init__(self, table: pa.Table) -> None:
        self._table, self._made = table, {}
        self.doc_types = table["doc_type"].to_pylist()

    def __getitem__(self, i: int) -> dict:
        if i not in self._made:
            self._made[i] = self._table.slice(i, 1).to_pylist()[0]
        return self._made[i]


def _key(value: str | None) -> str | None:
    return None if value is None else control_key(pa.array([value], pa.string()))[0].as_py()


# OTI02 (element 128) qualifiers retailers' 824 guides quote our documents by (Walmart, Target, The Home Depot,
# Lowe's): the set types each names, and the SENT_SETS column holding it. BM: the bill of lading of our 856 (its REF
# BM); SI (shipper's identifying number), the BSN02 shipment id; IV (and IN), the BIG02 invoice number; PO (and ON),
# the PO number, of the set OTI10 names (else see _hinted)
_BY_QUALIFIER = {"BM": (("856",), "bill_of_lading"), "SI": (("856",), "document_ref"),
                 "IV": (("810", "880"), "document_ref"), "IN": (("810", "880"), "document_ref"),
                 "PO": ((), "po_number"), "ON": ((), "po_number")}
# the segments a TED names that only one of our documents has: an OTI quoting a PO number without OTI10 judges it
_SEGMENT_OF = {**dict.fromkeys(("BSN", "HL", "TD1", "TD3", "TD5", "MAN", "PRF", "SN1", "PO4"), "856"),
               **dict.fromkeys(("BIG", "IT1", "TDS", "ITD", "TXI", "CAD"), "810"),
               **dict.fromkeys(("BAK", "ACK"), "855")}


def _named(oti: dict, ours: _Rows, by_group: dict, by_ref: dict, by_bill: dict, by_st02: dict, st02s: list
           ) -> tuple[list[dict], str]:
    """The sent sets an OTI names (latest sending first), and a note on how when it is not plain: by control
    numbers; OTI09 without OTI08 (X12 requires the group's with it; Walmart.com DSV's sample sends it alone) by the
    ST02 when it names one set we sent to that partner (the note says so; an ST02 naming several names none by
    itself, and the note says which); else by its reference as its qualifier (OTI02) says (_BY_QUALIFIER: a bill of
    lading names our 856; a shipment id our 856; an invoice number our 810; a PO number the set OTI10 names, else
    the one its TEDs' segments belong to, else the latest sent for that PO), else as any of our references (our
    shipment id or invoice number before a PO number)."""
    def of_set(rows: list[int], types: tuple[str, ...] = ()) -> list[int]:
        types = (oti["acked_set_id"],) if oti["acked_set_id"] is not None else types
        return [i for i in rows if not types or ours.doc_types[i] in types]

    note = ""
    if oti["acked_gs06"] is not None:
        st02 = _key(oti["acked_st02"]) if oti["acked_st02"] is not None else None
        hit = [i for i in of_set(by_group.get((oti["partner"], _key(oti["acked_gs06"])), []))
               if st02 is None or st02s[i] == st02]
        if hit:
            return [ours[i] for i in hit], note
    elif oti["acked_st02"] is not None:
        hit = of_set(by_st02.get((oti["partner"], _key(oti["acked_st02"])), []))
        if len(hit) == 1:
            return [ours[hit[0]]], (f"matched by its ST02 alone: OTI09 {oti['acked_st02']} without OTI08 (the group's "
                                    f"control number) names this one set of those we sent to {oti['partner']}")
        if hit:
            sets = ", ".join(f"{ours[i]['doc_type']} GS06 {ours[i]['gs06']}" for i in sorted(
                hit, key=lambda i: (ours[i]["sent_at"], len(ours[i]["gs06"]), ours[i]["gs06"])))
            note = (f"its OTI09 {oti['acked_st02']} comes without OTI08 (the group's control number) and names "
                    f"{len(hit)} sets we sent to {oti['partner']} ({sets}): none is chosen")
    ref = oti["reference"] if (oti["reference_qualifier"] or "").strip().upper() not in LINE_QUALIFIERS else None
    if ref is None:  # none, or a line of the document OTI08/OTI09 name (OTI02 LI: an item-level OTI's line number)
        return [], note
    qualified = _BY_QUALIFIER.get((oti["reference_qualifier"] or "").upper())
    if qualified is not None:
        types, column = qualified
        rows = by_bill.get((oti["partner"], ref), []) if column == "bill_of_lading" else \
            [i for i in by_ref.get((oti["partner"], ref), []) if ours[i][column] == ref]
        hit = of_set(rows, _hinted(oti) if column == "po_number" else types)
        if not hit and column == "po_number":  # its TEDs name a document of the PO we did not send: the latest
            hit = of_set(rows)
        if hit:
            return _latest_sent(ours, hit), ""
    hit = of_set(by_ref.get((oti["partner"], ref), []))
    hit = [i for i in hit if ours[i]["document_ref"] == ref] or hit
    return _latest_sent(ours, hit), "" if hit else note


def _hinted(oti: dict) -> tuple[str, ...]:
    """The set type an OTI quoting a PO number judges by its TEDs' segments (TED03: TD5 is an 856's, BIG an
    810's), when they name one type alone; else () (the latest document sent for the PO)."""
    types = {_SEGMENT_OF[e["segment_id"]] for e in oti["errors"] or [] if e["segment_id"] in _SEGMENT_OF}
    return tuple(types) if len(types) == 1 else ()


def _latest_sent(ours: _Rows, rows: list[int]) -> list[dict]:
    return sorted((ours[i] for i in rows), key=lambda r: r["sent_at"], reverse=True)[:1]


def _said(oti: dict) -> str:
    """The partner's TED (error code, text, segment, element, bad value), CTX (where in our document), NTE and RED
    texts, in one line."""
    parts = []
    for e in oti["errors"] or []:
        at = " ".join(x for x in (e["segment_id"] and f"segment {e['segment_id']}",
                                  e["element_ref"] and f"element {e['element_ref']}",
                                  e["bad_value"] and f"value {e['bad_value']!r}") if x)
        parts.append(f"TED {e['segment_error'] or '?'}" + (f" {e['reason']}" if e["reason"] else "")
                     + (f" ({at})" if at else ""))
    parts += [f"CTX {c}" for c in oti.get("context") or []]
    parts += [f"NTE {n}" for n in oti["notes"] or []]
    parts += [f"RED {r}" for r in oti.get("related") or []]
    return "; ".join(parts)


def _quoted(oti: dict) -> str:
    ids = [f"{oti['acked_set_id'] or 'a document'}"]
    if oti["reference"]:
        ids.append(f"{oti['reference_qualifier'] or 'reference'} {oti['reference']}")
    if oti["acked_gs06"] or oti["acked_st02"]:
        ids.append(" ".join(f"{k} {oti[v]}" for k, v in (("GS06", "acked_gs06"), ("ST02", "acked_st02")) if oti[v]))
    return " ".join(ids)


def _document(named: list[dict], *, group: bool) -> str:
    r = named[0]
    if group:
        return f"group {r['functional_id']} GS06 {r['gs06']} ({len(named)} sets, file {r['file']})"
    ref = f" {r['document_ref']}" if r["document_ref"] else ""
    po = f" for PO {r['po_number']}" if r["po_number"] and r["po_number"] != r["document_ref"] else ""
    return f"{r['doc_type']}{ref}{po} (GS06 {r['gs06']} ST02 {r['st02']}, file {r['file']})"


def _lines(oti: dict, verdict: str | None, *, group: bool) -> list[str]:
    """The lines of our document an item-level OTI (OTI01 IA IC IE IP IR) judges, as it names them (OTI02/OTI03 or
    a REF of its loop qualified LI or FJ: parsers.application_advice): [] for a set- or group-level OTI, one naming
    no line (which item is not said: its verdict is the document's, as before) or one deciding nothing."""
    if group or verdict is None or not (oti["code"] or "").startswith("I"):
        return []
    return list(dict.fromkeys(oti.get("lines") or []))


def _lines_said(lines: list[str]) -> str:
    """ "line 2 (REF LI 2)", "lines 2, 4 (REF LI 2, LI 4)"."""
    numbers = ", ".join(x.split(" ", 1)[1] for x in lines)
    return f"line{'s' if len(lines) > 1 else ''} {numbers} ({', '.join(lines)})"


def _row(oti: dict, r: dict, verdict: str | None, said: str, *, group: bool, note: str = "",
         lines: list[str] | None = None) -> dict:
    """The FUNCTIONAL_ACKS row of an OTI naming our set ``r``. An item-level OTI naming ``lines`` judges those lines:
    one rejecting them (IR) leaves the rest of the document accepted, so the set reads accepted with errors (E) and its
    reasons start PART_REJECTED, "part rejected: line 2 (LI 2) rejected by the partner's application (824 OTI IR):
    ...; the rest accepted" (the reconciliation's DOCUMENT_REJECTED says which line and why); it rejected the whole
    document. Other verdicts on named lines say the lines."""
    words = _WORDS.get(verdict or "", "held" if oti["code"] in HELD else f"OTI01 {oti['code']!r}")
    if lines:
        reasons = (f"{_lines_said(lines)} {words} by the partner's application (824 OTI {oti['code']}"
                   + (f"; {note}" if note else "") + ")"
                   + (f": {said}" if said else ""))
        if verdict == "R":
            verdict, reasons = "E", f"{PART_REJECTED}{reasons}; the rest of the document accepted"
        return {**_row(oti, r, verdict, said, group=group, note=note), "reasons": reasons}
    return {
        "partner": oti["partner"], "ack_type": "824", "ack_ref": oti["advice_ref"],
        "ack_version": oti["advice_version"],
        "acked_functional_id": r["functional_id"] or FUNCTIONAL_ID.get(r["doc_type"]), "acked_gs06": r["gs06"],
        "acked_set_id": None if group else r["doc_type"], "acked_st02": None if group else r["st02"],
        "set_status": None if group else verdict, "group_status": verdict if group else None,
        "set_error_codes": [], "group_error_codes": [], "errors": oti["errors"] or [],
        "reasons": f"{words} by the partner's application (824 OTI {oti['code']}" + (f"; {note}" if note else "")
                   + ")" + (f": {said}" if said else ""),
        "ack_created_at": oti["advice_created_at"], "received_at": oti["received_at"],
        "source_file": oti["source_file"], "source_sha256": oti["source_sha256"], "isa13": oti["isa13"],
        "gs06": oti["gs06"], "st02": oti["st02"], "segment_position": oti["segment_position"],
        "file_segment": oti["file_segment"],
    }
