"""The SACs a SAC_NOT_APPLIED finding recorded before the store kept them as data (findings.sacs, schema version
FINDING_SACS) names in its words, read once by that version's migration step (connectors.state_migrations) into
the column; nothing else reads a finding's words for its SACs (engine.finance_inputs.po_charges reads the column).

rules.set_checks writes each item "allowance CODE AMOUNT, PERCENT % of basis SAC06, rate RATE, handling SAC12 words,
"SAC15", what our 810s bill for it (line ID)", "; "-separated, "; and N more" past ten; words written before SAC06,
SAC12, SAC15 and the note were written are read as well. Pure: no imports but the standard library and schemas.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from schemas.findings import SacNamed

# what a SAC_NOT_APPLIED item says of our 810s when the partner's profile is known (the last of its ", " parts, not
# a part of the SAC's words): the PO's SAC itself on them, none of it, or the profile's own charge of its kind and
# code billed in its place (AS_OUR_CHARGE, then that charge: "on our 810s as our own charge D240 25.00 per order")
ON_OUR_810S, NOT_ON_OUR_810S = "on our 810s", "not on our 810s"
AS_OUR_CHARGE = "on our 810s as our own"

# the items after the words before them (which said "... 855s or 810s: " before our 810s carried the PO's SACs)
_NAMED = re.compile(r": (?P<named>(?:allowance|charge) .*)\. Agree (?:them|the others)", re.DOTALL)
# the note, read from the words for a finding recorded before the store kept it (findings.our_810s null: schema
# version FINDING_DETAIL); one recorded since names it in its detail (our_810s), _without_note
_ON_OUR_810S = re.compile(rf"(?:, | )(?:{re.escape(NOT_ON_OUR_810S)}|{re.escape(AS_OUR_CHARGE)} [^;(]*?|"
                          rf"{re.escape(ON_OUR_810S)})(?= \(line |$)")
_MORE = re.compile(r"^and (\d+) more$")
_DESCRIBED = re.compile(r'(?:^|, )"([^"]*)"')
_PERCENT = re.compile(r"^(?P<percent>\S+) %(?: of basis (?P<basis>\S+))?$")
_SAC_ITEM = re.compile(r"^(?P<kind>allowance|charge) (?P<code>\S+)(?: (?P<money>.*?))?(?: \(line (?P<line>.*)\))?$",
                       re.DOTALL)


def sacs_in_words(message: str, our_810s: Sequence[str] | None = None) -> tuple[tuple[SacNamed, ...], int]:
    """Each allowance and charge a SAC_NOT_APPLIED message names, as its Detail.sacs would hold it, and how many
    more it counted without naming them. ``our_810s``: the finding's detail, what each item says of our 810s;
    None for a finding recorded before the store kept it, whose words say it. A figure that is no number is left
    out (None), as an item the words do not shape as one."""
    found = _NAMED.search(message)
    if not found:
        return (), 0
    out: list[SacNamed] = []
    more, at = 0, 0
    for item in found.group("named").split("; "):
        counted = _MORE.match(item)
        if counted:
            more = int(counted.group(1))
            continue
        if our_810s is None:
            item = _ON_OUR_810S.sub("", item, count=1)
        else:
            item = _without_note(item, our_810s[at] if at < len(our_810s) else "")
            at += 1
        m = _SAC_ITEM.match(item.replace(" (no code)", " \x00", 1))
        if not m:
            continue
        row: dict = {"kind": "A" if m.group("kind") == "allowance" else "C", "line_id": m.group("line"),
                     "code": None if m.group("code") == "\x00" else m.group("code"), "words": item}
        money = m.group("money") or ""
        described = _DESCRIBED.search(money)  # SAC15 is written without quotes: the pair is its own
        if described:
            row["description"] = described.group(1)
            money = money[:described.start()] + money[described.end():]
        for part in money.split(", "):
            percent = _PERCENT.match(part)
            if percent:
                if _number(percent.group("percent")):
                    row["percent"], row["basis"] = percent.group("percent"), percent.group("basis")
            elif part.startswith("rate "):
                if _number(part[5:]):
                    row["rate"] = part[5:]
            elif part.startswith("handling "):
                row["handling"] = part.split(" ")[1]
            elif part.startswith("agency "):
                row["agency_code"] = part[len("agency "):]
            elif part and _number(part):
                row["amount"] = part
        out.append(SacNamed(**row))
    return tuple(out), more


def _number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def _without_note(item: str, note: str) -> str:
    """A SAC_NOT_APPLIED item's words without ``note``, what it says of our 810s (the last of its ", "-parts, before
    its line: rules.set_checks writes "allowance C310 2 %, on our 810s (line 1)"); as it is without one."""
    if not note:
        return item
    for said in (f", {note} (line ", f" {note} (line "):  # the note, then the SAC's line (its PO101 is any text)
        at = item.find(said)
        if at >= 0:
            return item[:at] + item[at + len(said) - len(" (line "):]
    for said in (f", {note}", f" {note}"):  # the note, last
        if item.endswith(said):
            return item[:-len(said)]
    return item
