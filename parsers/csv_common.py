"""CSV codec shared by the CSV feed readers: bytes + a layout (schemas.fulfilment.CsvLayout) -> the
header's column positions and the rows with their record numbers, and the conversions of one
cell (decimal with the layout's separators, date, time), each failure a finding at row and column.

No paths, no I/O. Record numbers are as a spreadsheet shows them (header = 1); a quoted field may hold line
breaks, so they count records, not physical lines, and may follow blanks after its separator (in a file whose
header writes them). Header names match case-insensitively and ignore surrounding and doubled blanks (a mapped
name found twice is refused); a cell's value is read out of Excel's '="..."' text guard (`cell_text`). Rows
that are entirely empty are skipped; empty fields past the header's width (trailing separators) are dropped,
and fields missing under unnamed trailing header columns (a header ending in a separator) read as empty; a
first line "sep=;" (Excel's hint) is passed over (the header is then record 2), so are a feed layout's title
rows before the header, the rows its totals labels name, the title rows and the header and "sep=" lines repeated
further down (a report's page breaks; several exports concatenated into one file, each one's byte-order mark,
inside the file, dropped). A layout in an 8-bit code page reads a file of UTF-8 text as UTF-8 (`_by_bom`).
read_columns gives the rows as Arrow columns, read by Arrow's CSV reader when the file leaves no room for a
difference.
"""

from __future__ import annotations

import calendar
import codecs
import csv
import functools
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from itertools import chain

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from parsers.file_kinds import compressed_kind, document_kind, with_article
from schemas.findings import Finding, FindingsBudget, finding
from schemas.fulfilment import CsvLayout
from schemas.time_codes import ABROAD, AMBIGUOUS, ambiguous_reading, offset_code
from schemas.wide_text import HEAD_BYTES, wide_order

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
# a long number as a spreadsheet shows it in scientific notation: Excel writes the exponent's sign, always
# ("1.23457E+11", "6,14141E+17" with a decimal comma, "1E+12"); group 1: that sign
_SCIENTIFIC = re.compile(r"^[+-]?\d(?:[.,]\d+)?E([+-])?\d{1,3}$", re.IGNORECASE)


@dataclass(slots=True)
class CsvRows:
    file: str
    columns: dict[str, int]  # mapping field name -> position in the row (only the columns found)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (record number, fields)
    findings: list[Finding] = field(default_factory=list)
    header_names: dict[str, str] = field(default_factory=dict)  # field name -> the header text as sent
    undecodable: Finding | None = None  # bytes met that do not decode: only this finding counts (row_batches)
    budget: FindingsBudget | None = None  # set: findings go to it as they come (kept or counted), not to findings
    where: object = None  # with a budget: the set the row being read belongs to (a CSV order file's PO)
    # told of each row of the wrong width (record number, fields) before its finding; gives its ``where``
    malformed: Callable[[int, list[str]], object] | None = None
    cut: int | None = None  # the record number at which a quoting error ended the reading (the rest unread)
    header: list[str] = field(default_factory=list)  # the header row as read (once found)
    header_row: int = 1  # its record number
    # the record numbers where the header stands again, in file order: exports pasted into one file, or a report's
    # page breaks (the rows after each are the next export's or page's)
    exports: list[int] = field(default_factory=list)
    # a database export's NULL read as a blank cell (`_nulls_read`): record number -> the positions so read (a
    # caller saying a required value is missing says it was NULL); `row_batches` keeps a batch's only
    nulls: dict[int, tuple[int, ...]] = field(default_factory=dict)
    # the lines the record being read came from, kept only where a line may hold NULL (`_lines`)
    raw: list[str] = field(default_factory=list)
    encoding: str = ""  # the codec the file was read in (a UTF-8 layout's Windows-1252 file: "cp1252", `_not_utf8`)

    def was_null(self, number: int, name: str) -> bool:
        """Whether mapped field ``name`` of record ``number`` was a database export's NULL (read as blank)."""
        at = self.columns.get(name)
        return at is not None and at in self.nulls.get(number, ())

    def note(self, f: Finding) -> Finding:
        if self.budget is None:
            self.findings.append(f)
        else:
            self.budget.add(f, self.where)
        return f

    def cell(self, fields: list[str], name: str) -> str:
        """The value of mapped field ``name`` in a row, as `cell_text` reads it ("" when unmapped or absent)."""
        at = self.columns.get(name)
        if at is None or at >= len(fields):
            return ""
        value = fields[at].strip()
        return cell_text(value) if value[:2] == '="' else value

    def problem(self, code: str, message: str, row: int, name: str, value: str | None = None) -> Finding:
        return self.note(finding(code, message, file=self.file, row=row, column=self.header_names.get(name, name),
                                 value=value))


def cell_text(text: str) -> str:
    """A cell's value: stripped, and out of Excel's text guard ('="00123"', written to keep a spreadsheet
    from dropping leading zeros; Excel shows 00123)."""
    value = text.strip()
    if value.startswith('="') and value.endswith('"') and len(value) >= 3:
        return value[2:-1].strip()
    return value


def scientific(text: str | None) -> bool:
    """True for a value in a spreadsheet's scientific notation (7.71235E+11, 6,14141E+17): a long number
    (a PO number, a UPC, an SSCC) whose digits the spreadsheet rounded away; never an id. The exponent's sign is
    required, as a spreadsheet always writes it: without it ("2E10", a part number) the value stays an id."""
    m = _SCIENTIFIC.match(text) if text is not None else None
    return m is not None and m.group(1) is not None


# the error values a spreadsheet writes for a formula that failed, as it shows them (and saves them to CSV): Excel's,
# Google Sheets' (#ERROR!) and LibreOffice's (its #-names, and "Err:502" for the others)
_FORMULA_ERROR = re.compile(r"^(?:#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA|SPILL!|CALC!|FIELD!|"
                            r"BLOCKED!|CONNECT!|BUSY!|UNKNOWN!|PYTHON!|ERROR!)|Err:\d{3})$")


# the zero a spreadsheet's accounting format shows (Excel's "$ -", "-", "- €"): a dash alone, the blanks around it,
# a currency sign before or after it
_ACCOUNTING_ZERO = re.compile(r"^(?:[$\u20ac\u00a3\u00a5]\s*)?-\s*(?:[$\u20ac\u00a3\u00a5])?$")


def accounting_zero(text: str | None, symbol: str = "") -> bool:
    """True for the zero a spreadsheet's accounting number format shows as a dash ("$ -", " -   ", "- €", with
    ``symbol`` the layout's currency sign), saved to CSV as shown: a number, 0, where a column takes one. A lone
    dash only: "--", "-2.10", "$ - 5" are not it."""
    if text is None:
        return False
    value = " ".join(text.split())
    if symbol and symbol not in _SIGNS:
        value = value.removeprefix(symbol).removesuffix(symbol).strip()
    return _ACCOUNTING_ZERO.match(value) is not None


def spreadsheet_error(text: str | None) -> bool:
    """True for a spreadsheet's error value ("#N/A", "#REF!", "#VALUE!", "Err:502"): what a cell filled by a formula
    that failed (a lookup finding nothing, a reference deleted) is saved as; its value is lost, never an id."""
    return text is not None and _FORMULA_ERROR.match(text.strip()) is not None


def read_rows(data: bytes, layout: CsvLayout, mapping: dict[str, str | None], *, required: tuple[str, ...],
              file: str = "") -> CsvRows:
    """Decode ``data`` and read its header and rows. ``mapping``: field name -> header text (None:
    not used by this partner); a ``required`` field missing from the header is a file finding
    (CSV_COLUMN_MISSING) and no rows are returned."""
    out = CsvRows(file=file, columns={})
    nulls: dict[int, tuple[int, ...]] = {}
    for batch in row_batches([data], layout, mapping, required=required, out=out):
        out.rows.extend(batch)
        nulls.update(out.nulls)
    out.nulls = nulls
    if out.undecodable is not None:
        out.rows.clear()
    return out


def row_batches(chunks: Iterable[bytes], layout: CsvLayout, mapping: dict[str, str | None], *,
                required: tuple[str, ...], out: CsvRows, batch_rows: int = 10_000,
                header_search: int = 0) -> Iterator[list[tuple[int, list[str]]]]:
    """`read_rows` over a file given as byte ``chunks``, its rows handed on ``batch_rows`` at a time (never
    the whole file, its text or its rows in memory); the header's columns and the findings go to ``out``.
    Rows and findings are exactly `read_rows`'s, with one difference a caller must honour: bytes that
    do not decode may be met after rows were handed on; then ``out.undecodable`` is set, ``out.findings``
    holds only CSV_NOT_DECODABLE (as `read_rows` gives) and the rows handed on must be dropped.
    ``header_search``: when the record where the header is expected (after "sep=" and the layout's title rows)
    names none of the ``required`` columns, the header is looked for in as many records after it (`_header_below`:
    a hand-made sheet's title or logo block, of whatever height, above its header)."""
    lines = _lines(chunks, layout, out)
    try:
        yield from _batches(lines, layout, mapping, required, out, batch_rows, header_search)
    finally:
        for _ in lines:  # whatever stopped the reading, the rest must still decode (as the whole file must)
            out.raw.clear()
        if out.undecodable is not None:
            out.findings[:] = [out.undecodable]


def _batches(lines: Iterator[str], layout: CsvLayout, mapping: dict[str, str | None], required: tuple[str, ...],
             out: CsvRows, batch_rows: int, header_search: int = 0) -> Iterator[list[tuple[int, list[str]]]]:
    reader = _reader(lines, layout)
    records = _records(reader, out)
    header = next(records, None)
    if header is not None and _SEP_HINT.match(layout.delimiter.join(header[1])):
        header = next(records, None)  # Excel's "sep=;" line: the header follows it
    titles_seen: set[tuple[str, ...]] = set()  # the title lines' filled cells: a page break repeats them
    above: tuple[int, list[str]] | None = None  # the record just above the header (a group row over it, or not)
    for _ in range(getattr(layout, "title_rows", 0)):  # a report's title lines: the header follows them
        if header is not None and _filled(header[1]):
            titles_seen.add(_filled(header[1]))
        above, header = header, next(records, None)
    if header_search and header is not None and out.undecodable is None:
        expected = header[0]
        header, records, above = _header_below(header, records, mapping, required, header_search, titles_seen, out,
                                               getattr(layout, "title_rows", 0), above)
        blanks = _blank_after(header[1], layout.delimiter)
        if header[0] != expected and blanks != reader.dialect.skipinitialspace:
            # the header found writes ", " between its fields (or stops doing so): its rows are read as it writes
            # them, as `_reader` reads a file whose header is where the layout puts it (the lines after the header
            # are not read yet: a csv reader takes a line only when it needs one)
            records = _records(csv.reader(lines, delimiter=layout.delimiter, quotechar=layout.quotechar, strict=True,
                                          skipinitialspace=blanks), out, start=header[0])
    labels = [label.strip().casefold() for label in getattr(layout, "total_labels", ())]
    patterns = [_row_pattern(label) for label in labels if "*" in label.rstrip("*")]  # "* record(s) downloaded*"
    labels = [label for label in labels if "*" not in label.rstrip("*")]
    totals = {label for label in labels if not label.endswith("*")}
    starts = tuple(label[:-1] for label in labels if label.endswith("*"))  # "Total *": "Total UMB-1" (a subtotal)
    if out.undecodable is not None:
        return
    two_rows: TwoRowHeader | None = None
    if header is not None and out.undecodable is None:
        two_rows, records = _two_rows(header, above, records, mapping, required, titles_seen)
    if not _header(two_rows.names if two_rows else header[1] if header is not None else None, mapping, required,
                   out, header[0] if header is not None else 1, layout.delimiter,
                   aliases=two_rows.joined if two_rows else None, extra=two_rows.extra if two_rows else None):
        return
    if two_rows is not None:
        two_rows.said(out, header[0])  # type: ignore[index]
    out.header, out.header_row = list(two_rows.names if two_rows else header[1]), header[0]  # type: ignore[index]
    width = len(header[1])  # type: ignore[index]
    named = width  # the header's columns up to its last named one (a header "a;b;c;" names 3 of 4)
    while named > 1 and not header[1][named - 1].strip():  # type: ignore[index]
        named -= 1
    titles = [_title(h) for h in header[1][:named]]  # type: ignore[index]
    batch: list[tuple[int, list[str]]] = []
    for record in records:
        fields = record[1]
        n = len(fields)
        if n >= named and _title(fields[0]) == titles[0] and [_title(f) for f in fields[:named]] == titles \
                and not "".join(fields[named:]).strip():
            out.exports.append(record[0])
            continue  # the header again: exports concatenated into one file (or a report's page break)
        if n <= 2 and _SEP_HINT.match(layout.delimiter.join(fields)):
            continue  # Excel's "sep=" line again
        if n != width and n >= named and not "".join(fields[width:]).strip():  # trailing separators, or not
            record = (record[0], (fields + [""] * (width - n))[:width])  # as many as the header: "a;b;c;"
            fields = record[1]
        if labels and ((first := _first_filled(fields)) in totals or starts and first is not None
                       and first.startswith(starts)):
            continue  # the export's totals row, as the layout names it
        if patterns and any(p.fullmatch(_row_text(fields)) for p in patterns):
            continue  # a footer spread over cells ("2,record(s) downloaded,from ..."), as the layout's pattern names it
        if _query_output(fields):
            continue  # a database client's underline of the header or its row count: no order row
        if titles_seen and _filled(fields) in titles_seen:
            continue  # the report's title lines again: a page break (the header follows, passed over as well)
        if _PAGE_LINE.fullmatch(_row_text(fields)) or any(
                _PAGE_LINE.fullmatch(" ".join(cell_text(f).casefold().split())) for f in fields) and _no_line(
                fields, required, out.columns):
            said = " ".join(c for f in fields if (c := cell_text(f)))
            out.note(finding("CSV_PAGE_LINE_SKIPPED", f"Row {record[0]} is a report's page line ({said!r}): passed "
                             "over, no order row.", file=out.file, row=record[0]))
            continue
        if len(fields) == width and (fields[0].strip() or "".join(fields).strip()):  # the usual row: kept
            batch.append(record)
            if len(batch) >= batch_rows:
                yield batch
                batch = []
                out.nulls.clear()  # its rows' NULLs: the caller has read them
        elif "".join(fields).strip():  # a field holds more than whitespace: a row of the wrong width
            out.where = out.malformed(record[0], fields) if out.malformed is not None else None
            out.note(finding("CSV_ROW_MALFORMED", f"Row {record[0]} has {len(fields)} fields; the header has "
                             f"{width}.", file=out.file, row=record[0]))
    if batch and out.undecodable is None:
        yield batch


