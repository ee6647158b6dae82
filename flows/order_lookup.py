"""Finding an order by what a buyer quotes on the phone or in an email, for the console's orders search and
`orderbridge status`: a PO number typed loosely ("PO# 4500-012345" for the 0004500012345 sent, "acme 1001"), one
of our invoice numbers with or without its prefix and zeros ("invoice 2" for INV0000002), a shipment's id (our
856's BSN02), its bill of lading or tracking number, a carton's or pallet's SSCC as printed ("(00) 0 0614141
000000001 2", the 20-digit barcode with its AI 00, the 18 digits) or the warehouse's carton label; a store (the
ship-to's N104, a shipped line's mark-for store, or a store the PO's SDQ breaks a line out to) typed "store 0009".
Reads the state store (its indexes: connectors.state.StateStore.quoted_documents and search_orders) and, for the
SDQ stores, the stored order-line tables' derived index (connectors.item_index.StoreIndex)."""

from __future__ import annotations

import re

# the words people put before the number they quote: "PO# ...", "P.O. No. ...", "invoice ...", "BOL: ...", ...
# (followed by a blank, "#", ":" or a dot: "PO-123" and "INV0000002" are numbers, not labels)
_LABEL = re.compile(r"^\s*(?:P\.?\s*O|PURCHASE\s+ORDER|ORDER|INVOICE|INV|BOL|B/L|BILL\s+OF\s+LADING|ASN|SHIPMENT|"
                    r"SHIP\s+ID|TRACKING(?:\s+NUMBER)?|PRO|SSCC|CARTON|PALLET|LABEL|STORE|SHIP\s*TO)\.?"
                    r"(?:\s*(?:#|NO\.?|NUMBER|NBR|ID)(?![A-Z0-9]))?(?:\s*[#:.]\s*|\s+)(?=\S)", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\-/.]+")


def unlabelled(text: str) -> str:
    """``text`` without the word naming what it is ("PO# 4500012345" -> "4500012345"); as given when it has none."""
    text = text.strip()
    m = _LABEL.match(text)
    return text[m.end():].strip() if m and text[m.end():].strip() else text


# the words before an item people quote: "UPC 012345678905", "item# 123-456", "GTIN: ...", "SKU# SKU-1001" (a bare
# "SKU " is kept: "sku 1001" may be how an item number is typed)
_ITEM_LABEL = re.compile(r"^\s*(?:(?:UPC|GTIN|EAN|ITEM|PART|STYLE)(?:\s*(?:#|NO\.?|NUMBER|NBR)(?![A-Z0-9]))?"
                         r"(?:\s*[#:.]\s*|\s+)|SKU\s*[#:]\s*)(?=\S)", re.IGNORECASE)


def item(text: str) -> str:
    """An item as typed without the word naming what it is ("UPC 012345678905" -> "012345678905")."""
    text = text.strip()
    m = _ITEM_LABEL.match(text)
    return text[m.end():].strip() if m else text


def loose(po: str) -> str:
    """A PO number as compared loosely (connectors.state._LOOSE_PO does the same to the stored ones): its label
    taken away, in capitals (ASCII), without blanks, hyphens, slashes, dots and leading zeros. "" when nothing is
    left."""
    text = unlabelled(po)
    capitals = "".join(ch.upper() if "a" <= ch <= "z" else ch for ch in text)
    return _SEPARATORS.sub("", capitals).lstrip("0")


def sscc(text: str) -> str:
    """The 18-digit SSCC in ``text`` as printed or scanned: blanks, hyphens and the brackets of the AI taken away,
    the AI (00) before it dropped (the GS1-128 barcode's 20 digits); "" when it is not 18 digits then."""
    digits = re.sub(r"[\s\-()]+", "", unlabelled(text))
    if len(digits) == 20 and digits.startswith("00"):
        digits = digits[2:]
    return digits if len(digits) == 18 and digits.isdigit() else ""


def invoice_numbers(text: str, prefixes: set[str]) -> list[str]:
    """Our invoice numbers ``text`` may be (each partner's [fulfilment.invoice] number_prefix + 7 digits): as typed
    in capitals, and each prefix with the number's digits ("inv 2", "0000002", "INV2" -> INV0000002)."""
    text = unlabelled(text).upper().replace(" ", "")
    out = [text]
    m = re.fullmatch(r"([A-Z0-9-]*?)-?(\d+)", text)
    if m and len(m.group(2).lstrip("0")) <= 7:
        number = int(m.group(2))
        out += [f"{p}{number:07d}" for p in sorted(prefixes) if not m.group(1) or m.group(1) == p]
    return list(dict.fromkeys(out))


def store_id(text: str) -> str:
    """A store as typed ("store 0009", "#9") as the search compares it: its label and leading zeros taken away."""
    return unlabelled(text).lstrip("#").strip().lstrip("0").upper()


def sdq_orders(ws, store, text: str, partner: str = "") -> list[tuple[str, str]]:
    """(partner, order key) of the orders whose PO's SDQ names the store ``text`` (store_id) on a line of its current
    revision (an 860 moving a store's units to another, or deleting its lines, names it no more; one adding it
    does), of ``partner`` when given: the orders of a store that nothing has shipped to yet, which the state store
    knows only by their N1*ST ship-to (a DC)."""
    from connectors.item_index import StoreIndex

    wanted = store_id(text)
    if not wanted:
        return []
    tables = StoreIndex(ws.orders_dir, ws.orders_dir.parent / "derived").tables_naming(wanted, partner)
    return [o.key for o in current_orders(store, tables, partner)]


def current_orders(store, tables, partner: str = "") -> list:
    """The orders (records, newest received first) of ``tables``' (partner, PO number, stored tables' key) rows
    whose current revision is in those tables (the key their record's ``lines_key`` names), every release of a PO
    held as several; of ``partner`` when given."""
    from schemas.order_keys import x12_po

    tables = set(tables)
    if not tables:
        return []
    wanted = {(p, po) for p, po, _ in tables}
    found = {o.key: o for p, po in sorted(wanted) for o in store.find_orders(po, p)}
    found |= {o.key: o for o in store.release_orders(partner or None) if (o.partner, x12_po(o.po_number)) in wanted}
    current = [o for o in found.values() if not o.lines_key or (o.partner, x12_po(o.po_number), o.lines_key) in tables]
    return sorted(current, key=lambda o: (o.received_at or "", o.partner, o.po_number), reverse=True)


def quoted(ws, store, text: str) -> list[tuple[str, str, str]]:
    """(partner, PO number, what named it) of the orders our documents name by ``text`` (an invoice number, a
    shipment id, bill of lading or tracking number, an SSCC or carton label: StateStore.quoted_documents)."""
    text = unlabelled(text)
    if not text:
        return []
    kept = text.replace(" ", "")
    return store.quoted_documents(invoices=invoice_numbers(text, _invoice_prefixes(ws)),
                                  shipments=[text, text.upper()],
                                  carrier_refs=list(dict.fromkeys((text, kept, kept.upper()))),
                                  ssccs=[s for s in (sscc(text),) if s], labels=[text],
                                  partners=sorted(f.stem for f in ws.partners_dir.glob("*.toml")))


def _invoice_prefixes(ws) -> set[str]:
    """Each partner's invoice number prefix ([fulfilment.invoice] number_prefix), the default's "INV" always: the
    profiles that load (a broken or missing one costs a search nothing but its own prefix)."""
    from schemas.errors import OrderBridgeError

    try:
        profiles, _broken = ws.partners_apart()
    except OrderBridgeError:
        return {"INV"}
    return {p.fulfilment.invoice.number_prefix for p in profiles.values()} | {"INV"}
