"""Reference data loader: items, partner items, prices, customers and ship-tos from CSV into the
Arrow schemas of schemas.reference, with explicit types (decimals for money, dates, ints).

Bad reference data stops the run: ConfigError naming the file and the CSV line (parse errors) or
the data row (1 = first row after the header, for checks across rows). No business rules here.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from schemas.charsets import has_control, without_controls
from schemas.errors import ConfigError
from schemas.packaging import packaging_code, why_not_packaging
from schemas.reference import (
    DEA_SCHEDULES,
    DEAL_MATCH_ON,
    ITEM_KINDS,
    ITEM_STATUSES,
    OPTIONAL_COLUMNS,
    OPTIONAL_FILES,
    SCHEMAS,
    ReferenceData,
    gs1_valid,
    normalise_gtin,
)
from schemas.units import KILOGRAMS_PER, is_unit_code, unit_code_named
from schemas.wide_text import HEAD_BYTES, wide_codec

_BOOLEANS = {"true": True, "yes": True, "y": True, "1": True, "false": False, "no": False, "n": False, "0": False}


def _convert(value: str, type_: pa.DataType) -> object:
    if pa.types.is_string(type_):
        return value
    if pa.types.is_integer(type_):
        return int(value)
    if pa.types.is_date32(type_):
        return date.fromisoformat(value)
    if pa.types.is_boolean(type_):  # items.csv serialised: as a spreadsheet writes a yes or a no
        word = value.lower()
        if word not in _BOOLEANS:
            raise ValueError("not true/false, yes/no, y/n or 1/0")
        return _BOOLEANS[word]
    if pa.types.is_decimal(type_):
        number = Decimal(value)
        if not number.is_finite():
            raise ValueError("not a finite number")
        quantum = Decimal(1).scaleb(-type_.scale)
        if number.quantize(quantum) != number:
            raise ValueError(f"more than {type_.scale} decimal places")
        if abs(number) >= Decimal(10) ** (type_.precision - type_.scale):
            raise ValueError("too large")
        return number.quantize(quantum)
    raise TypeError(f"unsupported reference column type {type_}")


def _wanted(type_: pa.DataType, exc: Exception) -> str:
    """What a cell of ``type_`` must be, in the words of a person editing the file (the pyarrow type and Python's
    exception said nothing a person could act on: "not a valid decimal128(9, 4) ([<class 'decimal...'>])")."""
    if pa.types.is_date32(type_):
        return "a date: write it YYYY-MM-DD (2026-03-01)"
    if pa.types.is_integer(type_):
        return "a whole number (12)"
    if pa.types.is_boolean(type_):
        return f"a yes or no ({exc})"
    if pa.types.is_decimal(type_):
        said = f" this column takes ({exc})" if isinstance(exc, ValueError) else ""  # too many places, too large
        return (f"a number{said}: write it with a dot for decimals (12.5), without a %, currency sign or thousands "
                "separator")
    return f"a valid {type_} ({exc})"


def csv_rows(data: bytes, *, name: str, encoding: str | None = None, what: str = "reference file", other: str = ""):
    """The CSV records of ``data`` (UTF-8 with or without its mark, or UTF-16/32 as Excel's "Unicode text" export
    writes it, TAB-separated; ``encoding``: the one its exporter writes, e.g. "cp1252"), as the CSV order reader
    reads them; a file not in its encoding is a ConfigError naming its line and byte. The reference loader and
    connectors.stock_csv read their files so (``what`` the file is called in the message, ``other``: the message's
    other way out of Windows-1252)."""
    wide = wide_codec(data[:HEAD_BYTES])  # Excel's "Unicode text" export, as the CSV order reader reads it
    try:
        text = data.decode(wide) if wide else data.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as exc:
        if encoding and not wide:
            raise ConfigError(f"file is not valid {encoding}", file=name, line=data[:exc.start].count(b"\n") + 1,
                              byte=exc.start) from exc
        if wide:
            raise ConfigError(f"{what} is not valid {wide.upper()}: save it as \"CSV UTF-8\"", file=name,
                              byte=exc.start) from exc
        # a sheet edited in Excel and saved as "CSV (Comma delimited)": Windows-1252
        raise ConfigError(f"{what} is not UTF-8: save it as \"CSV UTF-8\" (Excel's \"CSV (Comma delimited)\" "
                          f"writes Windows-1252){other}", file=name, line=data[:exc.start].count(b"\n") + 1,
                          byte=exc.start) from exc
    first = text.split("\n", 1)[0]  # Excel's "Unicode text" separates its cells by TABs; a sheet saved as CSV where
    # the decimal mark is a comma (Europe) by semicolons
    delimiter = ("\t" if "\t" in first and "," not in first else
                 ";" if ";" in first and "," not in first else ",")
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def read_reference_csv(data: bytes, *, name: str, schema: pa.Schema,
                       optional: frozenset[str] = frozenset(),
                       replaced: list[tuple[str, int, str, str, str]] | None = None) -> pa.Table:
    """Parse one reference CSV (UTF-8, or UTF-16/32 as Excel's "Unicode text" export writes it; header row)
    into ``schema``. An empty cell is null; a null in
    a non-nullable column, an unknown or missing column (other than an ``optional`` one, which is then
    null throughout), or an unconvertible value is a ConfigError. A cell holding a control character (a
    description of two lines, a tab pasted into a name: no document we send may carry one) is read with one
    blank for each run (schemas.charsets.without_controls), and ``replaced`` told of it: (file, line, column,
    as written, as read)."""
    reader = csv_rows(data, name=name)
    header = [h.strip() for h in next(reader, [])]
    expected = schema.names
    missing = [c for c in expected if c not in header and c not in optional]
    unknown = [c for c in header if c not in expected]
    if missing or unknown:
        raise ConfigError("reference file has the wrong columns", file=name, missing=missing, unknown=unknown)
    positions = [header.index(c) if c in header else None for c in expected]
    columns: list[list[object]] = [[] for _ in expected]
    for line_no, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            raise ConfigError(f"expected {len(header)} cells, found {len(record)}", file=name, line=line_no)
        for out, pos, field in zip(columns, positions, schema, strict=True):
            cell = record[pos].strip() if pos is not None else ""
            if not cell.isprintable() and has_control(cell):
                kept = without_controls(cell)
                if replaced is not None:
                    replaced.append((name, line_no, field.name, cell, kept))
                cell = kept
            if cell == "":
                if not field.nullable:
                    raise ConfigError(f"column {field.name!r} may not be empty", file=name, line=line_no)
                out.append(None)
                continue
            try:
                out.append(_convert(cell, field.type))
            except (ValueError, ArithmeticError, InvalidOperation) as exc:
                raise ConfigError(f"column {field.name!r}: {cell!r} is not {_wanted(field.type, exc)}", file=name,
                                  line=line_no) from exc
    return pa.table(
        [pa.array(col, type=f.type) for col, f in zip(columns, schema, strict=True)], schema=schema
    )


def _unique(table: pa.Table, columns: list[str], name: str) -> None:
    seen: set[tuple] = set()
    for row_no, row in enumerate(table.select(columns).to_pylist(), start=1):
        key = tuple(row.values())
        if all(v is None for v in key):  # no value to clash: two items without a GTIN
            continue
        if key in seen:
            raise ConfigError(f"duplicate {'/'.join(columns)} {key}", file=name, row=row_no)
        seen.add(key)


def _check_rows(table: pa.Table, name: str, check: Callable[[dict], str | None]) -> None:
    for row_no, row in enumerate(table.to_pylist(), start=1):
        problem = check(row)
        if problem:
            raise ConfigError(problem, file=name, row=row_no)


def _gtin_problem(row: dict) -> str | None:
    """A GTIN given (items.csv's own, before it is read as a GTIN-14) that is not one; an empty one is none."""
    if row["gtin"] is not None and normalise_gtin(row["gtin"]) is None:
        return f"gtin {row['gtin']!r} is not a valid GTIN (length or check digit)"
    return None


def _item_problem(row: dict) -> str | None:
    if row["upc"] is not None and (len(row["upc"]) != 12 or not gs1_valid(row["upc"])):
        return f"upc {row['upc']!r} is not a valid 12-digit UPC-A"
    if row["status"] not in ITEM_STATUSES:
        return f"status {row['status']!r} is not one of {ITEM_STATUSES}"
    if row["case_pack"] < 1 or row["min_order_qty"] < 0:
        return "case_pack must be >= 1 and min_order_qty >= 0"
    weight, unit = row.get("average_weight"), row.get("average_weight_unit")
    if weight is not None and (weight <= 0 or (unit or "") not in KILOGRAMS_PER):
        return (f"average_weight {weight} needs to be positive, with average_weight_unit a weight "
                f"({', '.join(KILOGRAMS_PER)}), got {unit!r}")
    if weight is None and unit:
        return f"average_weight_unit {unit!r} without an average_weight"
    if row.get("dea_schedule") is not None and row["dea_schedule"] not in DEA_SCHEDULES:
        return f"dea_schedule {row['dea_schedule']!r} is not one of {DEA_SCHEDULES}"
    if row.get("kind") is not None and row["kind"] not in ITEM_KINDS:
        return f"kind {row['kind']!r} is not one of {ITEM_KINDS} (empty: goods)"
    if row.get("packaging") is not None and packaging_code(row["packaging"]) is None:
        return f"packaging: {why_not_packaging(row['packaging'])}"
    return None


def _price_problem(row: dict) -> str | None:
    if row["unit_price"] < 0:
        return "unit_price is negative"
    if row["valid_to"] is not None and row["valid_to"] < row["valid_from"]:
        return "valid_to is before valid_from"
    if len(row["currency"]) != 3 or not row["currency"].isalpha():
        return f"currency {row['currency']!r} is not an ISO 4217 code"
    return None


def _unit_codes_upper(table: pa.Table) -> pa.Table:
    """The unit column as X12 writes a unit code (element 355: upper case, no blanks): an item master
    exported with "pk" or "Ea " must meet PO103 PK and EA (a lower-case unit of an item used to make
    every line in it UNIT_NOT_CONVERTIBLE; no 355 code has a lower-case letter). A unit written as a word
    ("CASE", "Each", "Dozen", "Cartons", "lbs": an ERP's unit name) is the code of that name (CA, EA, DZ, CT, LB;
    schemas.units.unit_code_named), as a CSV order's and a warehouse file's unit words are read: an item
    master saying "CASE" met a CSV line's "Case", read CA, as another unit (UNIT_NOT_CONVERTIBLE). A word no
    code is named by stays as written (item_units.csv and deals.csv refuse it, naming it)."""
    for name in ("unit", "average_weight_unit"):  # items.csv's weight unit (LB, KG) is a 355 code too
        if name in table.column_names:
            at = table.schema.get_field_index(name)
            upper = pc.utf8_upper(pc.utf8_trim_whitespace(table.column(name)))
            words = {w: code for w in pc.unique(upper).to_pylist()
                     if w and not is_unit_code(w) and (code := unit_code_named(w)) is not None}
            if words:
                upper = pa.array([words.get(u, u) if u is not None else None for u in upper.to_pylist()], pa.string())
            table = table.set_column(at, table.schema.field(name), upper)
    if "match_on" in table.column_names:  # deals.csv's date word, read as written in any case ("Ship_Date ")
        at = table.schema.get_field_index("match_on")
        table = table.set_column(at, table.schema.field("match_on"),
                                 pc.utf8_lower(pc.utf8_trim_whitespace(table.column("match_on"))))
    return table


def _item_unit_problem(row: dict) -> str | None:
    if not is_unit_code(row["unit"]):
        return f"unit {row['unit']!r} is not a unit of measure code (X12 data element 355)"
    if row["eaches"] < 1:
        return "eaches must be >= 1"
    return None


def _customer_problem(row: dict) -> str | None:
    if row["credit_limit"] < 0 or row["discount_approval_threshold_percent"] < 0:
        return "credit_limit and discount_approval_threshold_percent may not be negative"
    return None


def _deal_problem(row: dict) -> str | None:
    if row["percent"] is None and row["rate"] is None:
        return (f"deal {row['deal']!r} agrees no percent and no rate: give the most it may take off (percent of the "
                "line's value, or rate per unit)")
    if row["percent"] is not None and not 0 < row["percent"] <= 100:
        return f"percent {row['percent']} is not above 0 and at most 100"
    if row["rate"] is not None and row["rate"] <= 0:
        return f"rate {row['rate']} is not above 0"
    if row.get("unit") and row["rate"] is None:
        return f"unit {row['unit']} is the unit of a rate, and the deal gives no rate"
    if row.get("unit") and not is_unit_code(row["unit"]):
        return f"unit {row['unit']!r} is no X12 unit code (element 355: EA, CA, BX ...)"
    if row["valid_to"] is not None and row["valid_to"] < row["valid_from"]:
        return "valid_to is before valid_from"
    if row.get("match_on") and row["match_on"] not in DEAL_MATCH_ON:
        return (f"match_on {row['match_on']!r} names no date a deal is matched on: write po_date (the default), "
                "ship_date or delivery_date")
    return None


def _check_deals(deals: pa.Table, customers: pa.Table, name: str) -> None:
    """Each row of deals.csv: a partner of customers.csv, and no two rows of one deal (partner, deal, allowance_code
    and sku) whose dates overlap (which of them would a PO of both dates be held to?)."""
    partners = set(customers.column("partner").to_pylist())
    seen: dict[tuple, list[tuple[int, date, date | None]]] = {}
    for row_no, r in enumerate(deals.to_pylist(), start=1):
        if r["partner"] not in partners:
            raise ConfigError(f"partner {r['partner']!r} has no row in customers.csv", file=name, row=row_no)
        key = (r["partner"], r["deal"], r["allowance_code"], r["sku"])
        for other, start, end in seen.get(key, []):
            if (end is None or r["valid_from"] <= end) and (r["valid_to"] is None or start <= r["valid_to"]):
                raise ConfigError(f"deal {r['deal']!r} of partner {r['partner']!r} (allowance_code "
                                  f"{r['allowance_code'] or 'any'}, sku {r['sku'] or 'any'}) overlaps its row "
                                  f"{other}: its dates {r['valid_from']} to {r['valid_to'] or 'open'}", file=name,
                                  row=row_no)
        seen.setdefault(key, []).append((row_no, r["valid_from"], r["valid_to"]))


def _check_currencies(customers: pa.Table, further: pa.Table, name: str) -> None:
    """Each row of customer_currencies.csv: a partner of customers.csv, an ISO 4217 code other than its home currency
    (customers.csv's), a credit limit that is not negative."""
    home = dict(zip(customers.column("partner").to_pylist(), customers.column("currency").to_pylist(), strict=True))
    for row_no, r in enumerate(further.to_pylist(), start=1):
        if r["partner"] not in home:
            problem = f"partner {r['partner']!r} has no row in customers.csv"
        elif len(r["currency"]) != 3 or not r["currency"].isalpha():
            problem = f"currency {r['currency']!r} is not an ISO 4217 code"
        elif r["currency"] == home[r["partner"]]:
            problem = f"currency {r['currency']} is partner {r['partner']!r}'s own in customers.csv"
        elif r["credit_limit"] < 0:
            problem = "credit_limit may not be negative"
        else:
            continue
        raise ConfigError(problem, file=name, row=row_no)


def _check_dcs(ship_tos: pa.Table, name: str) -> None:
    """Each ship-to's dc (the DC a store is shipped through) names another location of the same partner."""
    rows = ship_tos.select(["partner", "location_id", "dc"]).to_pylist()
    known = {(r["partner"], r["location_id"]) for r in rows}
    for row_no, r in enumerate(rows, start=1):
        if r["dc"] and ((r["partner"], r["dc"]) not in known or r["dc"] == r["location_id"]):
            raise ConfigError(f"dc {r['dc']!r} is not another location_id of partner {r['partner']!r} in "
                              "ship_tos.csv", file=name, row=row_no)


def _case_items(items: pa.Table, item_units: pa.Table, name: str) -> list[tuple[str, int, str, str, int]]:
    """The items.csv rows of an item sold by the case (its unit CA, or CS that no item_units.csv row of one each
    makes a cassette) with a case_pack above 1: (file, row, sku, unit, case_pack). One of an item's own unit is
    one each and case_pack counts eaches per case, so its case holds that many cases: 40 CA ordered are answered
    42, rounded to "cases" of 6 (rg72). A case of 6 bottles is an item sold by the bottle (BO, or EA) of case_pack
    6, or a case item of case_pack 1 (its PO4 says what a case holds); a master pack of 6 cases is what the row
    says. Which one is the owner's to say: the rows load, are decided as they say, and are said
    (CASE_PACK_AMBIGUOUS, rules.reference_rows)."""
    units = (item_units.column(c).to_pylist() for c in ("sku", "unit", "eaches"))
    cassettes = {sku for sku, unit, eaches in zip(*units, strict=True) if unit == "CS" and eaches == 1}
    rows = (items.column(c).to_pylist() for c in ("sku", "unit", "case_pack"))
    return [(name, row_no, sku, unit, pack)
            for row_no, (sku, unit, pack) in enumerate(zip(*rows, strict=True), start=1)
            if unit in ("CA", "CS") and pack > 1 and not (unit == "CS" and sku in cassettes)]


def load_reference(folder: Path) -> ReferenceData:
    """Read items.csv, partner_items.csv, prices.csv, customers.csv, ship_tos.csv and (if present)
    item_units.csv, customer_currencies.csv, kits.csv and deals.csv from ``folder``.

    Read, converted and checked once per content in a process: each stage of a night (intake's unit restatements,
    decide, each warehouse's ship stage, invoice, reconcile) asks for it, and a wholesaler's catalog of 50,000 items
    took ~1.4 s CPU each time (bench/bench_bigorder.py --items). The files' bytes are read on every call (a few ms)
    and the data kept is handed back while every file holds the bytes it was made from (and the optional ones are
    as absent as they were), so a file saved mid-night, even rewritten in place at the same size within the
    filesystem's timestamp tick (where an inode/size/mtime stamp would not see it), is read again. ReferenceData is
    frozen and its Arrow tables immutable, so one kept object is safe to share between the callers of a process (a
    pool worker's or the console's). Bad data is not kept: its ConfigError is raised again on each call."""
    contents: dict[str, bytes | None] = {}
    for key in SCHEMAS:
        path = Path(folder) / f"{key}.csv"
        if key in OPTIONAL_FILES and not path.exists():
            contents[key] = None
            continue
        try:
            contents[key] = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read reference file: {exc.strerror}", file=str(path)) from exc
    where = str(Path(folder))  # the files' names in messages and findings are made from the folder as given
    digests = tuple((key, None if data is None else hashlib.blake2b(data, digest_size=32).digest())
                    for key, data in contents.items())
    with _KEEPING:
        kept = _KEPT.get(where)
        if kept is not None and kept[0] == digests:
            _KEPT.move_to_end(where)
            return kept[1]
    ref = _read_reference(folder, contents)  # outside the lock: two threads may both read it, one is kept
    with _KEEPING:
        _KEPT[where] = (digests, ref)  # this folder's earlier data let go: one ReferenceData per folder at most
        _KEPT.move_to_end(where)
        while len(_KEPT) > KEEP_FOLDERS:
            _KEPT.popitem(last=False)
    return ref


# The reference data last read from each folder (the newest KEEP_FOLDERS folders of this process): folder as given ->
# ((file, content digest or None when absent) per file, the ReferenceData made of them). A night reads one folder;
# the console, tests and `orderbridge` commands of several workspaces a few.
KEEP_FOLDERS = 4
_KEPT: OrderedDict[str, tuple[tuple[tuple[str, bytes | None], ...], ReferenceData]] = OrderedDict()
_KEEPING = threading.Lock()  # the console's request threads share _KEPT
READS = Counter()  # folder as given -> times its files were parsed and checked (not answered from _KEPT): for tests


def forget_reference() -> None:
    """Let go of all reference data kept (a test's clean start; memory)."""
    with _KEEPING:
        _KEPT.clear()


def _read_reference(folder: Path, contents: dict[str, bytes | None]) -> ReferenceData:
    """The reference data of ``folder`` from its files' ``contents`` (None: an optional file absent)."""
    READS[str(Path(folder))] += 1
    tables: dict[str, pa.Table] = {}
    replaced: list[tuple[str, int, str, str, str]] = []
    for key, schema in SCHEMAS.items():
        path = Path(folder) / f"{key}.csv"
        data = contents[key]
        if data is None:
            tables[key] = schema.empty_table()
            continue
        tables[key] = read_reference_csv(data, name=str(path), schema=schema,
                                         optional=OPTIONAL_COLUMNS.get(key, frozenset()), replaced=replaced)
    items = tables["items"]
    _check_rows(items.select(["gtin"]), str(Path(folder) / "items.csv"), _gtin_problem)
    # an item without a GTIN (metals cut to size, bulk chemicals, MRO parts) keeps none, or its UPC's when it has one
    gtins = pa.array([normalise_gtin(g if g is not None else u) if (g or u) else None for g, u in zip(
        items.column("gtin").to_pylist(), items.column("upc").to_pylist(), strict=True)], pa.string())
    tables["items"] = items.set_column(
        items.schema.get_field_index("gtin"), SCHEMAS["items"].field("gtin"), gtins
    )
    for key in ("items", "item_units", "kits", "deals"):
        tables[key] = _unit_codes_upper(tables[key])
    items = tables["items"]
    files = {key: str(Path(folder) / f"{key}.csv") for key in SCHEMAS}
    _check_rows(items, files["items"], _item_problem)
    _check_rows(tables["prices"], files["prices"], _price_problem)
    _check_rows(tables["customers"], files["customers"], _customer_problem)
    _check_rows(tables["item_units"], files["item_units"], _item_unit_problem)
    _check_rows(tables["deals"], files["deals"], _deal_problem)
    for key, columns in (
        ("items", ["sku"]),
        ("items", ["gtin"]),
        ("partner_items", ["partner", "qualifier", "buyer_part"]),
        ("customers", ["partner"]),
        ("ship_tos", ["partner", "location_id"]),
        ("item_units", ["sku", "unit"]),
        ("customer_currencies", ["partner", "currency"]),
        ("kits", ["kit_sku", "component_sku"]),
    ):
        _unique(tables[key], columns, files[key])
    _check_dcs(tables["ship_tos"], files["ship_tos"])
    _check_currencies(tables["customers"], tables["customer_currencies"], files["customer_currencies"])
    _check_deals(tables["deals"], tables["customers"], files["deals"])
    known_skus = set(tables["items"].column("sku").to_pylist())
    for key in ("partner_items", "prices", "item_units", "deals"):
        for row_no, sku in enumerate(tables[key].column("sku").to_pylist(), start=1):
            if sku not in known_skus and not (key == "deals" and sku is None):
                raise ConfigError(f"sku {sku!r} is not in items.csv", file=files[key], row=row_no)
    for row_no, (kit, quantity) in enumerate(zip(tables["kits"].column("kit_sku").to_pylist(),
                                                 tables["kits"].column("quantity").to_pylist(), strict=True), start=1):
        if kit not in known_skus:
            raise ConfigError(f"kit_sku {kit!r} is not in items.csv", file=files["kits"], row=row_no)
        if quantity < 1:
            raise ConfigError(f"quantity {quantity} of a kit's component is not 1 or more", file=files["kits"],
                              row=row_no)
    for row_no, (unit, pack) in enumerate(zip(tables["kits"].column("unit").to_pylist(),
                                              tables["kits"].column("pack").to_pylist(), strict=True), start=1):
        if (unit is None) != (pack is None) or (pack is not None and pack < 1):
            raise ConfigError(f"a component's unit {unit!r} and pack {pack!r} go together, the pack 1 or more (its "
                              "eaches in one unit)", file=files["kits"], row=row_no)
    for row_no, (sku, new) in enumerate(zip(items.column("sku").to_pylist(),
                                            items.column("replaced_by").to_pylist(), strict=True), start=1):
        if new is not None and (new not in known_skus or new == sku):
            raise ConfigError(f"replaced_by {new!r} is not another sku of items.csv", file=files["items"],
                              row=row_no)
    return ReferenceData(**tables, replaced=tuple(replaced),
                         case_items=tuple(_case_items(items, tables["item_units"], files["items"])))


def agreed_currency(folder: Path | None, partner: str) -> str | None:
    """The currency agreed with ``partner``: its customers.csv row's (``folder``: the workspace's reference folder),
    upper case; None when there is no folder, file, row or currency, or the file cannot be read (the decide stage
    reports that). Intake's set checks take a PO that sends no heading CUR to be in it (rules.structure)."""
    path = None if folder is None else folder / "customers.csv"
    if path is None or not path.is_file():
        return None
    try:
        return _currencies(path.read_bytes(), str(path)).get(partner)
    except (ConfigError, OSError):
        return None


@functools.lru_cache(maxsize=4)
def _currencies(data: bytes, name: str) -> dict[str, str]:
    """customers.csv's bytes ``data`` as partner -> its currency (the first row naming one), read once per content
    in a process: intake asks for each partner's, and a night of hundreds of partners read the whole file for each
    (bench/bench_partners.py). A file that does not read is not kept (its ConfigError raised again)."""
    table = read_reference_csv(data, name=name, schema=SCHEMAS["customers"],
                               optional=OPTIONAL_COLUMNS.get("customers", frozenset()))
    out: dict[str, str] = {}
    for row_partner, currency in zip(table["partner"].to_pylist(), table["currency"].to_pylist(), strict=True):
        if currency and currency.strip():
            out.setdefault(row_partner, currency.strip().upper())
    return out