_SEP_HINT = re.compile(r"^sep=.$", re.IGNORECASE | re.DOTALL)
# bytes that may be a page line (`_PAGE_LINE`): a file holding them is read row by row
_PAGE_WORD = re.compile(rb"(?im)(?:page|seite|p\xc3\xa1gina|pagina|pag\.|blatt|pg)\s*\d"
                        rb"|(?:^|[,;\t|])[ \t]*-[ \t]*\d{1,5}[ \t]*-[ \t]*(?:$|[,;\t|])")
# `_PAGE_WORD`'s answer found faster (`_may_hold_page`): its words in the bytes lowered (a bytes pattern's (?i) folds
# ASCII letters only, as bytes.lower() does), and its dashed page only where a dash stands after a separator or a line's
# start (then the pattern itself decides). Re's (?i) alternation tried at every byte costs ~56 ms a 930 KB confirmation
# file; these two scans ~8 ms.
_PAGE_WORDS_LOWER = re.compile(rb"(?:page|seite|p\xc3\xa1gina|pagina|pag\.|blatt|pg)\s*\d")
_DASH_AFTER_SEPARATOR = re.compile(rb"[,;\t|\n][ \t]*-")
_DASH_FIRST = re.compile(rb"[ \t]*-")
# a report's page header or footer as a row of its own, its filled cells read together (`_row_text`): "Page 1 of 3",
# "Page 2", "Page 1/3", "- 2 -"; German, French, Spanish, Italian and Dutch reports' words. Or a cell of the row
# alone, the row lacking a value the file's rows all need (its PO number, its quantity): a footer with the report's
# name or print date beside its page ("Printed 26.11.2026,,,,Page 1 of 3")
_PAGE_LINE = re.compile(r"(?:page|seite|p\u00e1gina|pagina|pag\.|blatt|pg\.?)\s*\d{1,5}"
                        r"(?:\s*(?:of|/|von|de|sur|di|van)\s*\d{1,5})?|-\s*\d{1,5}\s*-")


def _header_below(header: tuple[int, list[str]], records: Iterator[tuple[int, list[str]]],
                  mapping: dict[str, str | None], required: tuple[str, ...], search: int,
                  titles_seen: set[tuple[str, ...]], out: CsvRows, title_rows: int,
                  before: tuple[int, list[str]] | None = None
                  ) -> tuple[tuple[int, list[str]], Iterator[tuple[int, list[str]]], tuple[int, list[str]] | None]:
    """The header and the records after it, when ``header`` (where the layout puts it) names none of the
    ``required`` columns and one of the next ``search`` records names them all: a hand-made order sheet's title or
    logo block (its name, the buyer's, a date, blank lines; a block one row taller one week than the next) above
    its header. The records above it are title rows (passed over, and again where a page break repeats them), said
    in a warning at the header's row (CSV_TITLE_ROWS_SKIPPED). None found: ``header`` and every record as they
    were (the header's finding, CSV_COLUMN_MISSING, says what it lacks). The third value: the record just above
    the header returned (``before`` when it is ``header``)."""
    wanted = [_title(t) for name in required if (t := mapping.get(name))]
    if not wanted or any(_title(h) in wanted for h in header[1]):
        return header, records, before
    above: list[tuple[int, list[str]]] = [header]
    for record in records:
        names = {_title(f) for f in record[1]}
        if all(t in names for t in wanted):
            for _number, fields in above:
                if _filled(fields):
                    titles_seen.add(_filled(fields))
            shown = [" ".join(cell_text(f).split()) for _n, fields in above for f in fields if cell_text(f)][:3]
            rows = f"row {header[0]}" if len(above) == 1 else f"rows {header[0]}-{above[-1][0]}"
            out.note(finding("CSV_TITLE_ROWS_SKIPPED", f"The header is row {record[0]}, below where the layout puts "
                             f"it (row {header[0]}): {rows} ({', '.join(map(repr, shown)) or 'blank'}): a title block, "
                             f"passed over. Where the block's height never changes, say so in the layout (title_rows "
                             f"= {title_rows + len(above)}).", file=out.file, row=record[0]))
            return record, records, above[-1]
        above.append(record)
        if len(above) > search:
            break
    return header, chain(above[1:], records), before


@dataclass(slots=True)
class TwoRowHeader:
    """A header exported from a sheet whose header is two rows: a merged group cell ("Ship To", saved in its first
    column, blanks after it) over the columns it heads ("Name", "Address", "City"), the other columns' names in
    either row (a cell merged down two rows is saved in its top row). ``names``: each column's own name (the lower
    row's, else the upper's); ``joined``: its group's and own name ("Ship To Name"), None outside a group, matched
    where no column's own name is (a layout naming "Ship To Name" or "City"); ``rows``: the two record numbers;
    ``groups``: the group cells read, with the columns they head."""

    names: list[str]
    joined: list[str | None]
    rows: tuple[int, int]
    groups: list[tuple[str, list[str]]]
    below: bool  # the group row is the header's row and the column names the row below it (passed over)
    starts: list[int | None] = field(default_factory=list)  # each column's group cell's column (None outside one)
    # each column's other names in a header of three rows or more (`_deeper`): its outer groups' with its own
    # ("Ship To Street", "Ship To Address Street"), matched as `joined` is
    extra: list[tuple[str, ...]] = field(default_factory=list)

    def said(self, out: CsvRows, row: int) -> None:
        """The warning at the header's row saying how its columns were read (CSV_HEADER_TWO_ROWS): where a
        mapped column was found by its joined name, or the row below the header holds names (never an order row)."""
        aliases = {*self.joined, *(a for more in self.extra for a in more)}
        used = {out.columns[name] for name in out.columns if out.header_names.get(name) in aliases}
        if not self.below and not used:
            return
        groups = "; ".join(f"{g!r} over {', '.join(map(repr, cols))}" for g, cols in self.groups)
        read = [f"{out.header_names[n]!r}" for n in out.columns if out.columns[n] in used]
        out.note(finding("CSV_HEADER_TWO_ROWS", f"The header is rows {self.rows[0]}-{self.rows[1]}: a merged group "
                         f"cell over the columns it heads ({groups}), as a spreadsheet saves a "
                         + ("two-row header" if self.rows[1] - self.rows[0] == 1 else
                            f"header of {self.rows[1] - self.rows[0] + 1} rows") + ". Its "
                         "columns are read by their own names, or by the group's and their own joined"
                         + (f" ({', '.join(read)})" if read else "")
                         + (f"; row {self.rows[1]} holds names, no order." if self.below and self.rows[1] == row + 1
                            else f"; rows {row + 1}-{self.rows[1]} hold names, no order." if self.below else "."),
                         file=out.file, row=row))


_NUMERIC = re.compile(r"^[\d\s.,'$\u20ac\u00a3\u00a5()%+-]+$")  # a cell a header never holds: a number, an amount


def _names_row(fields: list[str]) -> bool:
    """Every filled cell of the row is text that could name a column (no number, no amount), one at least."""
    cells = [cell_text(f) for f in fields if cell_text(f)]
    return bool(cells) and not any(_NUMERIC.match(c) for c in cells)


def _grouped(upper: list[str], lower: list[str]) -> TwoRowHeader | None:
    """``upper`` over ``lower`` as a two-row header, when ``upper`` holds a group cell: a filled cell with a blank
    one after it, the column below that blank one named (a merged cell over two columns at least)."""
    width = max(len(upper), len(lower))
    up = [cell_text(c) for c in upper] + [""] * (width - len(upper))
    low = [cell_text(c) for c in lower] + [""] * (width - len(lower))
    names: list[str] = []
    joined: list[str | None] = []
    starts: list[int | None] = []
    groups: dict[int, list[str]] = {}
    start: int | None = None
    for i in range(width):
        if up[i]:
            # a group starts where a filled cell has a blank one after it, the column below named
            start = i if i + 1 < width and not up[i + 1] and low[i + 1] else None
        elif not low[i]:
            start = None  # a column named in neither row ends the group
        own = low[i] or up[i]
        names.append(upper[i] if i < len(upper) and not low[i] else lower[i] if i < len(lower) else "")
        if start is not None and low[i]:
            joined.append(f"{up[start]} {own}")
            groups.setdefault(start, []).append(own)
            starts.append(start)
        else:
            joined.append(None)
            starts.append(None)
    if not groups:
        return None
    return TwoRowHeader(names, joined, (0, 0), [(up[g], cols) for g, cols in groups.items()], False, starts)


def _two_rows(header: tuple[int, list[str]], above: tuple[int, list[str]] | None,
              records: Iterator[tuple[int, list[str]]], mapping: dict[str, str | None], required: tuple[str, ...],
              titles_seen: set[tuple[str, ...]]
              ) -> tuple[TwoRowHeader | None, Iterator[tuple[int, list[str]]]]:
    """The header as two rows (`TwoRowHeader`), and the records after it: a group row just above the header (its
    columns' own names the header's), or below it (the header row holding the group cells and the names of the
    columns outside them, the row below the grouped columns' names: read as the header, passed over, and again at a
    page break). The row below is taken for names only when it holds no number, nothing under a ``required`` column
    and names only under a group cell (a blank above or a group cell itself): an order row, even a PO's next row
    in a grouped layout, names its quantity. A third row (or fourth) of names below is read too (`_deeper`). None:
    the header is its one row (``records`` as they were)."""
    wanted = {_title(t) for name in required if (t := mapping.get(name))}
    upper = header[1]
    if above is not None and above[0] == header[0] - 1 and _names_row(above[1]) \
            and (len(_filled(above[1])) > 1 or not cell_text(above[1][0]) if above[1] else False) \
            and all(i < len(upper) and cell_text(upper[i]) for i, c in enumerate(above[1]) if cell_text(c)):
        two = _grouped(above[1], upper)
        if two is not None:
            two.rows = (above[0], header[0])
            two.names = list(upper)  # the header's own names, as sent
            return _deeper(two, records, wanted, titles_seen)
    below = next(records, None)
    if below is None:
        return None, records
    again = chain((below,), records)
    if below[0] != header[0] + 1 or not _names_below(upper, below[1], wanted):
        return None, again
    two = _grouped(upper, below[1])
    if two is None:
        return None, again
    two.rows, two.below = (header[0], below[0]), True
    titles_seen.add(_filled(below[1]))  # a page break repeats it under the header again
    return _deeper(two, records, wanted, titles_seen)


def _names_below(upper: list[str], lower: list[str], wanted: set[str]) -> bool:
    """``lower`` (the row below ``upper``) holds column names only: no number, nothing under a ``wanted`` column
    (its PO number, its quantity: an order row names them) and its names only under a group cell of ``upper`` (a
    filled cell with a blank one after it, the column below that one named) or under a blank."""
    if not _names_row(lower):
        return False
    for i, c in enumerate(lower):
        if not cell_text(c):
            continue
        top = cell_text(upper[i]) if i < len(upper) else ""
        if _title(top) in wanted:
            return False  # a value under the PO number or quantity: an order row
        if top and not (i + 1 < len(upper) and not cell_text(upper[i + 1]) and i + 1 < len(lower)
                        and cell_text(lower[i + 1])):
            return False  # a cell under a column's own name: an order row (or a second header)
    return True


