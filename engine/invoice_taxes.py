"""Taxes on the 810 (InvoiceSettings.taxes: GST/HST/QST for a Canadian retailer, a US state's sales tax): which of
the profile's taxes an 810 carries, their TXI segments and what they add to TDS01. Pure.

Which: the taxes whose regions hold the ship-to's state or province - its N402 as the PO sent it, else the state
ship_tos.csv has for its location (N104) -; an 810 of a partner with taxes whose ship-to has neither is not built
(DocumentError: a Canadian retailer refuses or short-pays an invoice without its taxes, and we cannot tell which).
Less those the PO is exempt from (``exempt``): a heading TAX whose TAX12 (441) exempts the tax - 0 export, 1 tax
exempt, 3 for resale, 5 not for resale, 7 direct pay, 8 sale to the US government, 9 per state law, A material
exempt, C not taxable: every tax, an excise of 0, 1, 8, 9 and C alone; F the GST (GST, HST), G the provincial
sales tax (PST, QST) - and names no location (TAX02-TAX11) or the ship-to's state or province among them (SP and
its code): a reseller's drop ship (CDW, a distributor's dealer) states its resale exemption so, and an 810 charging
the tax anyway is short-paid.

Amounts, rounding stated once (money: half up to cents), per tax (InvoiceSettings.tax_at), of its taxable base:
  the goods   the lines whose item's tax class (items.csv tax_class) is not among the tax's ``exempt`` (zero-rated
              basic groceries under GST/HST and QST, groceries under most US states' sales tax), with the SACs on
              those lines (a line allowance lowers its line's price);
  share       those lines' value (extensions + their SACs) / every line's: 1 when no line is exempt, 0 when all are;
  the SACs    of the heading (the profile's charges, the PO's heading SACs): allowances lower the base by their
              share (a discount on the whole invoice); charges by the tax's ``charges`` - "goods" their share (the
              charge follows the goods it delivers: GST/HST on freight of taxable goods, the Streamlined Sales Tax
              allocation by price), "taxable" in full, "exempt" none (a state not taxing separately stated freight);
  "summary"  one TXI after TDS: (the goods + the heading SACs as above) x percent / 100, rounded once;
  "line"     a TXI after each IT1: the line's extension x percent / 100, rounded per line (an exempt line's TXI
             states 0 at rate 0); the summary TXI their sum, plus (the taxable lines' SACs + the heading SACs as
             above) x percent / 100 rounded once when the 810 has any.
Without exempt items and with "goods" charges (the defaults) the base is lines + SAC charges - SAC allowances.
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
from schemas.orders import ELEMENTS_SEP, ITDS_SEP

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
    return tuple(t for t in settings.taxes if where in t.regions and not exempt(t, order, where))


# TAX12 (441) codes exempting from every tax, and from the taxes of these kinds alone
_EXEMPT_ALL = frozenset("0135789AC")
_EXEMPT_KINDS = {"F": frozenset({"GST", "HST"}), "G": frozenset({"PST", "QST"})}
# of _EXEMPT_ALL, those exempting from an excise too: export, tax exempt, the US government, per state law, not
# taxable. The others are sales and use tax exemptions (3 for resale, 5 not for resale, 7 direct pay, A material
# exempt): a distributor buying for resale still pays the excise its supplier bills (Pennsylvania's tax on vapor
# products is due on the wholesaler's sale to the retailer, which resells them); it used to be left off the 810
_EXEMPT_EXCISE = frozenset("0189C")


def exempt(tax: InvoiceTax, order: Mapping[str, object], where: str) -> bool:
    """Whether a heading TAX of ``order`` (tax_sent) exempts its 810s shipping to ``where`` from ``tax`` (the
    module's rule): its TAX12 exempts the tax's kind, and it names no location (TAX02-TAX11) or ``where`` as a
    state or province (SP) among them (a TAX naming a city or county alone is not the state's exemption)."""
    for sent in str(order.get("tax_sent") or "").split(ITDS_SEP):
        elements = sent.split(ELEMENTS_SEP) + [""] * 12
        code = elements[11].strip().upper()
        if code not in _EXEMPT_ALL and tax.kind not in _EXEMPT_KINDS.get(code, ()):
            continue
        if tax.kind == "excise" and code not in _EXEMPT_EXCISE:
            continue
        places = [(elements[k].strip().upper(), elements[k + 1].strip().upper()) for k in range(1, 11, 2)
                  if elements[k].strip()]
        if not places or ("SP", where) in places:
            return True
    return False


@dataclass(frozen=True, slots=True)
class Taxed:
    """What an 810 carries of its taxes: per line index, its TXI segments; the summary's; their total (TDS01)."""

    lines: dict[int, list[list[str]]]
    summary: list[list[str]]
    total: Decimal


def txi(tax: InvoiceTax, amount: Decimal, settings: InvoiceSettings, taxable: bool = True) -> list[str]:
    """TXI01 code, TXI02 amount (R), TXI03 rate (0 for a line the tax exempts), TXI09 registration (trailing
    empties dropped)."""
    rate = Decimal(0) if not taxable else tax.percent if settings.tax_percent == "percent" else tax.percent / 100
    seg = ["TXI", tax.code, x12_decimal(amount), x12_decimal(rate)]
    if tax.registration:
        seg += ["", "", "", "", "", tax.registration]
    return seg


def taxed(taxes: Sequence[InvoiceTax], settings: InvoiceSettings, extensions: Sequence[Decimal], *,
          charges: Decimal = Decimal(0), allowances: Decimal = Decimal(0),
          line_sacs: Mapping[int, Decimal] | None = None, classes: Sequence[str] = (),
          exempt: Sequence[str] = ()) -> Taxed:
    """The TXIs of one 810 of lines worth ``extensions`` (the module's rule): ``charges`` and ``allowances`` its
    heading SACs' (positive amounts), ``line_sacs`` per line index the net (charges less allowances) of the SACs on
    that line, ``classes`` per line its item's tax class ("" none: taxable; () every line none), ``exempt`` per line
    the taxes its PO1 loop exempts it from (TXI01 codes, a space between, TX every tax; "" none; () every line
    none): a line a tax's code (or TX) names there is not taxed by it."""
    line_sacs = line_sacs or {}
    lines: dict[int, list[list[str]]] = {}
    summary: list[list[str]] = []
    total = Decimal(0)
    zero = Decimal(0)
    for tax in taxes:
        taxable = [(not classes or classes[i] not in tax.exempt)
                   and not (exempt and {tax.code, "TX"} & set(exempt[i].split())) for i in range(len(extensions))]
        goods = [ext + line_sacs.get(i, zero) for i, ext in enumerate(extensions)]
        base = sum((g for g, t in zip(goods, taxable, strict=True) if t), zero)
        share = Decimal(1) if all(taxable) else (base / sum(goods, zero) if any(taxable) and sum(goods, zero) > 0
                                                  else zero)
        heading = {"goods": charges * share, "taxable": charges, "exempt": zero}[tax.charges] - allowances * share
        if settings.tax_at == "line":
            amount = zero
            for i, ext in enumerate(extensions):
                each = money(ext * tax.percent / 100) if taxable[i] else zero
                lines.setdefault(i, []).append(txi(tax, each, settings, taxable[i]))
                amount += each
            rest = sum((line_sacs.get(i, zero) for i, t in enumerate(taxable) if t), zero) + heading
            if rest:
                amount += money(rest * tax.percent / 100)
        else:
            amount = money((base + heading) * tax.percent / 100)
        summary.append(txi(tax, amount, settings))
        total += amount
    return Taxed(lines, summary, total)


__all__ = ["Places", "Taxed", "exempt", "region", "ship_to_places", "taxed", "taxes_for", "txi"]
