"""Units of a shipment confirmation against its order line: how many eaches one unit of an item holds,
as intake converts an ordered unit (rules.business.quantities.eaches_per_unit: the each, the item's
own selling unit, item_units rows, the case pack for a case unit), for rules.shipments to convert a
unit shipped into the line's and to count what is reserved (in eaches). Pure; no findings here.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from rules.business.items import resolve_items
from rules.business.quantities import PO4_COLUMNS, UnitIndex, eaches_per_unit, po4_unit_eaches, sold_singly
from schemas.rule_settings import RuleSettings
from schemas.units import COUNT_UNITS, defined_multiple


class ShipmentUnits:
    """Eaches in one unit of an item, as intake converts an ordered unit (eaches_per_unit: the each,
    the item's own selling unit, item_units rows, the case pack for a case unit)."""

    def __init__(self, items: pa.Table | None, item_units: pa.Table | None, settings: RuleSettings,
                 partner_items: pa.Table | None = None) -> None:
        self.settings = settings
        self.items, self.partner_items = items, partner_items  # (resolve: a line's sku from its product ids)
        self.index: UnitIndex = UnitIndex()
        self.index.own_units = {}  # each item's selling unit: a case code of an item sold by the case is its case
        self.case_pack: dict[str, int] = {}
        names = items.column_names if items is not None else []
        if "sku" in names and "unit" in names:
            packs = items["case_pack"].to_pylist() if "case_pack" in names else [None] * items.num_rows
            for sku, unit, pack in zip(items["sku"].to_pylist(), items["unit"].to_pylist(), packs, strict=True):
                if sku and unit:
                    self.index[(sku, unit)] = 1
                    self.index.own_units[sku] = unit
                if sku and pack is not None:
                    self.case_pack[sku] = int(pack)
        if item_units is not None:
            for sku, unit, eaches in zip(*(item_units[c].to_pylist() for c in ("sku", "unit", "eaches")), strict=True):
                if sku and unit:
                    self.index[(sku, unit)] = int(eaches)

        # (partner, po_number, line_number) -> eaches per unit of a line whose unit only its PO4 counts
        self.by_line: dict[tuple[str, str, int], int] = {}
        self._minimums: dict[str, int | None] | None = None  # sku -> items.csv min_order_qty (minimum: on first use)

    def each(self, sku: str | None, unit: str | None) -> int | None:
        return eaches_per_unit(unit, sku, self.case_pack.get(sku or ""), self.index, self.settings)

    def in_own_unit(self, sku: str | None, unit: str | None) -> int | None:
        """How many ``unit`` one of item ``sku``'s own unit (items.unit) is by the units' definitions when ``unit`` is
        the smaller (schemas.units.defined_multiple: 1,000 ML of an item counted in litres, 100 CM of one counted in
        metres), for a confirmation in a part of what we count: 500 ML is 0.5 of the item's LT. None otherwise (an
        item counted in eaches or packs has no part by definition)."""
        return defined_multiple(self.own_unit(sku), unit)

    def own_unit(self, sku: str | None) -> str | None:
        """Item ``sku``'s own unit, what we count it in (items.unit)."""
        return self.index.own_units.get(sku or "")

    def minimum(self, sku: str | None) -> int:
        """The item's minimum order quantity in eaches (items.csv min_order_qty; 0 none), read once on first use."""
        minimums = self._minimums
        if minimums is None:
            names = self.items.column_names if self.items is not None else []
            minimums = self._minimums = dict(zip(self.items["sku"].to_pylist(), self.items["min_order_qty"].to_pylist(),
                                                 strict=True)) if "sku" in names and "min_order_qty" in names else {}
        return int(minimums.get(sku or "") or 0)

    def learn_lines(self, state: pa.Table, order_lines: pa.Table | None) -> None:
        """The lines of LINE_STATE ``state`` ordered in a unit the item master does not convert whose PO4
        (canonical ORDER_LINES ``order_lines``) says it holds a pack of ours, as intake converted them
        (rules.business.quantities.po4_unit_eaches: ``PO1*1*2*CT`` with ``PO4*12``, our case of 12)."""
        if order_lines is None or "po4_pack" not in order_lines.column_names or not order_lines.num_rows:
            return
        sent = order_lines.filter(pc.is_valid(order_lines["po4_pack"]))
        if not sent.num_rows:
            return
        key = ("partner", "po_number", "line_number")
        items = dict(zip(zip(*(state[c].to_pylist() for c in key), strict=True),
                         zip(state["sku"].to_pylist(), state["unit"].to_pylist(), strict=True), strict=True))
        cols = [c for c in (*key, "unit", *PO4_COLUMNS) if c in sent.column_names]
        for row in sent.select(cols).to_pylist():
            at = (row["partner"], row["po_number"], row["line_number"])
            sku, unit = items.get(at, (None, row["unit"]))
            if not sku or self.each(sku, unit) is not None:
                continue
            found = po4_unit_eaches({**row, "sku": sku, "unit": unit, "case_pack": self.case_pack.get(sku)},
                                    self.index, self.settings)
            if found is not None:
                self.by_line[at] = found

    def resolve(self, lines: pa.Table) -> list[str | None]:
        """Our sku of each ORDER_LINES row, from its product ids as the rules resolve an 850's line
        (rules.business.items.resolve_items: our GTINs, vendor parts, the partner's cross-reference); None where
        none matches, or without the item master's ids."""
        needed = ("sku", "gtin", "vendor_part", "case_pack", "min_order_qty", "status")
        if self.items is None or not lines.num_rows or not set(needed) <= set(self.items.column_names) \
                or "partner" not in lines.column_names:
            return [None] * lines.num_rows
        xref = self.partner_items
        if xref is None or not {"partner", "buyer_part", "sku"} <= set(xref.column_names):
            xref = pa.table({c: pa.array([], pa.string()) for c in ("partner", "buyer_part", "sku")})
        return resolve_items(lines, self.items, xref).column("sku").to_pylist()

    def counts_singly(self, sku: str | None, unit: str | None) -> bool:
        """Is one ``unit`` of item ``sku`` a count of its pieces by the unit's definition: a count unit (COUNT_UNITS:
        DZ 12, GS 144 ...) of an item sold by the each or the pair (sold_singly), converting to that many of them
        (no item_units row saying otherwise)? Eaches of such an item are an exact number of the unit, a fraction
        of it included (234 towels are 19.5 DZ)."""
        count = COUNT_UNITS.get(unit or "")
        return count is not None and sold_singly(self.index.own_units.get(sku or ""), self.settings) and \
            self.each(sku, unit) == count

    def line_each(self, partner: str | None, po: str | None, number: int | None, sku: str | None,
                  unit: str | None) -> int | None:
        """``each`` of an order line's unit, or what its PO4 says it holds (learn_lines)."""
        found = self.by_line.get((partner, po, number)) if self.by_line else None
        return found if found is not None else self.each(sku, unit)

    def column(self, sku, unit) -> pa.Array:
        """``each`` of every row's (sku, unit), once per distinct pair (null: not known)."""
        key = pc.binary_join_element_wise(pc.fill_null(sku, ""), pc.fill_null(unit, ""), "\x1f")
        if isinstance(key, pa.ChunkedArray):
            key = key.combine_chunks()
        encoded = pc.dictionary_encode(key)
        values = [self.each(*k.split("\x1f")) for k in encoded.dictionary.to_pylist()]
        return pa.array(values, pa.int64()).take(encoded.indices)

    def line_column(self, partner, po, number, sku, unit) -> pa.Array:
        """``column`` of order lines' (sku, unit), with the lines only their PO4 counts (learn_lines)."""
        out = self.column(sku, unit)
        if not self.by_line:
            return out
        keys = zip(partner.to_pylist(), po.to_pylist(), number.to_pylist(), strict=True)
        found = [self.by_line.get(k) for k in keys]
        if all(v is None for v in found):
            return out
        return pc.coalesce(pa.array(found, pa.int64()), out)