_MOST_LEVELS = 4  # the header rows read as one at most (a group over groups over the columns' names)


def _deeper(two: TwoRowHeader, records: Iterator[tuple[int, list[str]]], wanted: set[str],
            titles_seen: set[tuple[str, ...]]) -> tuple[TwoRowHeader, Iterator[tuple[int, list[str]]]]:
    """A header of three rows or more: below a two-row header (``two``), a row of names under a column of it
    become a group cell ("Address" over "Street", "City": a group within "Ship To"), as `_names_below` tells it,
    read as one more level (and again, to `_MOST_LEVELS` rows), passed over as the names row is. Each column keeps
    its own name, its inner group's and its own joined ("Address Street", `joined`) and its outer groups' with its
    own ("Ship To Street", "Ship To Address Street", `extra`). The records after the header."""
    while two.rows[1] - two.rows[0] + 1 < _MOST_LEVELS:
        below = next(records, None)
        if below is None:
            return two, records
        records = chain((below,), records)
        if below[0] != two.rows[1] + 1 or not _names_below(two.names, below[1], wanted):
            return two, records
        inner = _grouped(two.names, below[1])
        if inner is None:
            return two, records
        next(records)  # the names row: read into the header
        width = max(len(two.names), len(inner.names))
        joined = two.joined + [None] * (width - len(two.joined))
        starts = two.starts + [None] * (width - len(two.starts))
        extra = two.extra + [()] * (width - len(two.extra))
        names = [cell_text(n) for n in two.names] + [""] * (width - len(two.names))
        new_extra: list[tuple[str, ...]] = []
        for i in range(width):
            more = list(extra[i])
            head = inner.starts[i] if i < len(inner.starts) else None
            if head is not None:
                own = cell_text(inner.names[i])
                outer = joined[head]  # "Ship To Address": the inner group cell's own alias
                if outer:
                    more += [f"{outer} {own}", f"{outer[:len(outer) - len(names[head])].strip()} {own}"]
                more += [f"{a} {own}" for a in extra[head]]
                if joined[i] and joined[i] != inner.joined[i]:
                    more.append(joined[i])  # the column's own alias a level up ("Ship To City" for "City")
            new_extra.append(tuple(dict.fromkeys(a for a in more if a and a != inner.joined[i])))
        inner.groups = two.groups + inner.groups
        inner.joined = [inner.joined[i] if i < len(inner.joined) and inner.joined[i] else joined[i] if
                        inner.starts[i] is None else None for i in range(width)]
        inner.starts = [inner.starts[i] if inner.starts[i] is not None else starts[i] for i in range(width)]
        inner.extra, inner.rows, inner.below = new_extra, (two.rows[0], below[0]), True
        inner.names = [inner.names[i] if i < len(inner.names) else "" for i in range(width)]
        titles_seen.add(_filled(below[1]))  # a page break repeats it under the header again
        two = inner
    return two, records


def _filled(fields: list[str]) -> tuple[str, ...]:
    """A row's filled cells as matched (`_title`): a title line repeated on each page of a report."""
    return tuple(t for f in fields if (t := _title(f)))


def _row_pattern(label: str) -> re.Pattern[str]:
    """A totals label with a ``*`` before or inside its text: a pattern over the whole row (`_row_text`), each ``*``
    any text. A marketplace report's footer puts a count before its words (eBay's ``2,record(s) downloaded,from ...
    to ...``), so its first filled cell, which a plain label names, is a number."""
    return re.compile(".*".join(re.escape(re.sub(r"\s+", " ", part)) for part in label.split("*")), re.DOTALL)


def _no_line(fields: list[str], required: tuple[str, ...], columns: dict[str, int]) -> bool:
    """The row lacks what every line row holds, so a cell of it reading as a page ("Page 3 of 3") may make it a
    report's footer: its quantity blank, where the rows need one; else a value the rows need. A row with its quantity
    is a line whatever another cell says (a DVD's rating "PG 13", a grouped layout's later row of a PO leaving the PO
    number blank): it used to be passed over as a page line, the PO taken without it."""
    def blank(name: str) -> bool:
        at = columns.get(name)
        return at is not None and not (at < len(fields) and fields[at].strip())

    if "quantity" in required and "quantity" in columns:
        return blank("quantity")
    return any(blank(name) for name in required)


# what a database client writes around a query's rows when its output is the export (a scheduled `sqlcmd -s ","`,
# SQL*Plus's spool, psql, DB2's CLP): the header underlined with a run of dashes (or equals signs) per column, and
# after the rows their count: "(2 rows affected)", "(1 row(s) affected)", "2 rows selected.", "no rows selected",
# "(2 rows)", "2 record(s) selected.", "2 rows in set (0.00 sec)"; SSMS's "Completion time: ..." after them
_UNDERLINE = re.compile(r"[-=]{2,}|[-=]")
_ROW_COUNT = re.compile(r"\(\d+ rows?(?:\(s\))?(?: affected)?\)|(?:\d+|no) (?:rows?|records?)(?:\(s\))? selected\.?"
                        r"|\d+ rows? in set(?: \([\d.]+ sec\))?\.?|completion time: \S+")


def _query_output(fields: list[str]) -> bool:
    """The row is a database client's underline of the header (every filled cell a run of dashes or equals
    signs, two cells or a run of two at least: never a PO's row, whose PO number is no dash) or its row count,
    alone on its row (`_ROW_COUNT`)."""
    head = fields[0].strip() if fields else ""
    if head[:1] in ("-", "="):  # (an order row's PO number is none: one look at the first cell decides most rows)
        filled = [t for f in fields if (t := f.strip())]
        return all(_UNDERLINE.fullmatch(t) for t in filled) and (len(filled) > 1 or len(head) > 1)
    if not head or head[0] not in "(0123456789nNcC" or any(f.strip() for f in fields[1:]):
        return False
    return _ROW_COUNT.fullmatch(" ".join(head.casefold().split())) is not None


def _row_text(fields: list[str]) -> str:
    """The row's filled cells, case-folded, each with single blanks, joined by a blank: what a pattern label
    matches (whole)."""
    return " ".join(" ".join(t.split()) for f in fields if (t := cell_text(f).casefold()))


def _first_filled(fields: list[str]) -> str | None:
    """The row's first cell holding more than blanks, as a totals label is matched (case-folded)."""
    return next((cell_text(f).casefold() for f in fields if cell_text(f)), None)


def header_at(records: list[tuple[int, list[str]]], layout: CsvLayout) -> int:
    """The index in ``records`` (`raw_records`) of the header: after an Excel "sep=;" line and the layout's
    title rows, as the readers take it."""
    at = 1 if records and _SEP_HINT.match(layout.delimiter.join(records[0][1])) else 0
    return at + getattr(layout, "title_rows", 0)


# the mapped columns holding a free text only (an item's description, a note): one named twice in the header is read
# from its first column with a warning (CSV_COLUMN_TWICE_FIRST_READ), the file's orders kept; any other mapped column
# named twice (a quantity, a price, an id, a name that is the ship-to's or the bill-to's) is refused, never guessed
_FREE_TEXT = ("description", "notes", "note", "comment", "comments", "remarks", "item_description")


def _header(header: list[str] | None, mapping: dict[str, str | None], required: tuple[str, ...], out: CsvRows,
            row: int = 1, delimiter: str = "", *, aliases: list[str | None] | None = None,
            extra: list[tuple[str, ...]] | None = None) -> bool:
    """The header row's columns found for ``mapping`` (into ``out``); False, with a finding at the header's
    ``row``, when the file has no header, the header lacks a ``required`` column or names a mapped column
    twice (no row is read then; a free text, _FREE_TEXT, is read from its first column, with a warning).
    ``aliases``: each column's other name (a two-row header's group and column name joined, `TwoRowHeader`),
    matched where no column's own name is; ``extra``: more of them (a header of three rows: "Ship To Street")."""
    if header is None or not any(h.strip() for h in header):
        out.note(finding("CSV_NO_HEADER", "The file has no header row." + (" It is empty." if header is None else ""),
                         file=out.file))
        return False
    positions: dict[str, list[int]] = {}
    for i, h in enumerate(header):
        positions.setdefault(_title(h), []).append(i)
    other: dict[str, list[int]] = {}
    said: dict[tuple[str, int], str] = {}  # (alias matched, column) -> the alias as written
    for i, h in enumerate(aliases or ()):
        if h:
            other.setdefault(_title(h), []).append(i)
    for i, more in enumerate(extra or ()):
        for h in more:
            if i not in other.get(_title(h), ()):
                other.setdefault(_title(h), []).append(i)
                said[(_title(h), i)] = h
    missing, twice = [], []
    for name, title in mapping.items():
        if title is None:
            continue
        found = positions.get(_title(title))
        names = header
        if found is None and (found := other.get(_title(title))) is not None:
            key = _title(title)
            names = [said.get((key, i)) or (aliases[i] if aliases and i < len(aliases) else None) or h
                     for i, h in enumerate(header)]  # each column's alias the layout's name matched
        if found is None:
            if name in required:
                missing.append(title)
            continue
        if len(found) > 1:
            if name.split("#")[0] not in _FREE_TEXT or name in required:
                twice.append((names[found[0]].strip(), found))
                continue
            sent = names[found[0]].strip()  # a free text (a description): the first column read, the others said
            where = ", ".join(str(i + 1) for i in found[1:])
            out.note(finding("CSV_COLUMN_TWICE_FIRST_READ", f"The header row names {sent!r} in columns "
                             f"{', '.join(str(i + 1) for i in found[:-1])} and {found[-1] + 1}: a free text, read "
                             f"from column {found[0] + 1}, column{'s' if len(found) > 2 else ''} {where} left unread. "
                             "Give the columns distinct names (or name the one meant in the layout) to read another.",
                             file=out.file, row=row, column=sent))
        out.columns[name] = found[0]
        out.header_names[name] = names[found[0]].strip()
    if missing:
        out.note(finding("CSV_COLUMN_MISSING", f"The header row lacks {', '.join(map(repr, missing))}."
                         + (_x12_hint(header, delimiter) or _separator_hint(header, delimiter)), file=out.file,
                         row=row, column=missing[0]))
        return False
    if twice:
        title, found = twice[0]
        where = ", ".join(str(i + 1) for i in found[:-1]) + f" and {found[-1] + 1}"
        by_group = [repr(a) for i in found if aliases and i < len(aliases) and (a := aliases[i])]
        hint = f" Name it by its group in the layout ({' or '.join(by_group)})." if len(by_group) == len(found) else ""
        out.note(finding("CSV_COLUMN_AMBIGUOUS", f"The header row names {title!r} in columns {where}: which one is "
                         "meant is not known." + hint, file=out.file, row=row, column=title))
        return False
    return True


def numbered_columns(out: CsvRows, templates: dict[str, str], required: str) -> list[tuple[int, dict[str, int]]]:
    """The header's numbered columns (a wide export's items side by side: "Item 1 SKU", "Qty 1", "Item 2 SKU" ...)
    of ``templates`` (field name -> header text with "{n}" for the number, matched as any header name is): each
    number n found, with its fields' positions, in order of n. A number whose ``required`` column is missing
    (CSV_COLUMN_MISSING), or a column found twice (CSV_COLUMN_AMBIGUOUS), is a finding at the header and
    nothing is returned (no row is read: an item would be lost)."""
    patterns = {}
    for name, template in templates.items():
        before, after = _title(template).split("{n}", 1)
        patterns[name] = re.compile(re.escape(before) + r"(\d{1,3})" + re.escape(after))
    found: dict[int, dict[str, list[int]]] = {}
    for at, text in enumerate(out.header):
        title = _title(text)
        for name, pattern in patterns.items():
            m = pattern.fullmatch(title)
            if m is not None:
                found.setdefault(int(m.group(1)), {}).setdefault(name, []).append(at)
    groups = []
    for n in sorted(found):
        for places in found[n].values():
            if len(places) > 1:
                title = out.header[places[0]].strip()
                out.note(finding("CSV_COLUMN_AMBIGUOUS", f"The header row names {title!r} in columns "
                                 f"{', '.join(str(i + 1) for i in places)}: which one is meant is not known.",
                                 file=out.file, row=out.header_row, column=title))
                return []
        if required not in found[n]:
            named = out.header[next(iter(found[n].values()))[0]].strip()
            missing = templates[required].replace("{n}", str(n))
            out.note(finding("CSV_COLUMN_MISSING", f"The header row names {named!r} but lacks {missing!r}: that item "
                             "could not be read.", file=out.file, row=out.header_row, column=missing))
            return []
        groups.append((n, {name: places[0] for name, places in found[n].items()}))
    if not groups:
        missing = templates[required].replace("{n}", "1")
        out.note(finding("CSV_COLUMN_MISSING", f"The header row lacks {missing!r} (nor any other number of it).",
                         file=out.file, row=out.header_row, column=missing))
    return groups


