"""CSV codec shared by the CSV feed readers: bytes + a layout (schemas.fulfilment.CsvLayout) -> the
header's column positions and the rows with their record numbers, and the conversions of one
cell (decimal with the layout's separators, date, time), each failure a finding at row and column.

No paths, no I/O. Record numbers are as a spreadsheet shows them (header = 1); a quoted field may
hold line breaks, so they count records, not physical lines. Header names match case-insensitively
and ignore surrounding blanks. Rows that are entirely empty are skipped.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from schemas.findings import Finding, finding
from schemas.fulfilment import CsvLayout

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


@dataclass(slots=True)
class CsvRows:
    file: str
    columns: dict[str, int]  # mapping field name -> position in the row (only the columns found)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (record number, fields)
    findings: list[Finding] = field(default_factory=list)
    header_names: dict[str, str] = field(default_factory=dict)  # field name -> the header text as sent

    def cell(self, fields: list[str], name: str) -> str:
        """The stripped value of mapped field ``name`` in a row ("" when unmapped or absent)."""
        at = self.columns.get(name)
        return fields[at].strip() if at is not None and at < len(fields) else ""

    def problem(self, code: str, message: str, row: int, name: str, value: str | None = None) -> Finding:
        f = finding(code, message, file=self.file, row=row, column=self.header_names.get(name, name), value=value)
        self.findings.append(f)
        return f


def read_rows(data: bytes, layout: CsvLayout, mapping: dict[str, str | None], *, required: tuple[str, ...],
              file: str = "") -> CsvRows:
    """Decode ``data`` and read its header and rows. ``mapping``: field name -> header text (None:
    not used by this partner); a ``required`` field missing from the header is a file finding
    (CSV_COLUMN_MISSING) and no rows are returned."""
    out = CsvRows(file=file, columns={})
    text = _decode(data, layout, out)
    if text is None:
        return out
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=layout.delimiter, quotechar=layout.quotechar,
                        strict=True)
    records = _records(reader, out)
    header = next(records, None)
    if header is None or not any(h.strip() for h in header[1]):
        out.findings.append(finding("CSV_NO_HEADER", "The file has no header row.", file=file))
        return out
    positions = {h.strip().casefold(): i for i, h in reversed(list(enumerate(header[1])))}
    missing = []
    for name, title in mapping.items():
        if title is None:
            continue
        at = positions.get(title.strip().casefold())
        if at is None:
            if name in required:
                missing.append(title)
            continue
        out.columns[name] = at
        out.header_names[name] = header[1][at].strip()
    if missing:
        out.findings.append(finding("CSV_COLUMN_MISSING", f"The header row lacks {', '.join(map(repr, missing))}.",
                                    file=file, row=1, column=missing[0]))
        return out
    width = len(header[1])
    for number, fields in records:
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != width:
            out.findings.append(finding("CSV_ROW_MALFORMED", f"Row {number} has {len(fields)} fields; the header "
                                        f"has {width}.", file=file, row=number))
            continue
        out.rows.append((number, fields))
    return out


def raw_records(data: bytes, layout: CsvLayout, *, file: str = "") -> list[tuple[int, list[str]]]:
    """Every record as read (header first, malformed ones included, up to a quoting error), with its
    number: what a caller needs to say which row a finding came from."""
    out = CsvRows(file=file, columns={})
    text = _decode(data, layout, out)
    if text is None:
        return []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=layout.delimiter, quotechar=layout.quotechar,
                        strict=True)
    return list(_records(reader, out))


def _decode(data: bytes, layout: CsvLayout, out: CsvRows) -> str | None:
    encoding = layout.encoding
    if data.startswith(b"\xef\xbb\xbf") and encoding.replace("-", "").replace("_", "").lower() in ("utf8", "utf8sig"):
        data, encoding = data[3:], "utf-8"
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        at = getattr(exc, "start", None)
        out.findings.append(finding("CSV_NOT_DECODABLE", f"Not valid {encoding}" + (f" at byte {at}." if at is not None
                                                                                   else "."), file=out.file))
        return None


def _records(reader, out: CsvRows):
    """(record number, fields) from a csv reader; a quoting error ends the file with a finding."""
    number = 0
    while True:
        number += 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            out.findings.append(finding("CSV_ROW_MALFORMED", f"Row {number}: {exc}; the rest of the file was not "
                                        "read.", file=out.file, row=number))
            return
        yield number, fields


MAX_PLACES = 4  # the canonical tables hold decimal128(18, 4)


def parse_decimal(text: str, layout: CsvLayout) -> Decimal | None:
    """A number written with the layout's separators ("1.234,50" with "," decimals and "." thousands);
    None when it is not one, or needs more than 4 decimals or 14 integer digits (our tables' decimals
    cannot hold it exactly, and a silent rounding is not ours to make)."""
    value = text.strip()
    if layout.thousands_separator:
        value = value.replace(layout.thousands_separator, "")
    if layout.decimal_separator != ".":
        if "." in value:
            return None
        value = value.replace(layout.decimal_separator, ".")
    if not _NUMBER.match(value):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    if number != number.quantize(Decimal(1).scaleb(-MAX_PLACES)) or abs(number) >= Decimal(10) ** 14:
        return None
    return number


def parse_date(text: str, layout: CsvLayout) -> date | None:
    return _parsed(text.strip(), layout.date_format, True)


def parse_time(text: str, layout: CsvLayout) -> time | None:
    return _parsed(text.strip(), layout.time_format, False)


@functools.lru_cache(maxsize=4096)
def _parsed(text: str, fmt: str, is_date: bool) -> date | time | None:
    """strptime once per distinct value (a feed repeats its few dates on every row)."""
    try:
        moment = datetime.strptime(text, fmt)
    except ValueError:
        return None
    return moment.date() if is_date else moment.time()
