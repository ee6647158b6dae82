"""A CSV order export's own totals row, told from a bad row: Excel's, Shopify's and NetSuite's exports end with a
row naming no PO and no item, its quantity and amount the sums of the rows above (or a "Total" label). A layout
naming its labels (total_labels) has such rows passed over by the codec (parsers.csv_common); one that does not
used to have them read as a row without a PO number (CSV_VALUE_MISSING, an error on a row that is no order row).

A row is taken for a totals row only when it really is one: no line id and no product id, and either a totals label
("Total", "Totals", "Grand Total", "Subtotal"; any case, a colon after it) in its PO column or another text column,
or no PO number and its numbers each the sum of the rows above it (the quantity column's the quantities', the price
column's the prices' or the lines' amounts (quantity x price), any other column's its own or the amounts; a column
summed is one holding a number in the first order row): the rows since the last totals row (a subtotal) or every
row above (a grand total); any text in it that is no number and no label keeps it a bad row. A row naming a PO read
above is that PO's subtotal (a hand-made sheet's "Subtotal" under each order, its PO number repeated:
`Totals.subtotal`) only with a totals label in a text column, no line id nor product id, and its numbers blank or
the sums of that PO's rows. Pure: row cells in, a reason out; the sums cost a few additions per row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from parsers.csv_common import CsvRows

# a totals row's label, case-folded, without a colon after it
LABELS = frozenset({"total", "totals", "grand total", "subtotal", "sub-total", "sub total"})
# the columns naming a line: a totals row has none of them
_KEYS = ("line_id", "upc", "gtin", "vendor_part", "buyer_part")
_CENT = Decimal("0.01")
_PLAIN = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")


class _Sums:
    """The sums of some order rows: quantities, prices, amounts (quantity x price), the other numeric columns'."""

    __slots__ = ("quantity", "price", "amount", "rows", "columns")

    def __init__(self) -> None:
        self.quantity = self.price = self.amount = Decimal(0)
        self.rows = 0
        self.columns: dict[int, Decimal] = {}

    def add(self, quantity: Decimal | None, price: Decimal | None, others: list[tuple[int, Decimal]]) -> None:
        self.quantity += quantity or 0
        self.price += price or 0
        self.amount += (quantity or 0) * (price or 0)
        self.rows += 1
        for at, value in others:
            self.columns[at] = self.columns.get(at, Decimal(0)) + value

    def since(self, mark: _Sums) -> _Sums:
        """These sums less ``mark`` (the sums at an earlier row): those of the rows after it."""
        out = _Sums()
        out.quantity, out.price, out.amount = self.quantity - mark.quantity, self.price - mark.price, \
            self.amount - mark.amount
        out.rows = self.rows - mark.rows
        out.columns = {at: value - mark.columns.get(at, 0) for at, value in self.columns.items()}
        return out

    def copy(self) -> _Sums:
        return self.since(_Sums())

    def holds(self, quantity: Decimal | None, price: Decimal | None, others: list[tuple[int, Decimal]]) -> bool:
        """The numbers of a row (none of them None but those left blank) are these sums."""
        amounts = (self.amount, self.amount.quantize(_CENT, ROUND_HALF_UP))
        return bool(self.rows) and (quantity is None or quantity == self.quantity) and \
            (price is None or price == self.price or price in amounts) and \
            all(value == self.columns.get(at) or value in amounts for at, value in others)