def second_item(out: CsvRows, name: str) -> str | None:
    """The header's column for a second item beside the one named ``name`` as it is sent ("Qty 2" beside
    "Qty 1", "Quantity_2" beside "Quantity_1"): a wide export read as if it had one item per row; else None."""
    m = re.fullmatch(r"(.*?)(?<!\d)0*1(?!\d)(.*)", name)
    if m is None:
        return None
    wanted = _title(m.group(1) + "2" + m.group(2))
    return next((h.strip() for h in out.header if _title(h) == wanted), None)


_SEPARATORS = {"\t": "TAB", ";": "semicolons", ",": "commas", "|": "bars"}


def _separator_hint(header: list[str], delimiter: str) -> str:
    """What a header read as one column says of the file's separator: Excel's "Unicode text" is TAB
    separated, a European "CSV" semicolon separated, whatever the layout was written for."""
    named = [h for h in header if h.strip()]
    if len(named) != 1 or not delimiter:
        return ""
    text = named[0]
    found = [(text.count(sep), name) for sep, name in _SEPARATORS.items() if sep != delimiter and sep in text]
    if not found:
        return ""
    name = max(found)[1]
    return (f" It reads as one column: the layout's separator is {_SEPARATORS.get(delimiter, repr(delimiter))}, "
            f"the header is separated by {name} (set the layout's delimiter, or have the file exported so).")


def _x12_hint(header: list[str], delimiter: str) -> str:
    """What a "header" that is an X12 ISA segment says: the file is EDI dropped where CSV is read."""
    text = delimiter.join(header).lstrip("\ufeff \t")
    if len(text) > 3 and text.startswith("ISA") and not text[3].isalnum() and not text[3].isspace():
        return (" The file is an X12 interchange (it begins with ISA), not CSV: this layout reads CSV only (a "
                "partner sending X12 needs its profile to accept it).")
    return ""


def _title(text: str) -> str:
    """A header name as matched: case and runs of blanks (a no-break space, a doubled space) do not count."""
    return " ".join(text.split()).casefold()


_LINE_END = re.compile(r"\r\n|\r|\n")


def _lines(chunks: Iterable[bytes], layout: CsvLayout, out: CsvRows) -> Iterator[str]:
    """The text of the byte ``chunks`` as lines with their endings, as ``io.StringIO(text, newline="")``
    gives them, decoded incrementally; bytes that do not decode end it, ``out.undecodable`` set to the
    CSV_NOT_DECODABLE finding the whole-file decode gives (the same byte offset)."""
    chunks = _head_of_file(chunks, _SNIFF if _eight_bit(layout.encoding) else HEAD_BYTES)
    first = next(chunks, b"")
    kind = compressed_kind(first[:HEAD_BYTES])
    kind = f"{kind}-compressed file (an Excel .xlsx workbook is a zip)" if kind == "zip" else \
        f"{kind}-compressed file" if kind else document_kind(first[:HEAD_BYTES])
    if kind:  # its bytes are no text: never decoded as rows, nor a code page suggested for them
        out.undecodable = finding("CSV_NOT_DECODABLE", f"{with_article(kind)}, not CSV text: nothing read. Ask for "
                                  "the file saved as CSV (or unpack or export the archived copy and drop it again).",
                                  file=out.file)
        return
    skip, encoding = _by_bom(first, layout.encoding)
    first = first[skip:]
    try:
        decoder = codecs.getincrementaldecoder(_windows(encoding))(_errors(encoding))
    except LookupError:
        out.undecodable = _not_decodable(out, encoding, None)
        return
    out.encoding = _codec_name(_windows(encoding))
    # a UTF-8 layout's file with no byte-order mark may be Windows-1252 (`_not_utf8`) while its text so far is ASCII
    ascii_so_far = not skip and _utf8_name(encoding)
    fed, rest, produced = 0, "", 0  # produced: the lines handed on
    for data, final in _with_last(first, chunks):
        state = decoder.getstate()
        pending = len(state[0])
        try:
            text = decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            at = fed - pending + exc.start
            before = data[:max(0, exc.start - pending)]
            line = _line_of(encoding, state, before, rest, produced) if ascii_so_far is not None else None
            if ascii_so_far is None:  # read as Windows-1252, a byte it leaves undefined
                out.undecodable = _not_decodable(out, "cp1252", at)
                return
            if not ascii_so_far or not before.isascii():
                out.undecodable = _not_decodable(out, encoding, at, line, data, utf8_before=not skip and _utf8_name(
                    encoding))  # (UTF-8 text before it)
                return
            # every byte before it ASCII: read on (its chunk again) as Windows-1252, if every byte is
            decoder = codecs.getincrementaldecoder("cp1252")()
            try:
                text = decoder.decode(state[0] + data, final)
            except UnicodeDecodeError:  # nor Windows-1252 (one of the five bytes it leaves undefined)
                out.undecodable = _not_decodable(out, encoding, at, line)
                return
            _not_utf8(out, at, line)
            ascii_so_far = None  # read as Windows-1252 from here
        except UnicodeError:  # the UTF-16/32 codecs' own: no byte-order mark, and no byte order its NULs tell
            out.undecodable = _no_order(out, encoding)
            return
        if ascii_so_far and not text.isascii():
            ascii_so_far = False  # UTF-8 text: the file is UTF-8
        fed += len(data)
        text = rest + text if rest else text
        if "\r" not in text:  # "\n" alone ends a line: split at C speed (the same lines)
            *whole, rest = text.split("\n")
            produced += len(whole)
            if "\ufeff" in text or "\x1a" in text or "\x00" in text:  # files concatenated, each with its
                # byte-order mark, or a DOS end-of-file mark or padding (rare): the marks dropped
                whole = [_unmarked(line) + "\n" for line in whole]
            else:
                whole = [line + "\n" for line in whole]
            if _NULL_TEXT.search(text) is None:
                yield from whole
            else:
                yield from _kept(whole, out.raw)
            continue
        start = 0
        kept = _NULL_TEXT.search(text) is not None
        for m in _LINE_END.finditer(text):
            if not final and m.end() == len(text) and m.group() == "\r":
                break  # a \r at the end: its \n may open the next chunk
            produced += 1
            line = _unmarked(text[start:m.end()])
            if kept:
                out.raw.append(line)
            yield line
            start = m.end()
        rest = text[start:]
    if rest and rest[-1:] in ("\x1a", "\x00"):  # the file's end-of-file mark (or padding) right after its last row
        rest = rest.rstrip("\x1a\x00")
    if rest:
        if _NULL_TEXT.search(rest) is not None:
            out.raw.append(rest)
        yield _unmarked(rest)

_NULL_TEXT = re.compile("null", re.IGNORECASE)  # a chunk of text that may hold a database export's NULL


def _kept(lines: list[str], raw: list[str]) -> Iterator[str]:
    """``lines`` handed on one by one, each first put in ``raw``: the lines of the record the csv reader reads
    (`_records` reads a NULL's quotes there, and empties it after each record)."""
    for line in lines:
        raw.append(line)
        yield line


def _unmarked(line: str) -> str:
    """A line without the byte-order mark it begins with: exports concatenated into one file (``copy /b
    a.csv+b.csv``, ``cat``), each an Excel "CSV UTF-8" (or "Unicode text") beginning with its mark, put one
    inside the file, where the decoder keeps it as a character (U+FEFF, invisible): the repeated header
    would not be known as one, a first cell would not match. The character means nothing in text (a
    zero-width no-break space, long deprecated as such).

    Nor the DOS end-of-file mark (SUB, Ctrl-Z, 0x1A) it begins with, nor a line of nothing but such marks and
    NULs: the mark a DOS-era or IBM i program (i Access's data transfer, ``copy /a``) writes after the last row, a
    file padded to its block with NULs, or a file concatenated after such a mark. They hold no row (a PO named
    "\x1a" used to be refused as a row of one field, the file quarantined)."""
    head = line[:1]
    if head == "\ufeff":
        line = line[1:]
        head = line[:1]
    if head == "\x1a" or head == "\x00":
        if not line.rstrip("\r\n").strip("\x1a\x00"):
            return line[len(line.rstrip("\r\n")):]  # marks or padding only: an empty line (its ending kept)
        return line.lstrip("\x1a")  # the next file's first line, after the mark that ended the one before
    return line


def _line_of(encoding: str, state: tuple, head: bytes, rest: str, produced: int) -> int | None:
    """The line of the first byte that does not decode: ``produced`` lines handed on, then ``rest`` (text
    not yet handed on) and ``head`` (the chunk's bytes before the bad one, decoded from ``state``)."""
    before = codecs.getincrementaldecoder(_windows(encoding))(_errors(encoding))
    before.setstate(state)
    try:
        return produced + len(_LINE_END.findall(rest + before.decode(head))) + 1
    except UnicodeError:
        return None


def _by_bom(head: bytes, encoding: str) -> tuple[int, str]:
    """The encoding a file's byte-order mark settles, and the bytes to skip: a UTF-16 or UTF-32 mark (a
    spreadsheet's "Unicode text" export) cannot be meant as UTF-8 or an 8-bit code page, and its codec
    reads the mark and the byte order it gives; a UTF-8 mark (Excel's "CSV UTF-8") says UTF-8 whatever
    the layout says (no Windows-1252 or Latin-1 text begins with "ï»¿"). A layout naming a UTF-16/32 byte
    order is taken as given, its mark skipped; UTF-16 without a mark is told by its NUL bytes
    (schemas.wide_text.wide_order); else the layout's encoding is taken as given."""
    name = encoding.replace("-", "").replace("_", "").lower()
    if name in _ORDERED_MARKS:  # its own mark, if the file has it, is skipped (the codec would keep it)
        mark = _ORDERED_MARKS[name]
        return (len(mark) if head.startswith(mark) else 0), encoding
    if head.startswith(b"\xef\xbb\xbf"):
        return 3, "utf-8"
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return 0, "utf-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return 0, "utf-16"
    order = wide_order(head)
    if order:  # UTF-16 without its mark (a .NET or database export): NUL bytes beside every ASCII character
        return 0, order
    if _eight_bit(encoding) and not head[:_SNIFF].isascii() and _utf8(head[:_SNIFF]):
        return 0, "utf-8"  # UTF-8 text (Google Sheets, Excel's "CSV UTF-8" without its mark) in a code page's layout
    return 0, encoding


_SNIFF = 65536  # the bytes of a file's head its encoding is told by


