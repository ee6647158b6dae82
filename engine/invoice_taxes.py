"""Taxes on the 810 (InvoiceSettings.taxes: GST/HST/QST for a Canadian retailer, a US state's sales tax): which of
the profile's taxes an 810 carries, their TXI segments and what they add to TDS01. Pure.

Which: the taxes whose regions hold the ship-to's state or province - its N402 as the PO sent it, else the state
ship_tos.csv has for its location (N104) -; an 810 of a partner with taxes whose ship-to has neither is not built
(DocumentError: a Canadian retailer refuses or short-pays an invoice without its taxes, and we cannot tell which).

Amounts, rounding stated once (money: half up to cents), per tax (InvoiceSettings.tax_at):
  "summary"  one TXI after TDS: (merchandise + SAC charges - SAC allowances) x percent / 100, rounded once;
  "line"     a TXI after each IT1: the line's extension x percent / 100, rounded per line; the summary TXI their
             sum, plus the SACs' net (charges less allowances, the profile's and the PO's) x percent / 100
             rounded once when the 810 has any.
TDS01 = extensions + charges - allowances + the summary TXIs' amounts (engine.invoice.check_810 adds them up).
TXI: TXI01 the tax's code, TXI02 the amount (R), TXI03 the rate (InvoiceSettings.tax_percent), TXI09 our
registration number (none: left out).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import pyarrow as pa

from engine.invoice_po_sacs import money
from parsers.x12_writer import x12_decimal
from rules.business.places import region_code
from schemas.errors import DocumentError
from schemas.fulfilment import InvoiceSettings, InvoiceTax

Places = Mapping[tuple[str, str], str]  # (partner, ship-to location id) -> state/province (ship_tos.csv)


def ship_to_places(ship_tos: pa.Table, partners: Sequence[str]) -> dict[tuple[str, str], str]:
    """ship_tos.csv's state per (partner, location id), for ``partners`` (those whose 810s carry taxes)."""
    if not partners or not ship_tos.num_rows:
        return {}
    wanted = set(partners)
    return {(p, str(loc)): str(state).strip().upper()
            for p, loc, state in zip(*(ship_tos[c].to_pylist() for c in ("partner", "location_id", "state")),
                                     strict=True) if p in wanted and loc is not None and state}


def region(order: Mapping[str, object], places: Places) -> str:
    """The ship-to's state or province: its N402 as sent (a Canadian province's former code as today's: PQ is QC,
    rules.business.places.region_code), else ship_tos.csv's for its location id; "" neither."""
    state = str(order.get("ship_to_state") or "").strip().upper()
    if state:  # N404 absent or not Canadian: the former codes are no other country's state
        return region_code("CA", state)
    location = order.get("ship_to_id")
    return places.get((str(order.get("partner") or ""), str(location)), "") if location else ""


def taxes_for(settings: InvoiceSettings, order: Mapping[str, object], places: Places) -> tuple[InvoiceTax, ...]:
    """The profile's taxes an 810 of ``order`` (its canonical ORDERS row, with its partner) carries; () for a
    partner without taxes or a ship-to in none of their regions. DocumentError when the partner has taxes and the
    ship-to's region is unknown (no N402, no ship_tos.csv state)."""
    if not settings.taxes:
        return ()
    where = region(order, places)
    if not where:
        raise DocumentError("the ship-to's state or province is unknown (no N4 in the PO, none in ship_tos.csv for "
                            "its location): the taxes the 810 carries cannot be decided",
                            ship_to=str(order.get("ship_to_id") or ""))
    return tuple(t for t in settings.taxes if where in t.regions)


@dataclass(frozen=True, slots=True)
class Taxed:
    """What an 810 carries of its taxes: per line index, its TXI segments; the summary's; their total (TDS01)."""

    lines: dict[int, list[list[str]]]
    summary: list[list[str]]
    total: Decimal


def txi(tax: InvoiceTax, amount: Decimal, settings: InvoiceSettings) -> list[str]:
    """TXI01 code, TXI02 amount (R), TXI03 rate, TXI09 registration (trailing empties dropped)."""
    rate = tax.percent if settings.tax_percent == "percent" else tax.percent / 100
    seg = ["TXI", tax.code, x12_decimal(amount), x12_decimal(rate)]
    if tax.registration:
        seg += ["", "", "", "", "", tax.registration]
    return seg


def taxed(taxes: Sequence[InvoiceTax], settings: InvoiceSettings, extensions: Sequence[Decimal],
          sac_net: Decimal) -> Taxed:
    """The TXIs of one 810 of lines worth ``extensions`` and SACs whose charges less allowances are ``sac_net``
    (the module's rule)."""
    lines: dict[int, list[list[str]]] = {}
    summary: list[list[str]] = []
    total = Decimal(0)
    merchandise = sum(extensions, Decimal(0))
    for tax in taxes:
        if settings.tax_at == "line":
            amount = Decimal(0)
            for i, ext in enumerate(extensions):
                each = money(ext * tax.percent / 100)
                lines.setdefault(i, []).append(txi(tax, each, settings))
                amount += each
            if sac_net:
                amount += money(sac_net * tax.percent / 100)
        else:
            amount = money((merchandise + sac_net) * tax.percent / 100)
        summary.append(txi(tax, amount, settings))
        total += amount
    return Taxed(lines, summary, total)


__all__ = ["Places", "Taxed", "region", "ship_to_places", "taxed", "taxes_for", "txi"]
