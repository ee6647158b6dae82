"""What finance ties an 810's total to, per invoice (INVOICE_MATCH): its lines as the line reconciliation
matched them (INVOICED: quantity x price, each half up to cents as our 810s and TDS count them), its SAC
charges and allowances and its TDS as the partner received them (INVOICE_TOTALS, read back from the
delivered document by engine.finance_inputs.invoice_totals), and its taxes (the summary's TXIs: kept apart from
the charges). A TDS that is not lines + charges - allowances + taxes is an INVOICE_TOTAL_MISMATCH
(engine.reconcile). Pure and columnar.

An 810 is one transaction set: (partner, ISA13, GS06, ST02). A set whose lines were recorded from
another system of ours (`orderbridge record`: its lines only) has no known charges, allowances or TDS
(null): nothing to tie, no exception. A set with a TDS but no line we hold (every IT1 naming a line of
no order of ours) has lines value 0.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.columnar import PRICE_UNIT, SCALE, decimal_array, multiply, price_units, scaled
from schemas.reconciliation import INVOICE_MATCH, INVOICE_TOTALS, INVOICED

_SET = ["partner", "isa13", "gs06", "st02"]
_CENT = SCALE // 100  # a cent in 10^-4 units


def cent_extensions(quantity: np.ndarray, price: np.ndarray, *, price_unit: int = SCALE) -> np.ndarray:
    """quantity x price (both in 10^-4 units; ``price_unit`` PRICE_UNIT: the price in 10^-6, engine.columnar)
    rounded half up (away from zero) to whole cents, exactly (engine.invoice.extension's rule), in 10^-4 units."""
    return multiply(quantity, price, unit=price_unit * _CENT) * _CENT


def _values(extensions: np.ndarray, billed: pa.Array | pa.ChunkedArray | None) -> np.ndarray:
    """Each line's value (10^-4 units): its amount billed where known, else its extension."""
    if billed is None or not len(extensions):
        return extensions
    amount, known = scaled(billed)
    return np.where(known, amount, extensions)


def _keyed(t: pa.Table) -> pa.Table:
    return t.set_column(t.schema.get_field_index("isa13"), "isa13", pc.fill_null(t["isa13"], "")).set_column(
        t.schema.get_field_index("gs06"), "gs06", pc.fill_null(t["gs06"], "")).set_column(
        t.schema.get_field_index("st02"), "st02", pc.fill_null(t["st02"], ""))


def match_invoices(invoiced: pa.Table, totals: pa.Table | None) -> pa.Table:
    """INVOICE_MATCH (currency null: the caller knows the orders') of INVOICED's sets and INVOICE_TOTALS',
    ordered by partner, PO, invoice number and set. A line's value is quantity x price, or its ``amount`` when
    ``invoiced`` has one (engine.finance_inputs.with_amounts: what our 810 billed it; a catch-weight line's
    net weight x its price per pound, its quantity being its cases)."""
    billed = invoiced["amount"] if "amount" in invoiced.column_names else None
    inv = _keyed(invoiced.select(INVOICED.names).cast(INVOICED))
    tot = _keyed((totals if totals is not None else INVOICE_TOTALS.empty_table()).select(
        INVOICE_TOTALS.names).cast(INVOICE_TOTALS))
    q, _ = scaled(inv["quantity"])
    p, _ = price_units(inv["unit_price"])  # exact (0.00418: 10,000 of them are 41.80)
    lines = pa.table({
        **{c: inv[c] for c in _SET}, "po_number": inv["po_number"], "invoice_number": inv["invoice_number"],
        "invoice_date": inv["invoice_date"], "sent_at": inv["sent_at"], "file": inv["file"],
        "value": pa.array(_values(cent_extensions(q, p, price_unit=PRICE_UNIT), billed), pa.int64()),
    })
    g = lines.group_by(_SET, use_threads=False).aggregate(
        [("value", "sum"), ("value", "count"), *((c, "first") for c in ("po_number", "invoice_number",
                                                                       "invoice_date", "sent_at", "file"))])
    g = g.rename_columns({f"{c}_first": c for c in ("po_number", "invoice_number", "invoice_date", "sent_at",
                                                     "file")} | {"value_sum": "lines_value", "value_count": "n"})
    t = tot.rename_columns({c: f"t_{c}" for c in tot.column_names if c not in _SET})
    both = g.join(t, _SET, join_type="full outer", use_threads=False, coalesce_keys=True)
    if not both.num_rows:
        return INVOICE_MATCH.empty_table()
    n = both.num_rows
    lines_value = pc.fill_null(both["lines_value"], 0).to_numpy(zero_copy_only=False).astype(np.int64)
    known = pc.is_valid(both["t_charges"]).to_numpy(zero_copy_only=False)
    charges, _ = scaled(both["t_charges"])
    allowances, _ = scaled(both["t_allowances"])
    taxes, _ = scaled(pc.fill_null(both["t_taxes"], pa.scalar(0, both["t_taxes"].type)))  # (null: none)
    total, has_total = scaled(both["t_total"])
    expected = lines_value + charges - allowances + taxes
    out = pa.table({
        "partner": both["partner"],
        "po_number": pc.coalesce(both["po_number"], both["t_po_number"], pa.scalar("")),
        "invoice_number": pc.coalesce(both["invoice_number"], both["t_invoice_number"], pa.scalar("")),
        "invoice_date": pc.coalesce(both["invoice_date"], both["t_invoice_date"]),
        "currency": pa.nulls(n, pa.string()),
        "invoice_lines": pc.fill_null(both["n"], 0),
        "lines_value": decimal_array(lines_value),
        "charges": decimal_array(charges, known),
        "allowances": decimal_array(allowances, known),
        "taxes": decimal_array(taxes, known),
        "expected_total": decimal_array(expected, known),
        "invoiced_total": decimal_array(total, known & has_total),
        "difference": decimal_array(total - expected, known & has_total),
        "allowance_codes": both["t_allowance_codes"],
        "sent_at": pc.coalesce(both["sent_at"], both["t_sent_at"]),
        "file": pc.coalesce(both["file"], both["t_file"]),
        **{c: pc.if_else(pc.equal(both[c], ""), pa.scalar(None, pa.string()), both[c]) for c in _SET[1:]},
    }).cast(INVOICE_MATCH)
    return out.sort_by([("partner", "ascending"), ("po_number", "ascending"), ("invoice_number", "ascending"),
                        ("isa13", "ascending"), ("gs06", "ascending"), ("st02", "ascending")])
