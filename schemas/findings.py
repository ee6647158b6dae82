"""Findings: problems found in input, returned as data (never raised).

A finding has a stable code (catalogued in schemas.codes, aligned with TA1/997 note codes), a
severity, a message and a Location down to the element. Conversion to rows lives here too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Literal

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
    loop_id: str = ""
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
class Finding:
    code: str
    severity: Severity
    message: str
    location: Location = field(default_factory=Location)

    def with_file(self, file: str) -> Finding:
        return replace(self, location=replace(self.location, file=file))

    def to_dict(self) -> dict:
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
            column: str = "") -> Finding:
    """Build a finding whose severity defaults to the catalogue's (schemas.codes)."""
    from schemas.codes import CATALOGUE

    return Finding(code=code, severity=severity or CATALOGUE[code].severity, message=message,
                   location=Location(file=file, isa13=isa13, gs06=gs06, st02=st02, segment_id=seg,
                                     element=element, value=value, segment_position=segment_position,
                                     file_segment=file_segment, line_number=line_number, loop_id=loop_id,
                                     row=row, column=column))


def finding_at_row(code: str, message: str, row, *, seg: str, element: str = "", value: str | None = None,
                   severity: Severity | None = None, position: bool = True,
                   line_number: int | None = None) -> Finding:
    """A finding at a canonical table row's lineage (file, ISA13, GS06, ST02) and, with ``position``,
    at the row's segment (segment_position, file_segment). Shared by business and change rules."""
    return finding(code, message, severity=severity, seg=seg, element=element, value=value,
                   file=row.get("source_file") or "", isa13=row.get("isa13") or "", gs06=row.get("gs06") or "",
                   st02=row.get("st02") or "",
                   segment_position=row.get("segment_position") if position else None,
                   file_segment=row.get("file_segment") if position else None, line_number=line_number)
