"""Who a stored finding (or input file) belongs to, beyond a partner id: plain text, no imports, so that
light modules (the console, the finance store, the status fast path) can name it."""

from __future__ import annotations

# A finding about a warehouse's confirmation that concerns no partner's order we hold (a PO we do not
# know, a file that cannot be read, a duplicate, a refused inbox entry) is stored under the warehouse's
# party, "warehouse:<id>" (never a partner id: those have no colon), and shown as "warehouse <id>".
WAREHOUSE_PARTY = "warehouse:"


def warehouse_party(warehouse_id: str) -> str:
    """The findings' (and the `files` table's) partner column for what concerns warehouse ``warehouse_id``."""
    return f"{WAREHOUSE_PARTY}{warehouse_id}"


def party_label(partner: str) -> str:
    """A findings' partner as ops read it: a partner id as it is, "warehouse east" for a warehouse's
    party, "(no partner)" for none."""
    if partner.startswith(WAREHOUSE_PARTY):
        return f"warehouse {partner[len(WAREHOUSE_PARTY):]}"
    return partner or "(no partner)"
