"""850 lines priced by a CTP whose CTP05 is another unit than PO103 (``PO1*1*24*EA`` with ``CTP**UCP*470.40*1*CA``):
X12 pairs CTP04 and CTP05 (P0405) and gives CTP03 no unit of its own, so CTP03 is the price per one CTP05 unit. The
850 reader keeps it so (ORDER_LINES price_unit); here, with the item master, it is restated per the line's unit through
the eaches each unit of the item holds (a case of 12: 39.20 per EA) where that is exact to 4 places, the CTP05 kept in
price_unit_sent (PRICE_BASIS_CONVERTED); a line it cannot be restated for stays per its CTP05 and its order waits for a
person (PRICE_BASIS_UNSUPPORTED at CTP05). Pure: no paths, no state."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rules.business.common import _LINE_LOCATION, _text, business_finding
from rules.business.quantities import eaches_per_unit
from schemas.findings import Finding
from schemas.reference import ReferenceData
from schemas.rule_settings import RuleSettings

_TEN_THOUSANDTH = Decimal("0.0001")
_TOO_LARGE = Decimal(10) ** 14  # a unit price as ORDER_LINES holds it: decimal128(18, 4)


def _priced_per_other_unit(lines: pa.Table) -> np.ndarray:
    """The rows of ``lines`` whose price is per its CTP05 (price_unit) with a price read."""
    if lines.num_rows == 0 or "price_unit" not in lines.column_names or \
            lines["price_unit"].null_count == lines.num_rows:
        return np.zeros(0, dtype=np.int64)
    mask = pc.and_(pc.is_valid(lines["price_unit"]), pc.is_valid(lines["unit_price"]))
    return np.flatnonzero(np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool))


def ctp_unit_priced(lines: pa.Table) -> bool:
    """Any line of ``lines`` priced per a CTP05 that is not its unit: only then is the item master needed."""
    return bool(len(_priced_per_other_unit(lines)))


def in_line_unit(row: Mapping, index: Mapping[tuple[str, str], int], settings: RuleSettings
                 ) -> tuple[Decimal | None, str]:
    """``row``'s unit_price (per its price_unit, a CTP05) per its unit through its item's eaches per unit
    (quantities.eaches_per_unit: the item master, the case pack, a count unit), and why not when None."""
    price, ctp, unit, sku = row["unit_price"], row["price_unit"], row.get("unit"), row.get("sku")
    per_ctp = eaches_per_unit(ctp, sku, row.get("case_pack"), index, settings)
    per_line = eaches_per_unit(unit, sku, row.get("case_pack"), index, settings)
    if not unit or not per_ctp or not per_line:
        missing = ctp if not per_ctp else unit or "(no PO103)"
        item = f"item {sku}" if sku else "the line's item (unknown)"
        return None, f"we know no count of eaches in a {missing} of {item}"
    per = Decimal(price) * Decimal(per_line) / Decimal(per_ctp)
    if per != per.quantize(_TEN_THOUSANDTH) or abs(per) >= _TOO_LARGE:
        return None, (f"it is {per.quantize(Decimal('0.000001')).normalize()} per {unit} ({per_line} eaches to "
                      f"{per_ctp} a {ctp}), more places than the 4 we carry")
    return per.quantize(_TEN_THOUSANDTH), ""


def per_line_unit(lines: pa.Table, ref: ReferenceData, settings: RuleSettings | None = None) -> pa.Table:
    """``lines`` (ORDER_LINES, as parsed) with every line priced per a CTP05 another than its unit restated per its
    unit where its item's eaches per unit make that exact (unit_price per PO103 with no basis, price_unit null,
    price_unit_sent the CTP05); the others untouched (held by the price rules)."""
    from rules.business.items import resolve_items
    from rules.business.quantities import unit_index

    rows = _priced_per_other_unit(lines)
    if not len(rows):
        return lines
    settings = settings or RuleSettings()
    picked = resolve_items(lines.take(pa.array(rows, pa.int64())), ref.items, ref.partner_items)
    index = unit_index(ref)
    price, per, sent, basis = (lines[c].to_pylist() for c in ("unit_price", "price_unit", "price_unit_sent",
                                                               "price_basis"))
    changed = False
    for i, row in zip(rows.tolist(), picked.select(["unit_price", "price_unit", "unit", "sku", "case_pack"])
                      .to_pylist(), strict=True):
        restated, _why = in_line_unit(row, index, settings)
        if restated is None:
            continue
        # per PO103 now, whatever it was per (PE for a CTP09 per hundred: per one CTP05), so no basis: 470.40 PE on a
        # line in CA would read per each
        price[i], sent[i], per[i], basis[i] = restated, per[i], None, None
        changed = True
    if not changed:
        return lines
    for name, values in (("unit_price", price), ("price_unit", per), ("price_unit_sent", sent),
                         ("price_basis", basis)):
        at = lines.schema.get_field_index(name)
        lines = lines.set_column(at, lines.schema.field(name), pa.array(values, lines.schema.field(name).type))
    return lines


def unit_price_findings(lines: pa.Table, units: Mapping[tuple[str, str], int], settings_of) -> list[Finding]:
    """Of item-resolved ``lines``: PRICE_BASIS_UNSUPPORTED (at CTP05) for each line still priced per a CTP05 that is
    not its unit (its order waits: billed per PO103 it would be that many times off), saying why it was not
    restated; PRICE_BASIS_CONVERTED for each restated one (price_unit_sent). ``settings_of``: partner -> its
    settings (each and case units)."""
    out: list[Finding] = []
    cols = [*_LINE_LOCATION, "partner", "unit", "unit_price", "sku", "case_pack", "price_unit", "price_unit_sent",
            "price_basis_sent"]
    have = [c for c in cols if c in lines.column_names]
    rows = _priced_per_other_unit(lines)
    if len(rows):
        for row in lines.select(have).take(pa.array(rows, pa.int64())).to_pylist():
            _, why = in_line_unit(row, units, settings_of(row["partner"]))
            ctp, unit = row["price_unit"], row.get("unit") or "(no PO103)"
            out.append(business_finding(
                "PRICE_BASIS_UNSUPPORTED",
                f"CTP03 {_text(row['unit_price'])} is the price per {ctp} (CTP05: X12 gives CTP03 no unit of its "
                f"own), the line being in {unit}; it cannot be restated per {unit}: {why}. Our prices, order "
                f"values and invoices are per PO103 unit, so the order waits for a person (add the item's "
                f"{ctp} to item_units, or ask the buyer for the price per {unit} in PO104; approved as it is, the line "
                f"would be answered and invoiced at {_text(row['unit_price'])} per {unit}).", row, seg="CTP",
                element="CTP05", value=ctp))
    if "price_unit_sent" in lines.column_names and lines["price_unit_sent"].null_count < lines.num_rows:
        for row in lines.select(have).filter(pc.is_valid(lines["price_unit_sent"])).to_pylist():
            many = f", per {row['price_basis_sent']} of it (CTP09)" if row.get("price_basis_sent") else ""
            out.append(business_finding(
                "PRICE_BASIS_CONVERTED",
                f"The CTP that priced this line states its price per {row['price_unit_sent']} (CTP05{many}), the line "
                f"being in {row.get('unit')}: taken as {_text(row['unit_price'])} per {row.get('unit')} through "
                f"item {row.get('sku')}'s eaches per unit, exactly; our 855 and 810 state it per {row.get('unit')} "
                "(the 810 echoes the CTP as sent).", row, seg="CTP", element="CTP05", value=row["price_unit_sent"]))
    return out