class Totals:
    """The sums of the order rows read so far (``add``), and the verdict on a row (``reason``). ``number``: a
    cell's text -> its number (True: a price, read with the layout's currency), None when it is none. The other
    columns summed are those holding a number in the first order row (an export's amount, subtotal, weight)."""

    __slots__ = ("number", "mark", "every", "summed", "pos")

    def __init__(self, number: Callable[[str, bool], Decimal | None]) -> None:
        self.number = number
        self.every = _Sums()  # of every order row above
        self.mark = _Sums()  # of those above the last totals row
        self.summed: tuple[int, ...] | None = None  # the other columns summed (known at the first order row)
        self.pos: dict[str, list[_Sums]] = {}  # PO -> the sums of its rows, and those at its last subtotal row

    def add(self, rows: CsvRows, fields: list[str], value: dict | None) -> None:
        """An order row (one naming a PO) counted in the sums; ``value``: its quantity and price as read (None: the
        row could not be read, its cells are read here)."""
        if self.summed is None:
            named = _named(rows)
            self.summed = tuple(at for at, cell in enumerate(fields) if at not in named and cell.strip()
                                and self.number(cell.strip(), True) is not None)
        quantity, price = (value["quantity"], value["unit_price"]) if value is not None else \
            self._numbers(rows, fields)
        others = [(at, number) for at in self.summed if at < len(fields) and (text := fields[at].strip())
                  and (number := self._plain(text)) is not None]
        self.every.add(quantity, price, others)
        po = rows.cell(fields, "po_number")
        if po:
            self.pos.setdefault(po, [_Sums(), _Sums()])[0].add(quantity, price, others)

    def subtotal(self, rows: CsvRows, fields: list[str], po: str) -> str | None:
        """Why a row naming ``po``, a PO read above, is its subtotal row (a hand-made sheet's "Subtotal" under each
        order's rows, its PO number repeated), or None when it is not one: no line id and no product id, a totals
        label in a text column, and each of its other cells blank or a number that is the sum of that PO's rows
        (since its last subtotal, or all of them). Its numbers blank too, it is no line either (no quantity, no
        item): a subtotal. Any other text keeps it a row of the PO."""
        sums = self.pos.get(po)
        if sums is None or any(rows.cell(fields, name) for name in _KEYS):
            return None
        at_po = rows.columns.get("po_number")
        label = next(((at, text) for at, cell in enumerate(fields) if at != at_po and (text := cell.strip())
                      and text.casefold().rstrip(":").strip() in LABELS), None)
        if label is None:
            return None
        quantity, price = self._numbers(rows, fields)
        if rows.cell(fields, "quantity") and quantity is None or rows.cell(fields, "unit_price") and price is None:
            return None
        named = _named(rows)
        others = [(at, self.number(text, True)) for at, cell in enumerate(fields)
                  if at not in named and at != label[0] and (text := cell.strip())]
        if any(value is None for _at, value in others):
            return None
        numbers = [(at, value) for at, value in others if value is not None]
        if (quantity is not None or price is not None or numbers) and not (
                sums[0].since(sums[1]).holds(quantity, price, numbers) or sums[0].holds(quantity, price, numbers)):
            return None
        sums[1] = sums[0].copy()
        return f"labelled {label[1]!r}, PO {po}'s subtotal: no item, its numbers blank or the sums of its rows"

    def _plain(self, text: str) -> Decimal | None:
        """A cell's number: a plain one ("45.00") read at once (a column of ids or amounts seldom repeats a value),
        else as the layout writes one."""
        return Decimal(text) if _PLAIN.match(text) else self.number(text, True)

    def reason(self, rows: CsvRows, fields: list[str], po: str) -> str | None:
        """Why the row is the export's totals row ("labelled 'Total'", "no PO and no item, its numbers the sums of
        the rows above"), or None when it is not one (read as any row). A label may stand in a line's column (a
        sheet's SUM row labelled in the cell left of the sum: "Total:" in the Line column)."""
        if any((cell := rows.cell(fields, name)) and not _label(cell) for name in _KEYS):
            return None
        label = next((text for cell in fields if (text := cell.strip()) and text.casefold().rstrip(":").strip()
                      in LABELS), None)
        if label is not None and (not po or po == label):
            self.mark = self.every.copy()
            return f"labelled {label!r}"
        if po or not self._summed(rows, fields):
            return None
        self.mark = self.every.copy()
        return "no PO and no item, its numbers the sums of the rows above"

    def _numbers(self, rows: CsvRows, fields: list[str]) -> tuple[Decimal | None, Decimal | None]:
        quantity, price = rows.cell(fields, "quantity"), rows.cell(fields, "unit_price")
        return (self.number(quantity, False) if quantity else None, self.number(price, True) if price else None)

    def _summed(self, rows: CsvRows, fields: list[str]) -> bool:
        quantity, price = self._numbers(rows, fields)
        if rows.cell(fields, "quantity") and quantity is None or rows.cell(fields, "unit_price") and price is None:
            return False
        named = _named(rows)
        others = [(at, self.number(text, True)) for at, cell in enumerate(fields)
                  if at not in named and (text := cell.strip())]
        if any(value is None for _at, value in others) or quantity is None and price is None and not others:
            return False
        numbers = [(at, value) for at, value in others if value is not None]
        return self.every.since(self.mark).holds(quantity, price, numbers) or self.every.holds(quantity, price, numbers)


def _label(text: str) -> bool:
    """The cell's text is a totals label ("Total", "Grand Total:")."""
    return text.casefold().rstrip(":").strip() in LABELS


def _named(rows: CsvRows) -> set[int | None]:
    """The positions of the row's PO number, quantity and price (the columns read apart)."""
    return {rows.columns.get("quantity"), rows.columns.get("unit_price"), rows.columns.get("po_number")}
