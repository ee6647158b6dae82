"""Element errors an order is not made of: which of the dictionary's element findings (rules.elements) leave an
850, 860, 875 or 876 "accepted with errors noted" (997 AK5 E, its AK3/AK4 kept) instead of refused (AK5 R), as a
partner's profile ([x12] element_errors = "accept", the default) lets X12's receiver do. Pure: findings and the
parse in, findings out; which set is answered how is engine.acks' (NOTED_IN_997), never decided here.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace

from parsers.x12_reader import ParseResult
from schemas.findings import Finding
from schemas.x12 import Group, Interchange, TransactionSet

# The sets whose element errors may be accepted: those read into the canonical order tables (an 850's order,
# an 860's change; a grocer's 875 and 876, read as the 850 and 860 they say: parsers.orders_875, orders_876). The
# sets we only keep are judged as before.
ORDER_SETS = frozenset({"850", "860", "875", "876"})
GROCERY_SETS = frozenset({"875", "876"})

# (segment id, element) -> what it is, in words: the elements the canonical order keeps without acting on them
# (parsers.orders_850 and orders_860 read them into descriptions, notes, names and references shown, kept and
# carried back as sent; no rule, allocation, price or key reads them). Everything else an order is made of (BEG,
# BCH, CUR, PO1/POC and their product ids, quantities, units and prices, PO4, SDQ, DTM and every date, N1's
# N101/N103/N104 party ids, N3/N4 addresses, ITD, FOB, TD5, SAC but its SAC15, TAX, CTT, every code) keeps refusing
# the set.
# A PER's name and numbers are kept and shown; the only one we send back, a ship-to's in the 856
# (asn.ship_to_contact), is written as the 856's version holds it (engine.asn.fitted_contact: the name cut, a number
# that does not fit left out with its qualifier), never longer, so an error in them is harmless too. So is an
# allowance's or charge's description (SAC15): kept with its SAC and shown, never acted on (the SAC's code, amount,
# percent, rate, handling and deal number are); our 855, 865 and 810 write it cut to 80 (352, AN 1/80 in every
# version we write: engine.po_ack.ack_sac, which the 865 uses too, engine.invoice_po_sacs.sac_segment) and an 880 in
# its G73 cut to 45 (369).
HARMLESS: dict[tuple[str, str], str] = {
    ("PID", "PID05"): "an item description",
    ("MSG", "MSG01"): "a note",
    ("MTX", "MTX02"): "a note",
    ("NTE", "NTE02"): "a note",
    ("N9", "N902"): "a note's reference",
    ("N9", "N903"): "a note's reference description",
    ("REF", "REF02"): "a reference",
    ("REF", "REF03"): "a reference's description",
    ("N1", "N102"): "a party's name",
    ("N2", "N201"): "a party's name",
    ("N2", "N202"): "a party's name",
    ("PER", "PER02"): "a contact's name",
    ("PER", "PER04"): "a contact's communication number (a phone, an e-mail)",
    ("PER", "PER06"): "a contact's communication number (a phone, an e-mail)",
    ("PER", "PER08"): "a contact's communication number (a phone, an e-mail)",
    ("PER", "PER09"): "a contact inquiry reference",
    ("SAC", "SAC15"): "an allowance's or charge's description",
}
# The same for the grocer's 875 and 876, in their own segments (X12 004010/005010 875 and 876 tables: the heading's
# and a G68 loop's N9, the heading's G61 and NTE, the N1 loop's N1 and N2, G69 under each G68), each read into the
# 850's or 860's column that the list above names (parsers.orders_875: N9 -> REF, G69 -> PID05, G61 -> PER, G73 ->
# SAC15, NTE, N1 and N2 as the 850's; parsers.orders_876 the same). G73's description (369, AN 1/45) is kept as the
# SAC's SAC15 (up to its 80) and written back cut to its element as SAC15 is (an 880's G73 at 45). What keeps refusing
# the set is acted on: G50/G92 (the PO's purpose or change type, date and number: its key), G62 (the dates the order
# ships and is due by), G68 (quantity, unit, cost, the U.P.C. case code and product ids: what is allocated, priced and
# billed), G72 (the allowance's code, handling, deal number, rate, quantity and amount: what the rules judge, the 855
# states and the 810 takes off; its G7204 and G7210 are not read, ORDER_875_NOT_CARRIED), N1's ids and N3/N4.
GROCERY_HARMLESS: dict[tuple[str, str], str] = {
    ("N9", "N902"): "a reference",
    ("N9", "N903"): "a reference's description",
    ("NTE", "NTE02"): "a note",
    ("G69", "G6901"): "an item description",
    ("N1", "N102"): "a party's name",
    ("N2", "N201"): "a party's name",
    ("N2", "N202"): "a party's name",
    ("G61", "G6102"): "a contact's name",
    ("G61", "G6104"): "a contact's communication number (a phone, an e-mail)",
    ("G73", "G7301"): "an allowance's or charge's description",
}
# REF01 qualifiers whose REF02 the order acts on, so an error in it refuses the set whatever the profile says: a
# store number (a store's PO ships to it), the vendor number a rule checks, the contract or agreement a release is
# matched to its blanket by. A profile's own (acted_by: its order_key_ref, its bill-only marks' REF01 and N901) are
# added by the caller.
ACTED_REFS = frozenset({"ST", "IA", "CT", "AH"})
_QUALIFIED = frozenset({"REF", "N9"})  # segments whose 01 qualifier says what their reference is

ACCEPTED_AS = {"ELEMENT_TOO_LONG": "ELEMENT_TOO_LONG_ACCEPTED",
               "ELEMENT_INVALID_CHARACTER": "ELEMENT_CHARACTER_ACCEPTED",
               # the repetition separator (ISA11, 00402 on) inside one of them: "A4^80G" in a PID05, which does not
               # repeat (AK4 code 12; 3 in a 004010 997: engine.acks.ak4_code)
               "ELEMENT_TOO_MANY_REPEATS": "ELEMENT_REPEATS_ACCEPTED"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

Sets = Iterable[tuple[Interchange, Group, TransactionSet]]


def acted_by(profile) -> dict[str, frozenset[str]]:
    """The REF01 and N901 qualifiers a partner's profile acts on, by segment: its [x12] order_key_ref (orders keyed
    by that REF) and its [fulfilment.invoice] bill_only marks' ``ref`` and ``n9`` (a REF or N9 that marks a PO
    bill-only)."""
    marks = profile.fulfilment.invoice.bill_only
    key_ref = profile.x12.order_key_ref if profile.x12 is not None else ""  # a CSV-only partner has no [x12]
    return {"REF": frozenset({q for q in (key_ref, *(m.ref for m in marks)) if q}),
            "N9": frozenset(m.n9 for m in marks if m.n9)}


def accept_harmless(findings: list[Finding], result: ParseResult, sets: Sets, *, policy: str,
                    acted: Mapping[str, Collection[str]] | None = None) -> list[Finding]:
    """``findings`` (every finding about ``result``: its envelopes', the dictionary's, the guide's) with each element
    error in what the order is not made of made a warning the 997 notes (ACCEPTED_AS: ELEMENT_TOO_LONG_ACCEPTED,
    ELEMENT_CHARACTER_ACCEPTED, ELEMENT_REPEATS_ACCEPTED) when ``policy`` is "accept": an ELEMENT_TOO_LONG, an
    ELEMENT_INVALID_CHARACTER that is the component separator in a simple element's text (a control character may be a
    lost segment terminator: still refused), or an ELEMENT_TOO_MANY_REPEATS (the repetition separator in its text), at
    one of HARMLESS of an 850 or 860 of ``sets`` (ORDER_SETS; GROCERY_HARMLESS of a 875 or 876, whose N9 is read as a
    REF); a REF's only when its REF01 is none of ACTED_REFS and ``acted`` ("REF": qualifiers), an N9's when its N901 is
    none of ``acted`` ("N9"; acted_by names both; a grocer's N9 by both). Only in a set that no other error refuses: in
    one refused anyway they stay errors, each one to fix before the set is sent again. The value is kept as received (no
    column of ours has a fixed width). "reject": ``findings`` as they are."""
    if policy != "accept" or not any(_candidate(f) for f in findings):
        return findings
    bounds = sorted((ts.start + 1, ts.end + 1, ic, ts.set_id) for ic, g, ts in sets if ts.set_id in ORDER_SETS)
    if not bounds:
        return findings
    starts = [b[0] for b in bounds]
    acted = {"REF": ACTED_REFS | {q.upper() for q in (acted or {}).get("REF", ())},
             "N9": frozenset(q.upper() for q in (acted or {}).get("N9", ()))}

    def set_of(f: Finding) -> int:
        fs = f.location.file_segment
        k = bisect.bisect_right(starts, fs) - 1 if fs is not None else -1
        return k if k >= 0 and fs <= bounds[k][1] else -1

    noted: dict[int, tuple[int, str]] = {}  # finding index -> its set's index in bounds, its set id
    refused: set[int] = set()  # sets an error other than those refuses
    for i, f in enumerate(findings):
        if f.severity != "error":
            continue
        k = set_of(f)
        if k < 0:
            continue
        if _candidate(f) and _harmless(f, result, bounds[k][2], acted, bounds[k][3]):
            noted[i] = (k, bounds[k][3])
        else:
            refused.add(k)
    if not noted:
        return findings
    return [_accepted(f, noted[i][1]) if i in noted and noted[i][0] not in refused else f
            for i, f in enumerate(findings)]


def harmless_in(set_id: str) -> Mapping[tuple[str, str], str]:
    """The elements an element error may be accepted at in a set ``set_id`` (an 850/860's HARMLESS, a 875/876's
    GROCERY_HARMLESS), each with what it is in words."""
    return GROCERY_HARMLESS if set_id in GROCERY_SETS else HARMLESS


def _candidate(f: Finding) -> bool:
    loc = f.location
    return (f.severity == "error" and f.code in ACCEPTED_AS and loc.file_segment is not None
            and ((loc.segment_id, loc.element) in HARMLESS or (loc.segment_id, loc.element) in GROCERY_HARMLESS))


def _harmless(f: Finding, result: ParseResult, ic: Interchange, acted: Mapping[str, frozenset[str]],
              set_id: str) -> bool:
    if (f.location.segment_id, f.location.element) not in harmless_in(set_id):
        return False
    value = f.location.value or ""
    if f.code == "ELEMENT_INVALID_CHARACTER":
        component = ic.delimiters.component if ic.delimiters else ""
        if not component or component not in value or _CONTROL.search(value):
            return False
    if f.location.segment_id in _QUALIFIED:
        elements = result.segments.elements[f.location.file_segment - 1].as_py()
        qualifier = (elements[1] if len(elements) > 1 else "") or ""
        # a grocer's N9 is read as the REF it says (parsers.orders_875): acted on as a REF of its qualifier is
        by = acted["REF"] | acted["N9"] if set_id in GROCERY_SETS else acted[f.location.segment_id]
        if qualifier.strip().upper() in by:
            return False
    return True


# where a value kept whole is written shorter, or left out, by what we send (by the segment it came in)
_ECHOED = {
    "N1": " Our 855, 856 and 810 write a party's name cut to its element.",
    "N2": " Our 855, 856 and 810 write a party's name cut to its element.",
    "PER": " Our 856 writes a ship-to's contact with its name cut to its element and a communication number that "
           "does not fit left out with its qualifier.",
    "G61": " Our 856 writes a ship-to's contact with its name cut to its element and a communication number that "
           "does not fit left out with its qualifier.",
    "REF": " A reference our 855 echoes that does not fit is left out of it (ACK_VALUE_LEFT_OUT); an 856 or 810 "
           "echoing it is held (VALUE_TOO_LONG_TO_ECHO).",
    "SAC": " Our 855, 865 and 810 write it in SAC15 cut to its 80 characters, an 880 in its G73 cut to 45.",
    "G73": " Our 855, 865 and 810 write it in SAC15 (80 characters), an 880 in its G73 cut to its 45.",
}


def _accepted(f: Finding, set_id: str) -> Finding:
    what = harmless_in(set_id)[(f.location.segment_id, f.location.element)]
    value = f.location.value or ""
    # a grocer's N9 is echoed as the REF it is read as
    segment = "REF" if set_id in GROCERY_SETS and f.location.segment_id == "N9" else f.location.segment_id
    echoed = _ECHOED.get(segment, "") if f.code == "ELEMENT_TOO_LONG" else ""
    kept = f"Kept as received ({len(value)} characters, not cut)."
    # (imported here: parsers.orders_875 loads the fulfilment schemas and pydantic, which `orderbridge inspect`'s
    # fast path, reading an 850 through this module, leaves out: tests/test_inspect_fast_path.py)
    from parsers.orders_875 import G73_TEXT

    if segment == "G73" and len(value) > G73_TEXT:  # read into SAC15, whose 80 it is kept to (parsers.orders_875)
        kept = f"Kept as its SAC15 holds it: its first {G73_TEXT} of {len(value)} characters."
    return replace(f, code=ACCEPTED_AS[f.code], severity="warning", message=(
        f"{f.message} Accepted with errors noted (997 AK5 E; the profile's [x12] element_errors = \"accept\"): "
        f"{f.location.element} is {what}, not what the order is made of. {kept}{echoed}"))