def _eight_bit(encoding: str) -> bool:
    """A Windows or ISO 8859 code page (or Mac Roman): a text in it is never valid UTF-8 once it holds a byte
    over 127 (an accented letter is one byte there, a lead byte then one not following it in UTF-8; "Ã©" is
    what UTF-8's "é" reads as there, which no writer means). Read so, UTF-8 would be mangled, not refused."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False
    return name.startswith(("cp125", "iso8859", "mac-roman"))


def _utf8(head: bytes) -> bool:
    """True when ``head`` is valid UTF-8 (a sequence cut at its end allowed: a file's head)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, False)
    except UnicodeDecodeError:
        return False
    return True


def _windows(encoding: str) -> str:
    """The codec a layout's encoding is read with: ISO-8859-1 (Latin-1) as Windows-1252, as browsers read a page
    so labelled (WHATWG Encoding). What Windows writes as "ANSI" (Excel's "CSV (Comma delimited)", Notepad) is
    Windows-1252, which partners call Latin-1: its euro sign, curly quotes and dashes (0x80-0x9F) are
    control characters in ISO-8859-1, never text, and would go on into our documents so (a description
    "12\x80", a name "O\x92Brien"). The five bytes Windows-1252 leaves undefined read as Latin-1 does
    (`_errors`), so a file labelled Latin-1 still decodes whatever its bytes."""
    try:
        return "cp1252" if codecs.lookup(encoding).name == "iso8859-1" else encoding
    except LookupError:
        return encoding


def _errors(encoding: str) -> str:
    return _LATIN1_REST if _windows(encoding) != encoding else "strict"


def _latin1_rest(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start:exc.end].decode("latin-1"), exc.end


_LATIN1_REST = "orderbridge-latin1-rest"
codecs.register_error(_LATIN1_REST, _latin1_rest)

_ORDERED_MARKS = {"utf16le": b"\xff\xfe", "utf16be": b"\xfe\xff", "utf32le": b"\xff\xfe\x00\x00",
                  "utf32be": b"\x00\x00\xfe\xff"}


def _head_of_file(chunks: Iterable[bytes], size: int) -> Iterator[bytes]:
    """``chunks`` with the first one holding the file's first ``size`` bytes, or the whole file when shorter:
    4 for its byte-order mark; `_SNIFF` for a layout in an 8-bit code page (the text `_by_bom` tells UTF-8 by)."""
    it = iter(chunks)
    head = b""
    for chunk in it:
        head += chunk
        if len(head) >= size:
            break
    if head:
        yield head
    yield from it


def _with_last(first: bytes, rest: Iterator[bytes]) -> Iterator[tuple[bytes, bool]]:
    """(chunk, is it the last) for ``first`` and then ``rest``; the last is an empty final chunk."""
    yield first, False
    for chunk in rest:
        if chunk:
            yield chunk, False
    yield b"", True


def _no_order(out: CsvRows, encoding: str) -> Finding:
    """CSV_NOT_DECODABLE of a file in a layout's UTF-16 or UTF-32 (no byte order named) that begins with no
    byte-order mark and whose byte order its NUL bytes do not tell (schemas.wide_text.wide_order): its codec
    refuses it (it used to escape as an exception, the file's run with it)."""
    return finding("CSV_NOT_DECODABLE", f"Not valid {encoding}: the file does not begin with a byte-order mark "
                   "and its byte order cannot be told from its bytes. Have it exported again as \"Unicode text\", "
                   f"or set the layout's encoding to \"{encoding}-le\" or \"{encoding}-be\".", file=out.file)


def _codec_name(encoding: str) -> str:
    """The codec's own name, as a file's record keeps it ("utf-8" for a UTF-8 layout's "utf-8-sig" too)."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return encoding
    return "utf-8" if name == "utf-8-sig" else name


def _utf8_name(encoding: str) -> bool:
    return encoding.replace("-", "").replace("_", "").lower() in _UTF8


def _not_utf8(out: CsvRows, at: int, line: int | None) -> None:
    """A UTF-8 layout's file (no byte-order mark) that is not UTF-8, all ASCII before its first byte that is not,
    and every byte Windows-1252: read as Windows-1252 (``out.encoding``), what Excel's "CSV (Comma delimited)" and
    Notepad's "ANSI" write on a Windows set to a Western language ("Café", "O’Brien", "5 – 10"), with CSV_NOT_UTF8
    (a warning) naming the first byte that is not UTF-8. It used to be refused whole (CSV_NOT_DECODABLE) until the
    partner's layout said ``encoding = "cp1252"``."""
    out.encoding = "cp1252"
    where = f"on line {line}, at byte {at}" if line is not None else f"at byte {at}"
    was, out.where = out.where, None  # the file's, not the PO's being read
    out.note(finding("CSV_NOT_UTF8", f"Not valid UTF-8 {where}: read as Windows-1252 (Excel's \"CSV (Comma "
                     "delimited)\" on Windows), every byte of the file being so. Set the layout's encoding = "
                     "\"cp1252\" "
                     "if the partner always sends it so, or have the file saved as \"CSV UTF-8\".", severity="warning",
                     file=out.file))
    out.where = was


def _not_decodable(out: CsvRows, encoding: str, at: int | None, line: int | None = None,
                   sample: bytes = b"", *, utf8_before: bool = False) -> Finding:
    """CSV_NOT_DECODABLE: the byte offset (after a byte-order mark) and the line (as a text editor counts
    them, from 1) of the first byte that does not decode; of a UTF-8 layout's file whose bytes (``sample``: the
    chunk holding that byte) read as Windows-1252, what to set; ``utf8_before``: UTF-8 text came before it (a file
    of two encodings: read as either, one part would be garbled)."""
    where = f" on line {line}, at byte {at}." if at is not None and line is not None else \
        f" at byte {at}." if at is not None else "."
    hint = ""
    if utf8_before:
        hint = (" The file holds UTF-8 text before it, and from there bytes in another encoding (Windows-1252?): a "
                "file of two encodings (rows pasted in from another file?). Have it saved again in one encoding "
                "(\"CSV UTF-8\").")
    elif sample and encoding.replace("-", "").replace("_", "").lower() in _UTF8:
        try:
            sample.decode("cp1252")
            hint = (" It reads as Windows-1252 (Excel's \"CSV (Comma delimited)\" on Windows): set the layout's "
                    "encoding = \"cp1252\", or have the file saved as \"CSV UTF-8\".")
        except UnicodeDecodeError:
            pass
    return finding("CSV_NOT_DECODABLE", f"Not valid {encoding}{where}{hint}", file=out.file)


@dataclass(slots=True)
class CsvColumns:
    """A file read as `read_rows` reads it, its kept rows as columns: ``rows`` holds the header's columns
    and the findings (its ``rows`` left empty), ``numbers`` each kept row's record number and
    ``cells`` each header position's values of the kept rows (as read: not stripped)."""

    rows: CsvRows
    numbers: list[int]
    cells: list[pa.Array]


def read_columns(data: bytes, layout: CsvLayout, mapping: dict[str, str | None], *, required: tuple[str, ...],
                 file: str = "") -> CsvColumns:
    """`read_rows` as columns: the same rows, record numbers and findings. Arrow's CSV reader reads a
    file that leaves no room for a difference (UTF-8, no quote character, no NUL, lines ended by LF or
    CR LF, every line a record of the header's width, no field over the csv module's limit); any other
    file (and any file Arrow refuses) is read by `read_rows`, whose findings it needs."""
    fast = _arrow_columns(data, layout, mapping, required, file)
    if fast is not None:
        return fast
    rows = read_rows(data, layout, mapping, required=required, file=file)
    n = len(rows.rows)
    width = len(rows.rows[0][1]) if n else 0
    cells = pa.array(list(chain.from_iterable(fields for _number, fields in rows.rows)), pa.string())
    columns = [cells.take(pa.array(np.arange(at, n * width, width, dtype=np.int64))) for at in range(width)]
    numbers = [number for number, _fields in rows.rows]
    rows.rows = []
    return CsvColumns(rows, numbers, columns)


_UTF8 = ("utf8", "utf8sig")


def _arrow_columns(data: bytes, layout: CsvLayout, mapping: dict[str, str | None], required: tuple[str, ...],
                   file: str) -> CsvColumns | None:
    """`read_columns` by Arrow's CSV reader, or None when the file is not one it reads as `read_rows` does."""
    skip, encoding = _by_bom(data[:_SNIFF], layout.encoding)
    body = data[skip:]
    delimiter, quote = layout.delimiter.encode("utf-8"), layout.quotechar.encode("utf-8")
    if encoding.replace("-", "").replace("_", "").lower() not in _UTF8 or len(delimiter) != 1 \
            or b"\xef\xbb\xbf" in body or quote in body or b"\x00" in body \
            or body.count(b"\r") != body.count(b"\r\n") or body[:4].lower() == b"sep=" \
            or getattr(layout, "title_rows", 0) or getattr(layout, "total_labels", ()) \
            or b"null" in body.lower():  # a database export's NULL perhaps: read_rows reads it as blank
        return None
    first = body.split(b"\n", 1)[0]
    width = first.count(delimiter) + 1
    lines = body.count(b"\n") + (not body.endswith(b"\n"))
    if width < 2 or lines < 2:
        return None
    names = [f"f{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(pa.py_buffer(body), read_options=pacsv.ReadOptions(
            column_names=names, use_threads=False, skip_rows=0), parse_options=pacsv.ParseOptions(
            delimiter=layout.delimiter, quote_char=False, escape_char=False, newlines_in_values=False,
            ignore_empty_lines=False), convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False,
            quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    if table.num_rows != lines:
        return None
    columns = [c.combine_chunks() for c in table.columns]
    again = pc.equal(pc.utf8_lower(pc.utf8_trim_whitespace(columns[0][1:])), _title(columns[0][0].as_py()))
    if pc.any(again).as_py():
        return None  # the header's first name again further down (concatenated exports): read_rows decides
    if _may_hold_page(body):
        return None  # a report's page line, perhaps: read_rows decides
    limit = csv.field_size_limit()
    if any(pc.max(pc.binary_length(c)).as_py() > limit for c in columns):
        return None
    out = CsvRows(file=file, columns={})
    if not _header([c[0].as_py() for c in columns], mapping, required, out):
        return CsvColumns(out, [], [])
    if all(not columns[at][1].as_py().strip() for name in required if (at := out.columns.get(name)) is not None):
        return None  # the row below the header names none of the values every row needs: a two-row header's names
        # row perhaps (read_rows decides)
    columns = [c[1:] for c in columns]
    # a row whose fields hold nothing but whitespace is skipped (as read_rows does); a row holding a
    # printable ASCII character is not such a row, the others (few) are asked as read_rows asks
    joined = pc.binary_join_element_wise(*columns, "")
    kept = pc.match_substring_regex(joined, "[!-~]").to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(~kept).tolist():
        kept[i] = bool(joined[i].as_py().strip())
    rows = np.flatnonzero(kept)
    if len(rows) != len(kept):
        taken = pa.array(rows)
        columns = [c.take(taken) for c in columns]
    return CsvColumns(out, (rows + 2).tolist(), columns)


def _may_hold_page(body: bytes) -> bool:
    """Whether `_PAGE_WORD` finds a page line's bytes in ``body`` (the same answer, without its slow scan). Each
    pattern is searched only where numpy (a few passes over the bytes) finds what every match of it begins with: a
    word's first bytes ("pag", "pg", "sei", "bla", "p\xc3\xa1" lowered), a dash at the start or after a separator
    or a blank. Re's scan tries its pattern at every byte (~4 ms each a 930 KB confirmation file; the passes ~1 ms)."""
    lowered = body.lower()
    if _word_may_start(lowered) and _PAGE_WORDS_LOWER.search(lowered):
        return True
    if _dash_may_follow(body) and (_DASH_FIRST.match(body) or _DASH_AFTER_SEPARATOR.search(body)):
        return _PAGE_WORD.search(body) is not None
    return False


_SHORT = 256  # bytes: below, the patterns' scans cost less than the passes that would spare them
_BEFORE_DASH = np.zeros(256, bool)  # a separator of _DASH_AFTER_SEPARATOR's or a blank of its [ \t]*
_BEFORE_DASH[list(b",;\t|\n ")] = True


def _word_may_start(lowered: bytes) -> bool:
    """Whether ``lowered`` holds a first three bytes of _PAGE_WORDS_LOWER's words ("pag" of page, pagina and pag.;
    "pg"; "sei"; "bla"; "p\xc3\xa1" of p\xc3\xa1gina): False only where it can find none."""
    if len(lowered) < _SHORT:
        return True
    b = np.frombuffer(lowered, np.uint8)
    head = b[:-2]
    for first, seconds in ((0x70, ((0x67, None), (0x61, 0x67), (0xC3, 0xA1))), (0x73, ((0x65, 0x69),)),
                           (0x62, ((0x6C, 0x61),))):  # p: pg, pag, p\xc3\xa1; s: sei; b: bla
        at = np.flatnonzero(head == first)
        if not len(at):
            continue
        second, third = b[at + 1], b[at + 2]
        for want, then in seconds:
            hit = second == want
            if then is not None:
                hit &= third == then
            if hit.any():
                return True
    return lowered.endswith(b"pg")


def _dash_may_follow(body: bytes) -> bool:
    """Whether a dash of ``body`` stands first or after a separator or a blank (every match of _DASH_FIRST and
    _DASH_AFTER_SEPARATOR is such a dash): False only where none does."""
    if len(body) < _SHORT:
        return True
    b = np.frombuffer(body, np.uint8)
    at = np.flatnonzero(b == 0x2D)
    if not len(at):
        return False
    return bool(at[0] == 0 or np.any(_BEFORE_DASH[b[at[at > 0] - 1]]))


def raw_records(data: bytes, layout: CsvLayout, *, file: str = "") -> list[tuple[int, list[str]]]:
    """Every record as read (header first, malformed ones included, up to a quoting error), with its
    number: what a caller needs to say which row a finding came from."""
    out = CsvRows(file=file, columns={})
    text = _decode(data, layout, out)
    if text is None:
        return []
    if "\ufeff" in text:  # files concatenated, each with its mark: as _lines reads them
        text = _MARK_AT_LINE_START.sub("", text)
    return list(_records(_reader(io.StringIO(text, newline=""), layout), out))


def _reader(lines: Iterable[str], layout: CsvLayout):
    """The csv reader of a file's lines: strict (a quote where none may stand is a finding, never a guess);
    in a file whose header writes a blank after each separator ("PO Number, Quantity"), blanks after a
    separator are passed over, so a quoted field after them is one (``A1, "Pen, blue"``: such exporters
    still quote a field holding the separator; every value is read stripped anyway). Other files are read
    as RFC 4180 says (a quote after a blank is text: ``A1, "Best" pen`` stays a value)."""
    lines = iter(lines)
    head: list[str] = []
    for line in lines:  # the header's line: after Excel's "sep=" line and the layout's title rows
        head.append(line)
        if len(head) > (1 if _SEP_HINT.match(head[0].rstrip("\r\n")) else 0) + getattr(layout, "title_rows", 0):
            break
    return csv.reader(chain(head, lines), delimiter=layout.delimiter, quotechar=layout.quotechar, strict=True,
                      skipinitialspace=bool(head) and _blank_after_separators(head[-1], layout.delimiter))


def _blank_after_separators(line: str, delimiter: str) -> bool:
    """True when every field of a header line after its first begins with a blank (", " between fields)."""
    return _blank_after(line.rstrip("\r\n").split(delimiter), delimiter)


def _blank_after(fields: list[str], delimiter: str) -> bool:
    """True when every field of a header after its first begins with a blank (as read without skipping them)."""
    return delimiter != " " and any(fields[1:]) and all(f[:1] == " " for f in fields[1:] if f)


_MARK_AT_LINE_START = re.compile("(?:^|(?<=[\r\n]))\ufeff")


def _decode(data: bytes, layout: CsvLayout, out: CsvRows) -> str | None:
    skip, encoding = _by_bom(data[:_SNIFF], layout.encoding)
    data = data[skip:]
    try:
        out.encoding = _codec_name(_windows(encoding))
        return data.decode(_windows(encoding), _errors(encoding))
    except (UnicodeError, LookupError) as exc:
        if isinstance(exc, UnicodeError) and not isinstance(exc, UnicodeDecodeError):
            out.findings.append(_no_order(out, encoding))
            return None
        at = getattr(exc, "start", None)
        line = len(_LINE_END.findall(data[:at].decode(encoding, "replace"))) + 1 if at is not None else None
        if at is not None and not skip and _utf8_name(encoding) and data[:at].isascii():  # as `_lines` reads it
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                out.findings.append(_not_decodable(out, encoding, at, line))
                return None
            _not_utf8(out, at, line)
            return text
        out.findings.append(_not_decodable(out, encoding, at, line, data))
        return None


def _records(reader, out: CsvRows, start: int = 0):
    """(record number, fields) from a csv reader, numbered after ``start``; a quoting error ends the file with a
    finding."""
    number = start
    try:
        for number, fields in enumerate(reader, start + 1):
            if out.raw:  # its lines may hold a database export's NULL
                fields = _nulls_read(number, fields, "".join(out.raw), reader.dialect, out)
                out.raw.clear()
            yield number, fields
    except csv.Error as exc:  # raised reading record number + 1
        out.where, out.cut = None, number + 1
        out.note(finding("CSV_ROW_MALFORMED", f"Row {number + 1}: {exc}; the rest of the file was not read.",
                         file=out.file, row=number + 1))


def _nulls_read(number: int, fields: list[str], raw: str, dialect, out: CsvRows) -> list[str]:
    """A record's fields with a database export's NULL read as the blank cell it stands for: sqlcmd's and SSMS's
    "Save Results As" (and bcp, SQL*Plus, DB2 exports set so) write ``NULL`` for a column without a value, where a
    spreadsheet leaves the cell empty; read as text it went on as a value (a ship-to's second address line "NULL"
    printed on the 856, a lot "NULL"). ``NULL`` in any case, padded with blanks or not, unquoted; quoted only in a
    record whose every field is quoted (an exporter quoting everything quotes its NULLs too), since a quoted "NULL"
    beside unquoted values is text someone wrote. Its positions go to ``out.nulls`` (a required value's finding says
    it was NULL). ``raw``: the record's text as read (its last lines at least), where its quotes are seen."""
    at = [i for i, f in enumerate(fields) if 4 <= len(f) and f.strip().upper() == "NULL"]
    if not at:
        return fields
    quote = dialect.quotechar
    if quote and quote in raw:
        quoted = _quoted(raw, dialect.delimiter, quote)
        if quoted is None or len(quoted) != len(fields):
            return fields  # its fields cannot be told apart in its text (a record of several lines): as sent
        if not all(quoted):
            at = [i for i in at if not quoted[i]]
            if not at:
                return fields
    fields = list(fields)
    for i in at:
        fields[i] = ""
    out.nulls[number] = tuple(at)
    return fields


def _quoted(raw: str, delimiter: str, quote: str) -> list[bool] | None:
    """Whether each field of a record's text is quoted; None when the text is not one record read so."""
    pattern = _QUOTED.get((delimiter, quote))
    if pattern is None:
        d, q = re.escape(delimiter), re.escape(quote)
        pattern = _QUOTED[(delimiter, quote)] = re.compile(
            rf"[ \t]*({q}(?:[^{q}]|{q}{q})*{q})[ \t]*(?:{d}|\r?\n?$)|[^{d}\r\n{q}]*(?:{d}|\r?\n?$)")
    text = raw.rstrip("\r\n") + "\n"
    out: list[bool] = []
    pos = 0
    while pos < len(text):
        m = pattern.match(text, pos)
        if m is None or m.end() == pos:
            return None
        out.append(m.group(1) is not None)
        pos = m.end()
    return out


_QUOTED: dict[tuple[str, str], re.Pattern] = {}


MAX_PLACES = 4  # the canonical tables hold decimal128(18, 4)


def parse_decimal(text: str, layout: CsvLayout, *, places: int | None = MAX_PLACES) -> Decimal | None:
    """A number written with the layout's separators ("1.234,50" with "," decimals and "." thousands);
    None when it is not one, or needs more than 4 decimals or 14 integer digits (our tables' decimals
    cannot hold it exactly, and a silent rounding is not ours to make). ``places`` None: any number of
    decimals (the caller rounds, and says so). A minus after the number ("3,00-", "1.234,50-") is its sign, as
    SAP and many ERPs (German and Austrian ones above all) write a negative number: one reading only."""
    value = text.strip()
    if value[-1:] == "-" and value[:1] not in "+-" and value[-2:-1].isdigit():
        value = "-" + value[:-1]  # the trailing minus: "3,00-" is -3,00
    if layout.thousands_separator:
        value = _ungrouped(value, layout.thousands_separator, layout.decimal_separator)
        if value is None:
            return None
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
    if places is not None and number != number.quantize(Decimal(1).scaleb(-places)):
        return None
    if abs(number) >= Decimal(10) ** 14:
        return None
    return number


def parse_money(text: str, layout: CsvLayout, symbol: str, *, places: int | None = MAX_PLACES) -> Decimal | None:
    """A price as `parse_decimal` reads it, after the feed's currency ``symbol`` where it stands: before
    or after the number, a blank between them or not, the sign before or after the symbol ("26,25 €",
    "$1,234.50", "-$5.00", "$ -5"). Another symbol, or the symbol alone, is no number."""
    value = text.strip()
    if symbol and value[-1:] == "-" and value[:-1].rstrip().endswith(symbol) and value[:1] not in "+-":
        value = "-" + value[:-1].rstrip()  # a trailing minus after the symbol ("3,00 €-"): the number's sign
    if symbol:
        sign = ""
        if value[:1] in "+-" and value[1:].lstrip().startswith(symbol):
            sign, value = value[0], value[1:].lstrip()
        if value.startswith(symbol):
            value = sign + value[len(symbol):].lstrip()
        elif value.endswith(symbol):
            value = sign + value[:-len(symbol)].rstrip()
        elif sign:
            value = sign + value
    return parse_decimal(value, layout, places=places)


def parse_price(text: str, layout: CsvLayout, symbol: str, *, places: int | None = MAX_PLACES
                ) -> tuple[Decimal | None, str | None]:
    """A price as `parse_money` reads it, and the ISO 4217 currency code written with it (three letters before or
    after the amount, a blank between them or not: "12.50 USD", "USD 12.50", "$12.50 USD", "€ 1.049,00 EUR"; upper
    case), or the dollar sign its country's letters name ("CA$24.50", "US$19.70", "A$", "NZ$": _NAMED_DOLLAR, as
    CLDR writes another country's dollar), None when it names none; with a code, its own symbol may stand beside
    the layout's ("$" for USD). A layout whose currency_symbol is such a sign ("CA$") reads it as its own. The
    caller checks the code against the order's currency: a price is never read in another currency unsaid."""
    value = text.strip()
    named = _NAMED_DOLLAR.match(value)
    country = named and (named["country"] or named["after"] or named["french"])
    if named is not None and country + "$" != symbol and "$" + country != symbol:  # the dollar its country names
        amount = named["sign"] + named["rest"].strip() if named["country"] else named["amount"].strip()
        got = parse_money(amount, layout, "", places=places)
        if got is not None:
            return got, _DOLLARS[country]
    m = _CODED.match(value)
    if m is not None:
        code = (m["before"] or m["after"]).upper()
        rest = m["rest_after"] if m["before"] else m["rest_before"]
        got = parse_money(rest, layout, symbol, places=places)
        own = _SYMBOLS.get(code, "")
        if got is None and own and own != symbol:
            got = parse_money(rest, layout, own, places=places)
        if got is not None:
            return got, code
    return parse_money(value, layout, symbol, places=places), None


def number_hint(text: str, layout: CsvLayout, symbol: str = "") -> str:
    """What a cell that is no number in ``layout`` (nor with the currency ``symbol``) says of the layout it was
    written in, as a spreadsheet writes a number column it formatted: " It reads as 1200 with ',' between
    thousands: set the layout's thousands_separator = ','." for "1,200" in a layout without one; a currency sign
    the layout does not name ("$2.10"), a decimal comma ("2,10"), an accounting format's negative in parentheses
    ("(2.10)"), an accounting format's zero where no zero is taken ("-": accounting_zero). "" when it reads as
    none of these (a word, "1.234.5", another currency's sign than the layout's):
    what to fix is the cell."""
    value = text.strip()
    if spreadsheet_error(value):
        return _FAILED
    if accounting_zero(value, symbol):
        return (" It is the zero a spreadsheet's accounting format shows as a dash, and this column takes no zero (a "
                "line's quantity never is): enter the number meant, or leave the row out.")
    if value[:1] == "(" and value[-1:] == ")" and (inner := _other_reading(value[1:-1], layout, symbol)) is not None:
        return (f" It is an accounting format's negative number, -{inner[0]}: an order's quantity and price are "
                "written without parentheses.")
    got = _other_reading(value, layout, symbol)
    if got is None and (m := _CODED.match(value)) is not None:  # "1,234.50 USD": the number beside the code
        got = _other_reading(m["rest_after"] if m["before"] else m["rest_before"], layout,
                             symbol or _SYMBOLS.get((m["before"] or m["after"]).upper(), ""))
    if got is None or not got[1]:
        return ""
    number, said = got
    return (f" It reads as {number} {' and '.join(w for w, _s in said)}: set the layout's "
            f"{', '.join(s for _w, s in said)} (or have the column exported as a plain number).")


def _other_reading(value: str, layout: CsvLayout, symbol: str) -> tuple[Decimal, list[tuple[str, str]]] | None:
    """``value`` read as the layout reads it, else with a currency sign the layout names none of (when it names
    none), a thousands separator it does not have, or the other decimal separator: the number, and what was read
    otherwise (words, the setting); None when no reading takes it."""
    bare = value.lstrip("+-").lstrip() if value[:1] in "+-" else value.rstrip("-").rstrip()  # "-$12", "12 €-"
    sign = None if symbol else next((c for c in (bare[:1], bare[-1:]) if c and c in _SIGNS), None)
    signed = [(sign, [(f"after its currency sign {sign!r}, which the layout does not name",
                       f"currency_symbol = {sign!r}")])] if sign else []
    variants: list[tuple[dict, list[tuple[str, str]]]] = [({}, [])]
    for sep in (",", ".", " ", "'"):
        if sep not in (layout.thousands_separator, layout.decimal_separator):
            variants.append(({"thousands_separator": sep}, [(f"with {sep!r} between thousands",
                                                             f"thousands_separator = {sep!r}")]))
    other = "," if layout.decimal_separator == "." else "."
    variants.append(({"decimal_separator": other, "thousands_separator": ""},
                     [(f"with {other!r} before its decimals", f"decimal_separator = {other!r}")]))
    for changes, words in variants:
        read = layout.model_copy(update=changes) if changes else layout
        for mark, more in [(symbol, []), *signed]:
            got = parse_money(value, read, mark or "")
            if got is not None:
                return got, more + words
    return None


_SIGNS = "$\u20ac\u00a3\u00a5"
_FAILED = (" It is a spreadsheet's error value: the formula filling the cell failed (a lookup that found nothing, a "
           "reference deleted). Have the sheet's formula fixed and the file saved again.")
_FIVE_DIGITS = re.compile(r"^\d{5}(?:\.\d+)?$")  # Excel's serial of a date from 18 May 1927 to 13 Oct 2173


def date_hint(text: str, layout: CsvLayout) -> str:
    """What a cell that is no date in ``layout``'s format says of how it was written: Excel's serial number of a
    date (a date column saved as a number: "46352"), ISO 8601's YYYY-MM-DD (a sheet in another locale), the day and
    month in the other order ("26/11/2026" in a %m/%d/%Y layout: the sheet's other dates may have been read so, the
    message says), the layout's format with a two-digit year ("11/26/26"). "" when it is none of these (a date that
    never was, "31.02.2026": what to fix is the cell)."""
    value = text.strip()
    if spreadsheet_error(value):
        return _FAILED
    serial = _serial(value) if _FIVE_DIGITS.match(value) else None
    if serial is not None:
        return (f" It is Excel's serial number of {serial.isoformat()} (a date column saved as a number): have the "
                "column formatted as a date, or set the layout's excel_serial_dates = true.")
    iso = _parsed(value, "%Y-%m-%d", True)
    if iso is not None and layout.date_format != "%Y-%m-%d":
        return (f" It is {iso.isoformat()} written YYYY-MM-DD: set the layout's date_format = \"%Y-%m-%d\" if the "
                "sheet writes every date so.")
    swapped = layout.date_format.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")
    if swapped != layout.date_format and (other := _parsed(value, swapped, True)) is not None:
        first = "month" if swapped.index("%m") < swapped.index("%d") else "day"
        return (f" It reads as {other.isoformat()} written {first} first ({swapped}): the sheet writes its dates in "
                "another order than the layout's, and any of them whose day is 12 or less reads either way; set the "
                f"layout's date_format = {swapped!r} if the sheet writes every date so.")
    if "%Y" in layout.date_format and (short := _parsed(value, layout.date_format.replace("%Y", "%y"), True)):
        fmt = layout.date_format.replace("%Y", "%y")
        return (f" Its year has two digits ({short.isoformat()}): set the layout's date_format = {fmt!r}, or have the "
                "column exported with four.")
    return ""


# a currency code (three letters) before or after a price's amount; the amount itself holds no letter
_CODED = re.compile(r"^(?:(?P<before>[A-Za-z]{3})\s*(?P<rest_after>[^A-Za-z\s][^A-Za-z]*)"
                    r"|(?P<rest_before>[^A-Za-z]*[^A-Za-z\s])\s*(?P<after>[A-Za-z]{3}))$")
# the symbol written with a code's amounts where it is not the layout's ("$12.50 USD" in a layout without one)
_SYMBOLS = {"USD": "$", "CAD": "$", "AUD": "$", "NZD": "$", "MXN": "$", "HKD": "$", "SGD": "$", "EUR": "\u20ac",
            "GBP": "\u00a3", "JPY": "\u00a5", "CNY": "\u00a5"}


# a dollar whose symbol names its country, as Unicode's CLDR writes it where the reader's own dollar is another
# ("CA$24.50": an order platform showing Canadian dollars to a US-English reader, "US$" to a Canadian one; after the
# amount in the locales writing it there, "24,50 CA$" in German, "24,50 $US" / "24,50 $ US" in French; JavaScript's
# Intl.NumberFormat and ICU write these): the price and its currency code. "C$" is not read (the Nicaraguan
# cordoba's sign too), nor a lower-case prefix
_DOLLARS = {"US": "USD", "CA": "CAD", "A": "AUD", "AU": "AUD", "NZ": "NZD", "HK": "HKD", "MX": "MXN", "S": "SGD",
            "SG": "SGD", "NT": "TWD", "R": "BRL"}
_NAMED_DOLLAR = re.compile(r"^(?:(?P<sign>[+-]?)\s*(?P<country>US|CA|AU|A|NZ|HK|MX|SG|S|NT|R)\$(?P<rest>\s*[^A-Za-z$]+)"
                           r"|(?P<amount>[^A-Za-z$]*[^A-Za-z$\s])\s*(?:(?P<after>US|CA|AU|NZ|HK|MX|SG)\$"
                           r"|\$\s?(?P<french>US|CA|AU|NZ|HK|SG)))$")


# the same separator as a spreadsheet may write it: a no-break or narrow no-break space for a space
# (French and other locales), a typographic apostrophe for an apostrophe (Swiss)
_THOUSANDS_ALIKE = {" ": "\u00a0\u202f", "'": "\u2019"}


def _ungrouped(value: str, thousands: str, decimal: str) -> str | None:
    """``value`` without its thousands separators, or None when one stands elsewhere than between groups
    of three digits of the integer part ("1.200,5" -> "1200,5"; "12.5" with "." thousands is None: read
    as 125 it would be ten times the quantity meant)."""
    for alike in _THOUSANDS_ALIKE.get(thousands, ""):
        value = value.replace(alike, thousands)
    if thousands not in value:
        return value
    whole = value.split(decimal, 1)[0].lstrip("+-")
    if not _GROUPED.match(whole.replace(thousands, ",")):
        return None
    return value.replace(thousands, "")


_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+$")


def parse_date(text: str, layout: CsvLayout) -> date | None:
    """A date in the layout's format; a time of day after it (a spreadsheet's or database's date-time
    export: "2026-11-27T00:00:00", "11/27/2026 0:00", "27.11.2026 12:00:00 AM", Shopify's
    "2026-11-27 10:30:15 -0500") is allowed and ignored, with its UTC offset or zone ("+01", "EST", "CEST",
    "Z", "+0000 UTC", "[Europe/Paris]"), and so is a zone right after a date ("2026-11-27Z", "2026-11-27-05:00").
    Java's Date.toString() ("Fri Dec 04 20:41:26 CET 2026": its month named, one reading) is its date whatever the
    layout's format.

    The date is as written, in whatever zone: never moved into another (profiles name no time zone, and the
    850's DTM03/DTM04 time and zone are not read either). A date-only field (PO date, ship and cancel dates) that an
    order platform stores as midnight UTC ("2026-11-27T00:00:00.000Z", NuORDER's) is the 27th as meant; moved into a
    buyer's zone west of Greenwich it would be the 26th. A date-time written in UTC for a late evening elsewhere
    ("2026-11-28T03:00:00Z" for 22:00 on the 27th in New York) is the 28th, as the sender wrote it."""
    value = text.strip()
    got = _parsed(value, layout.date_format, True)
    if got is None:
        m = _TIME_AFTER.search(value) or _ZONE_AFTER.search(value)
        if m is not None and m.start():
            got = _parsed(value[:m.start()], layout.date_format, True)
    if got is None and (java := _java(value)) is not None:  # Java's Date.toString(): the date as written there
        try:
            got = date(int(java.group("year")), _MONTH_NAMES[java.group("month")], int(java.group("day")))
        except ValueError:
            got = None
    if got is None and value[:1].isalnum():  # a date with its month named in English: one reading, whatever the format
        got = _month_named(value)
    if got is None and getattr(layout, "excel_serial_dates", False):
        got = _serial(value)
    return got


# English month names and their abbreviations (any case, a dot after one or not)
_ENGLISH_MONTHS = {name: n for n, full in enumerate(("january", "february", "march", "april", "may", "june", "july",
                                                      "august", "september", "october", "november", "december"), 1)
                   for name in (full, full[:3])} | {"sept": 9}
# a date with its month named: day, month, year (Oracle's default DD-MON-RR "27-NOV-26", Excel's d-mmm-yy and
# d-mmm-yyyy "27-Nov-26", "27-Nov-2026", "27 November 2026") or month, day, year ("Nov 27, 2026", "November 27 2026":
# NetSuite's and QuickBooks' long date, Excel's mmmm d, yyyy); a time of day may follow
_MONTH_NAMED = re.compile(r"(?:(?P<d1>\d{1,2})(?P<s1>[- /])(?P<m1>[a-z]{3,9})\.?(?P=s1)(?P<y1>\d{4}|\d{2})"
                          r"|(?P<m2>[a-z]{3,9})\.? (?P<d2>\d{1,2}),? (?P<y2>\d{4}))"
                          r"(?:[ T]\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:[.,]\d+)?)?(?: ?[ap]\.?m\.?)?)?", re.IGNORECASE)


def _month_named(value: str) -> date | None:
    """A date whose month is named in English (`_MONTH_NAMED`), whatever the layout's format: a month named has one
    reading, as Java's Date.toString() has. A two-digit year is this century's (Oracle's RR for our dates, Excel's
    yy up to 29). None for anything else, or a day the month has not ("31-Nov-2026")."""
    m = _MONTH_NAMED.fullmatch(" ".join(value.split()))
    if m is None:
        return None
    month = _ENGLISH_MONTHS.get((m["m1"] or m["m2"]).casefold())
    if month is None:
        return None
    year = int(m["y1"] or m["y2"])
    try:
        return date(year + 2000 if len(m["y1"] or m["y2"]) == 2 else year, month, int(m["d1"] or m["d2"]))
    except ValueError:
        return None


def parse_month_end(text: str, layout: CsvLayout) -> date | None:
    """A date as ``parse_date`` reads it, else a month without its day read as the month's last day (leap years
    counted): the layout's format without its day ("2028-07" for %Y-%m-%d, "07/2028" for %m/%d/%Y, "202807" for
    %Y%m%d), ISO's YYYY-MM whatever the layout, or the format with day 00 (GS1's AI 17 YYMM00, "280700" for
    %y%m%d, "2028-07-00"): GS1 reads day 00 as the month's last day. For a lot's expiry, where WMSs export the
    month alone; None when none of these reads."""
    got = parse_date(text, layout)
    if got is not None:
        return got
    value = text.strip()
    for fmt in _month_formats(layout.date_format):
        try:
            month = datetime.strptime(value, fmt)
        except ValueError:
            continue
        if value.isdigit() and month.strftime(fmt) != value:  # digits alone: as written, "20287" is no month
            continue
        return date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
    return None


@functools.lru_cache(maxsize=32)
def _month_formats(fmt: str) -> tuple[str, ...]:
    """The month-only formats of a date format: without its %d (and the separator beside it), with day 00, ISO."""
    if "%d" not in fmt:
        return ("%Y-%m",)
    dayless = re.sub(r"%d[^%]?|[^%\w]?%d", "", fmt, count=1)
    return tuple(dict.fromkeys((dayless, fmt.replace("%d", "00"), "%Y-%m")))


_SERIAL = re.compile(r"^(\d{2,5})(?:\.\d+)?$")
_EXCEL_EPOCH = date(1899, 12, 30)  # Windows Excel's day 0 as its serials after 1900-02-28 count (its 1900 leap bug)


def _serial(text: str) -> date | None:
    """Excel's serial date (1900 system) of a cell holding a whole number of days, a fraction after it being the
    time of day; None below 61 (1900-03-01: Excel's serials before it count a 29 February 1900 that never was)."""
    m = _SERIAL.match(text)
    if m is None or int(m.group(1)) < 61:
        return None
    return _EXCEL_EPOCH + timedelta(days=int(m.group(1)))


def serial_time(text: str) -> time | None:
    """The time of day of an Excel serial date-time (46360.5722222 -> 13:44:00: its fraction of a day, to the
    second); None for a whole number (a date alone) or a cell that is no serial."""
    m = _SERIAL.match(text.strip())
    if m is None or "." not in text or int(m.group(1)) < 61:
        return None
    seconds = min(round(float("0" + text.strip()[text.strip().index("."):]) * 86400), 86399)
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60)


