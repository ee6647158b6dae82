"""Findings: problems found in input, returned as data (never raised).

A finding has a stable code (catalogued in schemas.codes, aligned with TA1/997 note codes), a
severity, a message, a Location down to the element and a Detail: the facts its words state that
code reads again (read those, never the words). Conversion to rows lives here too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Literal

from schemas.order_keys import SEP, shown

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is: file, envelope control numbers, segment and element."""

    file: str = ""
    isa13: str = ""
    gs06: str = ""
    st02: str = ""
    segment_position: int | None = None  # position within the transaction set (ST = 1)
    file_segment: int | None = None  # ordinal of the segment within the file (first = 1)
    segment_id: str = ""
    element: str = ""  # element reference such as "PO102" (or "PO102-1" for a component)
    value: str | None = None  # the offending value, as received
    line_number: int | None = None  # PO101-style line id for order lines
    loop_id: str = ""  # the set table's loop holding the segment (for people: "N1", "PO1")
    ack_loop: str = ""  # AK303: LS01 of the LS/LE-bounded loop holding the segment ("" outside one)
    row: int | None = None  # CSV input: the record's number as a spreadsheet shows it (header = 1)
    column: str = ""  # CSV input: the header name of the offending column

    def describe(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.isa13:
            parts.append(f"ISA13={self.isa13}")
        if self.gs06:
            parts.append(f"GS06={self.gs06}")
        if self.st02:
            parts.append(f"ST02={self.st02}")
        if self.segment_id:
            seg = self.segment_id
            if self.segment_position is not None:
                seg += f"@{self.segment_position}"
            parts.append(f"segment {seg}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        if self.element:
            parts.append(self.element)
        if self.value is not None:
            parts.append(f"value {self.value!r}")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class SacNamed:
    """An allowance or charge a SAC_NOT_APPLIED finding names (rules.set_checks), as engine.finance_inputs reads it
    into PO_CHARGES: its figures as the 850 stated them (None where it stated none), and ``words``, the item as the
    message names it (without what it says of our 810s)."""

    kind: str  # SAC01 (ITA01): A allowance, C charge
    code: str | None = None  # SAC02 (ITA03); None: none sent
    agency_code: str | None = None  # "SAC03:SAC04" of one sent without SAC02: the agency's code naming it
    line_id: str | None = None  # the PO1 it sits in (PO101, else its line number); None: the heading's
    amount: str | None = None  # SAC05 (ITA07) as a reader writes it ("25.00": N2 read)
    basis: str | None = None  # SAC06
    percent: str | None = None  # SAC07 (ITA09)
    rate: str | None = None  # SAC08 (ITA06)
    handling: str | None = None  # SAC12
    description: str | None = None  # SAC15 as the words hold it (rules.set_checks.sac_description)
    words: str = ""


@dataclass(frozen=True, slots=True)
class Detail:
    """What a finding's words state that code reads again, as data (the findings table's shipment_id, qualifier and
    our_810s columns, and facts read only before the finding is stored; empty where the finding has none): whoever
    acts on a finding reads these, never its message or consequence."""

    shipment_id: str = ""  # the warehouse's confirmed shipment the finding held (consequence "shipment S held: ...")
    # the code qualifying the element the finding is about: a DTM02 finding's DTM01; several space-separated where
    # the date it names is more than one of the order's (BACKORDER_AFTER_CANCEL: its 001 and 063 on one day)
    qualifier: str = ""
    # SAC_NOT_APPLIED: what our 810s bill for each SAC its message names, in its order (rules.set_checks ON_OUR_810S,
    # NOT_ON_OUR_810S, or AS_OUR_CHARGE and our charge); () when the partner's billing was not known
    our_810s: tuple[str, ...] = ()
    # SAC_NOT_APPLIED: the SACs its message names, in its order (the first ten), and how many more it counted
    sacs: tuple[SacNamed, ...] = ()
    sacs_more: int = 0
    # not kept in the findings table (read again within the run that made the finding, before it is stored):
    quantity: str = ""  # SHIPMENT_LABEL_VOIDED: the voided row's quantity, as its cell reads
    item: str = ""  # SHIPMENT_LABEL_VOIDED: the voided row's item as its words name it (its SKU, "line 2")


NO_DETAIL = Detail()
_JOINED = "; "  # the findings table's our_810s: each SAC's words, as the message separates its items


def detail_values(detail: Detail) -> tuple[str | None, str | None, str | None, str | None]:
    """``detail`` as the findings table keeps it (shipment_id, qualifier, our_810s "; "-joined, sacs: sacs_text),
    None where empty."""
    return (detail.shipment_id or None, detail.qualifier or None, _JOINED.join(detail.our_810s) or None,
            sacs_text(detail.sacs, detail.sacs_more))


_SAC_FIELDS = tuple(f.name for f in fields(SacNamed))


def sacs_text(sacs: tuple[SacNamed, ...], more: int = 0) -> str | None:
    """The findings table's sacs: a SAC_NOT_APPLIED finding's SACs (Detail.sacs, sacs_more) as JSON,
    {"more": N, "named": [{SacNamed's fields}, ...]}; None: it names none."""
    if not sacs:
        return None
    return json.dumps({"more": more, "named": [{k: getattr(s, k) for k in _SAC_FIELDS} for s in sacs]},
                      sort_keys=True, separators=(",", ":"))


def sacs_of(stored: str | None) -> tuple[tuple[SacNamed, ...], int]:
    """The findings table's sacs as Detail.sacs and sacs_more (none: a finding naming none)."""
    if not stored:
        return (), 0
    data = json.loads(stored)
    return tuple(SacNamed(**{k: v for k, v in s.items() if k in _SAC_FIELDS}) for s in data["named"]), data["more"]


def our_810s_of(stored: str | None) -> tuple[str, ...] | None:
    """The findings table's our_810s as Detail.our_810s (None: a finding recorded before the store kept it)."""
    return None if stored is None else tuple(stored.split(_JOINED))


# a taken file's move out of its inbox, as a finding about the file keeps it (the findings table's file_move, schema
# version WORDS_AS_DATA; null: nothing to say): a FILE_DUPLICATE's resend left in a local inbox that refused its move
# (permission denied: flows.taking.Mover), then moved once permitted. Its consequence is rendered from it
# (consequence_said): the stored consequence is what taking the file did ("nothing sent again"), never restated.
MOVE_REFUSED, MOVE_MADE = "refused", "moved"
MOVE_SAID = {MOVE_REFUSED: "; left in the inbox: its move was refused (permission denied)",
             MOVE_MADE: "; moved out of the inbox once permitted"}


def consequence_said(consequence: str | None, file_move: str | None) -> str | None:
    """A stored finding's consequence as its readers show it: the stored words and what its file_move says
    (MOVE_SAID: "nothing sent again; left in the inbox: its move was refused (permission denied)")."""
    if not file_move:
        return consequence
    return f"{consequence or ''}{MOVE_SAID.get(file_move, f'; {file_move}')}"


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    message: str
    location: Location = field(default_factory=Location)
    detail: Detail = NO_DETAIL

    def with_file(self, file: str) -> Finding:
        return replace(self, location=replace(self.location, file=file))

    def to_dict(self) -> dict:
        """The finding as a report writes it: code, severity, message and location (its detail is what the message
        says, not written twice)."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "location": {k: v for k, v in asdict(self.location).items() if v not in ("", None)},
        }


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


def error_codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings if f.severity == "error"}


def finding(code: str, message: str, *, severity: Severity | None = None, seg: str = "", element: str = "",
            value: str | None = None, file: str = "", isa13: str = "", gs06: str = "", st02: str = "",
            segment_position: int | None = None, file_segment: int | None = None,
            line_number: int | None = None, loop_id: str = "", row: int | None = None,
            column: str = "", detail: Detail = NO_DETAIL) -> Finding:
    """Build a finding whose severity defaults to the catalogue's (schemas.codes)."""
    from schemas.codes import CATALOGUE

    return Finding(code=code, severity=severity or CATALOGUE[code].severity, message=message,
                   location=Location(file=file, isa13=isa13, gs06=gs06, st02=st02, segment_id=seg,
                                     element=element, value=value, segment_position=segment_position,
                                     file_segment=file_segment, line_number=line_number, loop_id=loop_id,
                                     row=row, column=column), detail=detail)


def finding_at_row(code: str, message: str, row, *, seg: str, element: str = "", value: str | None = None,
                   severity: Severity | None = None, position: bool = True,
                   line_number: int | None = None, detail: Detail = NO_DETAIL) -> Finding:
    """A finding at a canonical table row's lineage (file, ISA13, GS06, ST02) and, with ``position``,
    at the row's segment (segment_position, file_segment). Shared by business and change rules. The row's order key
    named in ``message`` is named as people read it (a later release "PO release N", a blanket kept apart "PO
    blanket": schemas.order_keys.shown), never by its control characters."""
    key = row.get("po_number") or ""
    if SEP in key and key in message:
        message = message.replace(key, shown(key))
    return finding(code, message, severity=severity, seg=seg, element=element, value=value,
                   file=row.get("source_file") or "", isa13=row.get("isa13") or "", gs06=row.get("gs06") or "",
                   st02=row.get("st02") or "",
                   segment_position=row.get("segment_position") if position else None,
                   file_segment=row.get("file_segment") if position else None, line_number=line_number,
                   detail=detail)


class FindingsBudget:
    """Findings kept as they arrive, at most ``per_set`` per set (whatever ``where`` the caller names:
    a transaction set, a CSV file's PO, None for the file's own) and ``per_file`` in all; the rest
    counted by set and code, never held (``capped`` turns the counts into FINDINGS_CAPPED findings).
    The first error of every set is always kept, so what is accepted or rejected never depends on
    the budget - for the first ``first_errors`` sets (None: all) that have one; beyond them a set's
    findings count as the file's (``where`` None: a CSV file of a million bad POs keeps thousands, not
    a million, and says how many more it left out). Where a set's findings decide more than one thing
    (an interchange's acceptance, a group's, a transaction set's, read from errors of different levels
    under one ``where``), the caller names what each error decides (``decides``): the first error of
    every set deciding each thing is kept as well."""

    def __init__(self, per_set: int, per_file: int, first_errors: int | None = None) -> None:
        self.per_set, self.per_file, self.first_errors = per_set, per_file, first_errors
        self.kept: list[Finding] = []
        self.dropped: dict[object, dict[str, int]] = {}  # where -> code -> count
        self._per_set: dict[object, int] = {}
        self._has_error: set = set()
        self._decided: set = set()

    def add(self, f: Finding, where: object, *, decides: object = None) -> None:
        first_error = f.severity == "error" and where not in self._has_error
        if first_error and self.first_errors is not None and len(self._has_error) >= self.first_errors:
            first_error, where = False, None
        if first_error:
            self._has_error.add(where)
        first_decisive = decides is not None and (where, decides) not in self._decided
        if first_decisive:
            self._decided.add((where, decides))
        kept = self._per_set.get(where, 0)
        if first_error or first_decisive or (kept < self.per_set and len(self.kept) < self.per_file):
            self.kept.append(f)
            self._per_set[where] = kept + 1
        else:
            self.count(where, f.code)

    def count(self, where: object, code: str, n: int = 1) -> None:
        """``n`` findings of ``code`` in set ``where`` dropped before they reached the budget."""
        codes = self.dropped.setdefault(where, {})
        codes[code] = codes.get(code, 0) + n

    def capped(self, name: Callable[[object], str]) -> list[tuple[object, int, str]]:
        """(where, count, message) of each set with drops, for its FINDINGS_CAPPED finding; ``name``
        names a set in the message ("transaction set ST02 0001", "PO 4711", "file")."""
        out = []
        for where, codes in self.dropped.items():
            counted = ", ".join(f"{code} x{n}" for code, n in sorted(codes.items(), key=lambda c: (-c[1], c[0])))
            total = sum(codes.values())
            out.append((where, total, f"{total:,} more finding(s) in this {name(where)} were not kept (limits."
                                      f"max_findings_per_set {self.per_set}, max_findings_per_file {self.per_file}):"
                                      f" {counted}."))
        return out
