"""Units of a shipment confirmation against its order line: how many eaches one unit of an item holds,
as intake converts an ordered unit (rules.business.quantities.eaches_per_unit: the each, the item's
own selling unit, item_units rows, the case pack for a case unit), for rules.shipments to convert a
unit shipped into the line's and to count what is reserved (in eaches). Pure; no findings here.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from rules.business.quantities import eaches_per_unit
from schemas.rule_settings import RuleSettings


def case_note(was: str, wanted: str, units: ShipmentUnits) -> str:
    """What a reader of CS must know: X12's code list names CS Cassette, not Case (CA)."""
    both = {was, wanted}
    if "CS" in both and both <= set(units.settings.case_units):
        return " (CS is Cassette in X12's unit code list; read as a case, as our orders read it)"
    return ""


class ShipmentUnits:
    """Eaches in one unit of an item, as intake converts an ordered unit (eaches_per_unit: the each,
    the item's own selling unit, item_units rows, the case pack for a case unit)."""

    def __init__(self, items: pa.Table | None, item_units: pa.Table | None, settings: RuleSettings) -> None:
        self.settings = settings
        self.index: dict[tuple[str, str], int] = {}
        self.case_pack: dict[str, int] = {}
        names = items.column_names if items is not None else []
        if "sku" in names and "unit" in names:
            packs = items["case_pack"].to_pylist() if "case_pack" in names else [None] * items.num_rows
            for sku, unit, pack in zip(items["sku"].to_pylist(), items["unit"].to_pylist(), packs, strict=True):
                if sku and unit:
                    self.index[(sku, unit)] = 1
                if sku and pack is not None:
                    self.case_pack[sku] = int(pack)
        if item_units is not None:
            for sku, unit, eaches in zip(*(item_units[c].to_pylist() for c in ("sku", "unit", "eaches")), strict=True):
                if sku and unit:
                    self.index[(sku, unit)] = int(eaches)

    def each(self, sku: str | None, unit: str | None) -> int | None:
        return eaches_per_unit(unit, sku, self.case_pack.get(sku or ""), self.index, self.settings)

    def column(self, sku, unit) -> pa.Array:
        """``each`` of every row's (sku, unit), once per distinct pair (null: not known)."""
        key = pc.binary_join_element_wise(pc.fill_null(sku, ""), pc.fill_null(unit, ""), "\x1f")
        if isinstance(key, pa.ChunkedArray):
            key = key.combine_chunks()
        encoded = pc.dictionary_encode(key)
        values = [self.each(*k.split("\x1f")) for k in encoded.dictionary.to_pylist()]
        return pa.array(values, pa.int64()).take(encoded.indices)