# zone abbreviations written after a time that do not end in T, each one offset wherever written (tzdata's Moscow MSK,
# Indonesia's WIB and WITA; German exports' MEZ and MESZ, WEZ/WESZ and OEZ/OESZ: schemas.time_codes.ABROAD), or not
# in capitals alone (tzdata's and Java's Guam and Northern Marianas, ChST: Chamorro Standard Time)
_NOT_T = "MSK|WIB|WITA|MESZ|MEZ|WESZ|WEZ|OESZ|OEZ|ChST"
_TIME_AFTER = re.compile(r"(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?"
                         r"(?:\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})|[+-]\d{2})?(?:\s*\(?(?:[A-Z]{1,4}T|UTC|GMT|"
                         + _NOT_T + r")\)?)?(?:\[[A-Za-z_]+(?:/[A-Za-z0-9_+-]+)*\])?$")
# (the zone after the time: an offset, "+01" right after it as PostgreSQL writes one; and/or its abbreviation,
# "EST", "CEST", "(PST)", as order platforms' exports write one, "+0000 UTC" as Go's; and/or its region in brackets,
# "[Europe/Paris]", as Java's ZonedDateTime writes one)
# a zone right after a date, no time: ISO 8601's and XML Schema's date with its offset ("2026-12-04Z",
# "2026-12-04-05:00"); an abbreviation alone ("2026-12-04 EST") stays no date
_ZONE_AFTER = re.compile(r"(?<=\d)(?:Z|[+-]\d{2}:\d{2})$")


# Java's Date.toString() ("EEE MMM dd HH:mm:ss zzz yyyy": "Fri Dec 04 20:41:26 CET 2026", the zone before the year;
# "GMT+03:00" for a zone Java has no abbreviation for), as a Java WMS's export or log writes a Date; and the same
# pattern formatted in a German locale (SimpleDateFormat with Locale.GERMANY: "Fr Dez 04 20:41:26 MEZ 2026"; CLDR's
# "Fr. Dez. 04 ..." and "Mär"/"März"/"Mrz", "Juni", "Sept."), a German site's Java WMS; in a French one
# (Locale.FRANCE: "ven. déc. 04 20:41:26 CET 2026", CLDR's and the old JRE's alike: "janv.", "févr.", "mars", "avr.",
# "mai", "juin", "juil.", "août", "sept.") or a Spanish one (es: "vie dic 04 ...", the old JRE's; CLDR's "vie.",
# "dic.", "sept.", "ene." ...): the month is named, one reading. (Spanish "mar" is March as a month, Tuesday as a
# weekday, each in its own place.)
_MONTH_NAMES = {"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10,
                "Nov": 11, "Dec": 12, "Mär": 3, "März": 3, "Mrz": 3, "Mai": 5, "Juni": 6, "Juli": 7, "Sept": 9,
                "Okt": 10, "Dez": 12,
                "janv": 1, "févr": 2, "mars": 3, "avr": 4, "mai": 5, "juin": 6, "juil": 7, "août": 8, "sept": 9,
                "oct": 10, "nov": 11, "déc": 12,
                "ene": 1, "feb": 2, "mar": 3, "abr": 4, "may": 5, "jun": 6, "jul": 7, "ago": 8, "sep": 9, "dic": 12}
_JAVA_DATE = re.compile(r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|(?:Mo|Di|Mi|Do|Fr|Sa|So)\.?|"
                        r"(?:lun|mar|mer|jeu|ven|sam|dim|mié|jue|vie|sáb|dom)\.?) "
                        r"(?P<month>" + "|".join(sorted(_MONTH_NAMES, key=len, reverse=True)) + r")\.? "
                        r"(?P<day>\d{1,2}) (?P<time>\d{2}:\d{2}:\d{2}) "
                        r"(?:GMT|UTC)?(?P<zone>[+-]\d{2}:\d{2}|[A-Z]{2,5}|ChST) (?P<year>\d{4})$")
# the first three characters of such a cell (a cheap look before the pattern): English weekdays, German, French and
# Spanish ones
_WEEKDAYS = frozenset(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", *(f"{d}{c}" for d in (
    "Mo", "Di", "Mi", "Do", "Fr", "Sa", "So") for c in " ."), "lun", "mar", "mer", "jeu", "ven", "sam", "dim", "mié",
    "jue", "vie", "sáb", "dom"))


def _java(text: str) -> re.Match[str] | None:
    """Java's Date.toString() of a cell (_JAVA_DATE), else None (a cheap look at its weekday first)."""
    return _JAVA_DATE.match(text) if text[:3] in _WEEKDAYS else None


def _java_iso(text: str) -> str:
    """A Java Date.toString() cell as ISO's date, time and zone ("2026-12-04 20:41:26 CET", "... +03:00" for
    "GMT+03:00"), so the time and zone readers take it; its zone left out when it is a name the zone readers do not
    take (_java_unread: the time is still the cell's); any other cell as it is."""
    m = _java(text)
    if m is None:
        return text
    zone = "" if _java_unread(m) else f" {m.group('zone')}"
    return f"{m.group('year')}-{_MONTH_NAMES[m.group('month')]:02d}-{int(m.group('day')):02d} {m.group('time')}{zone}"


# the zone names _TIME_AFTER and _ZONE_PARTS take after a time
_NAME_READ = re.compile(r"[A-Z]{1,4}T|UTC|GMT|" + _NOT_T)


def _java_unread(m: re.Match[str]) -> str | None:
    """The zone name of a Java Date.toString() match that the zone readers do not take (a locale's own name, such as
    one CLDR gives a French or Spanish locale, "HNEC"), else None: told as a zone not read (written_zone)."""
    zone = m.group("zone")
    return zone if zone[0] not in "+-" and not _NAME_READ.fullmatch(zone) else None


def parse_time(text: str, layout: CsvLayout) -> time | None:
    """A time of day in the layout's format, else as WMS exports write one: with seconds (and their
    fraction), with AM/PM, with a UTC offset or zone (the time as written), or after a date ("14:05:00",
    "2:05 PM", "2026-11-27T14:05:00-05:00")."""
    value = text.strip()
    got = _parsed(value, layout.time_format, False)
    if got is None and (java := _java(value)) is not None:
        return _clock(java.group("time"))
    if got is None:
        m = _TIME_AFTER.search(" " + value)
        if m is not None and (m.start() == 0 or _parsed(value[:m.start() - 1], layout.date_format, True)):
            got = _clock(m.group(0))
    return got


def time_in(text: str) -> time | None:
    """The time of day written after a date in a date cell ("2026-11-27 14:05:00 -0500": 14:05), else None."""
    value = text.strip()
    m = _TIME_AFTER.search(_java_iso(value) if value[:3] in _WEEKDAYS else value)
    return _clock(m.group(0)) if m is not None and m.start() else None


def zone_in(text: str) -> str | None:
    """The time code (X12 code list 623, a 945's G6205 and an 856's DTM04) of the zone written after a time (a time
    cell, or a date cell's time): "Z", "UTC", "+00:00" UT; an offset of a US standard or daylight zone its code
    (-05:00 ES, -04:00 ED, -06:00 CS ... as the offset says, whatever the place), another whole hour's 01-12 (east of
    UTC) or 13-24 (west); a US zone's abbreviation (EST, CDT, PST ...); another abbreviation naming one offset the
    world over (CET 01, CEST 02, BST 01, AEDT 11, ACST 28: schemas.time_codes.ABROAD); a US region in brackets
    ([America/Chicago] CT); None when none is written, or it is none of these, or one of several places' (IST) that no
    warehouse clock settles (written_zone)."""
    return written_zone(text)[0]


def written_zone(text: str, clock: str = "") -> tuple[str | None, int | None, str | None]:
    """(zone_in of a cell, the UTC offset in minutes written there that 623 has no code for: "14:05 -09:30" -570,
    "+05:45" 345, "NZDT" 780, else None; an abbreviation of several places the warehouse's ``clock`` (IANA,
    WarehouseProfile.time_zone) does not settle, else None): the reader converts a time at an uncoded offset to UTC
    (DTM04 UT) rather than drop it. IST is India's, Ireland's or Israel's: the one the clock keeps (Asia/Kolkata 27),
    else unsettled; CST/CDT US Central's (CS/CD) unless the clock keeps China's or Cuba's (an unsettled CST only where
    the clock is set outside the Americas), PST US Pacific's unless it keeps Manila's. An abbreviation we do not read
    (Samoa's SST) is unsettled too (its time taken as the clock's, told: it used to be taken so without a word)."""
    value = text.strip()
    if value[:3] in _WEEKDAYS and (java := _java(value)) is not None and (unread := _java_unread(java)):
        return None, None, unread  # a Java date's zone name we do not read: told, its time the clock's
    m = _TIME_AFTER.search(" " + (_java_iso(value) if value[:3] in _WEEKDAYS else value))
    if m is None:
        return None, None, None
    z = _ZONE_PARTS.search(m.group(0))
    if z is None:
        return None, None, None
    offset, name, region = z.group("offset"), z.group("name"), z.group("region")
    if offset:
        if offset in ("Z", "UTC", "GMT"):
            return "UT", None, None
        digits = offset[1:].replace(":", "").ljust(4, "0")
        minutes = (int(digits[:2]) * 60 + int(digits[2:])) * (-1 if offset[0] == "-" else 1)
        code = _OFFSET_CODES.get(minutes) or (
            f"{minutes // 60:02d}" if 0 < minutes <= 720 and minutes % 60 == 0 else
            f"{25 + minutes // 60:02d}" if -720 <= minutes < 0 and minutes % 60 == 0 else None)
        return code, None if code else minutes, None
    if region:
        return _REGION_CODES.get(region), None, None
    if name in AMBIGUOUS:
        reading = ambiguous_reading(name, clock)
        if reading is None:
            if name in _ZONE_NAMES and (not clock or clock.startswith(_AMERICAS)):  # CST, CDT: US Central
                return _ZONE_NAMES[name], None, None
            return None, None, name
        if name in _ZONE_NAMES and reading[0].startswith("US "):
            return _ZONE_NAMES[name], None, None
        return _abroad(reading[1])
    if name in ABROAD:
        return _abroad(ABROAD[name])
    if name and name not in _ZONE_NAMES:  # an abbreviation we do not read (Samoa's SST): told, not guessed
        return None, None, name
    return _ZONE_NAMES.get(name or ""), None, None


def _abroad(minutes: int) -> tuple[str | None, int | None, None]:
    code = offset_code(minutes)
    return (code, None, None) if code else (None, minutes, None)


# clocks in the Americas, where CST and CDT are US Central's
_AMERICAS = ("America/", "US/", "Canada/", "Mexico/", "CST6CDT", "EST5EDT", "MST7MDT", "PST8PDT")


# the zone part of _TIME_AFTER's match: an offset, and/or an abbreviation, and/or a region in brackets
_ZONE_PARTS = re.compile(r"(?:\s*(?P<offset>Z|UTC|GMT|[+-]\d{2}:?\d{2}|(?<=\d)[+-]\d{2}))?"
                         r"(?:\s*\(?(?P<name>[A-Z]{1,4}T|UTC|GMT|" + _NOT_T + r")\)?)?"
                         r"(?:\[(?P<region>[A-Za-z_]+(?:/[A-Za-z0-9_+-]+)*)\])?$")
# code list 623 by UTC offset in minutes (the named US standard and daylight codes, UTC, and the half hours of 623's
# later codes); the US zones' abbreviations and regions
_OFFSET_CODES = {0: "UT", -300: "ES", -240: "ED", -360: "CS", -420: "MS", -480: "PS", -540: "AS", -600: "HS",
                 -210: "NS", -150: "ND", 330: "27", 570: "28", 630: "29"}
_ZONE_NAMES = {"UTC": "UT", "GMT": "UT", "EST": "ES", "EDT": "ED", "CST": "CS", "CDT": "CD", "MST": "MS", "MDT": "MD",
               "PST": "PS", "PDT": "PD", "AKST": "AS", "AKDT": "AD", "HST": "HS", "HDT": "HD", "NST": "NS",
               "NDT": "ND", "ET": "ET",
               "CT": "CT", "MT": "MT", "PT": "PT"}
_REGION_CODES = {"America/New_York": "ET", "America/Chicago": "CT", "America/Denver": "MT", "America/Phoenix": "MS",
                 "America/Los_Angeles": "PT", "America/Anchorage": "AT", "Pacific/Honolulu": "HS",
                 "America/St_Johns": "NT", "UTC": "UT", "Etc/UTC": "UT"}


_CLOCK = re.compile(r"^[T\s]*(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?\s*(?:([AaPp])\.?[Mm]\.?)?")


def _clock(text: str) -> time | None:
    m = _CLOCK.match(text)
    if m is None:
        return None
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if m.group(4):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m.group(4) in "Pp" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


# two numeric strptime directives with nothing between them (%Y%m%d, %y%m%d, %d%m%Y): strptime takes a field of one
# digit where two are written, so a value short of digits reads as a guess ("2027105" as 2027-10-05, never said)
_RUN_TOGETHER = re.compile(r"%[YymdjHIMS]%[YymdjHIMS]")


@functools.lru_cache(maxsize=4096)
def _parsed(text: str, fmt: str, is_date: bool) -> date | time | None:
    """strptime once per distinct value (a feed repeats its few dates on every row). A date in a format whose fields
    run together counts only as written in it: "2027105" in %Y%m%d is 2027-1-05 or 2027-10-5, no date (a
    finding, the cell named), as parsers.x12_dates reads X12's CCYYMMDD; a format with separators keeps taking a
    field without its zero ("1/5/2027" in %m/%d/%Y, as spreadsheets write it: one reading only)."""
    try:
        moment = datetime.strptime(text, fmt)
    except ValueError:
        return None
    if is_date and _RUN_TOGETHER.search(fmt) and moment.strftime(fmt) != text:
        return None
    return moment.date() if is_date else moment.time()
