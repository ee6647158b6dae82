"""Which orders name an item as the customer knows it: the buyer's own item number (PO1 BP/IN/PI/CB), the UPC, GTIN
or EAN the PO sent, the vendor part it quoted (VN), any qualifier/id pair of its lines as sent. The state
store's order lines keep only our SKU; the stored order-line tables (connectors.order_store) keep what the PO
sent. Read whole, they would cost a read of every night's files per search: their ids are kept instead in one
derived table under <workspace>/state/derived/ that each search brings up to date by reading only the stored
tables written since (a table is written once, under its own name, and never changed).

  <derived>/item-ids-v1.arrow   partner, po_number, item (its id as matched: see ``item_keys``), file; its
                                schema's metadata lists the stored tables it holds (file, size, mtime_ns), so
                                that one rename replaces both (two searches at once keep either's, whole), and
                                the keys' version (KEYS: an index of other keys is read again)
  <derived>/store-ids-v1.arrow  the same of the stores each line's SDQ names (StoreIndex: a DC order broken out by
                                store is found by the store before anything ships to it; the store as the store
                                search compares it: ``store_key``)

Derived data: deleting it costs one read of the stored tables. Parses and decides nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from connectors.document_rows import read_arrow, write_arrow  # one Arrow file, written by a rename
from schemas.reference import NDC_QUALIFIERS, ndc_10s, ndc_11, ndc_gtin, upc_readings

VERSION = 1
# the keys' own version, kept in the index's metadata: an index of other keys is read again whole (its file name,
# which console pages and docs name, stays that of the layout). 2: ids in other forms (item_keys); 3: an 8-digit UP
# that is a valid EAN-8 and a valid UPC-E found by the UPC-A too
KEYS = "3"
ITEM_IDS = pa.schema([pa.field("partner", pa.string()), pa.field("po_number", pa.string()),
                      pa.field("item", pa.string()), pa.field("file", pa.string())])
_ID_COLUMNS = ("upc", "gtin", "ean", "vendor_part", "buyer_part")  # schemas.orders.PRODUCT_FIELDS, as read


def item_key(text: str) -> str:
    """An item id as it is matched: trimmed, in capitals, without blanks and hyphens (an NSN quoted 5305-01-234-5678
    is sent 5305012345678, a buyer's number AB-1234 as ab 1234); a number without its leading zeros (a UPC-A quoted as
    12 digits is sent as a 14-digit GTIN, UK 00614141100101, and a spreadsheet drops them)."""
    key = "".join(text.upper().replace("-", " ").split())
    return (key.lstrip("0") or "0") if key.isdigit() else key


def item_keys(qualifier: str | None, text: str | None) -> set[str]:
    """The keys an id a PO sent under ``qualifier`` is found by: its own (item_key), and for a U.P.C. sent in another
    form than the UPC-A (UP: a UPC-E, an EAN-8 that is a valid UPC-E too, 11 digits) the UPC-A's it stands for, for an
    NDC (ND, N1..N4) its 11-digit form, its 10-digit readings and their drugs' U.P.C.s (schemas.reference:
    upc_readings, ndc_11, ndc_10s, ndc_gtin), so that the number a customer quotes finds the order whichever form its
    PO sent."""
    if not text or not item_key(text):
        return set()
    keys = {item_key(text)}
    q = (qualifier or "").strip().upper()
    if q == "UP":  # (an 8-digit valid EAN-8 that is a valid UPC-E too: either; a valid UPC-A has no readings)
        keys |= {item_key(gtin) for gtin, _how in upc_readings(text)}
    if q in NDC_QUALIFIERS:
        eleven = ndc_11(text, q)
        keys |= {item_key(k) for k in (eleven, *(ndc_10s(text, q)), *(ndc_gtin(n) for n in ndc_10s(text, q))) if k}
    return keys


def stored_key(file: str) -> str:
    """The order_store key of a stored lines table named as the index keeps it ('<partner>/<key>.lines.parquet',
    or '.lines.partNNNNNN.parquet' for a piece)."""
    return file.split("/", 1)[-1].rsplit(".lines.", 1)[0]


def store_key(text: str) -> str:
    """A store as the store search compares it (connectors.state's orders_ship_to index: UPPER(LTRIM(id, '0'))): in
    capitals (ASCII), without its leading zeros."""
    return "".join(ch.upper() if "a" <= ch <= "z" else ch for ch in text).lstrip("0")


class ItemIndex:
    """The item ids of the stored order-line tables under ``orders_dir`` (one folder per partner), kept in
    ``derived``."""

    NAME, KEYS = "item-ids", KEYS  # its file's name and the version of its keys (kept in its metadata)

    def __init__(self, orders_dir: Path | str, derived: Path | str) -> None:
        self.orders_dir = Path(orders_dir)
        self.path = Path(derived) / f"{self.NAME}-v{VERSION}.arrow"

    def key(self, text: str) -> str:
        """``text`` as the index keeps it."""
        return item_key(text)

    def orders_naming(self, item: str, partner: str = "") -> list[tuple[str, str]]:
        """(partner, PO number) of every order a line of which named ``item`` (any id the PO sent for it), of
        ``partner`` only when given; sorted."""
        return sorted({(p, po) for p, po, _ in self.tables_naming(item, partner)})

    def tables_naming(self, item: str, partner: str = "") -> list[tuple[str, str, str]]:
        """(partner, PO number, key of the stored tables: connectors.order_store) of every stored lines table a
        line of which named ``item`` for that order, of ``partner`` only when given; sorted. An order's current
        revision is the one its record's ``lines_key`` names (an 860's revision leaves a deleted line out)."""
        key = self.key(item)
        if not key:
            return []
        table = self.table()
        mask = pc.equal(table["item"], key)
        if partner:
            mask = pc.and_(mask, pc.equal(table["partner"], partner))
        found = table.filter(mask)
        return sorted({(p, po, stored_key(f)) for p, po, f in zip(
            found["partner"].to_pylist(), found["po_number"].to_pylist(), found["file"].to_pylist(), strict=True)})

    def table(self) -> pa.Table:
        """The index, brought up to date: the rows of stored tables gone are dropped, those written since added
        (and kept when the folder can be written to)."""
        stored = self._stored()
        kept, known = self._kept()
        same = {f for f, sig in stored.items() if known.get(f) == sig}
        if len(same) == len(stored) == len(known):
            return kept
        if len(same) < len(known):
            kept = kept.filter(pc.is_in(kept["file"], pa.array(sorted(same), pa.string())))
        table = pa.concat_tables([kept, *(self._ids(f) for f in sorted(stored) if f not in same)])
        self._keep(table, stored)
        return table

    def _stored(self) -> dict[str, list[int]]:
        """Every stored order-line table ('<partner>/<name>') with its size and modification time."""
        out = {}
        try:
            partners = sorted(e.name for e in os.scandir(self.orders_dir) if e.is_dir(follow_symlinks=False))
        except (FileNotFoundError, NotADirectoryError):
            return out
        for partner in partners:
            with os.scandir(self.orders_dir / partner) as it:
                for e in it:
                    if e.name.startswith(".") or ".lines." not in e.name or not e.name.endswith(".parquet"):
                        continue
                    st = e.stat(follow_symlinks=False)
                    out[f"{partner}/{e.name}"] = [st.st_size, st.st_mtime_ns]
        return out

    def _kept(self) -> tuple[pa.Table, dict[str, list[int]]]:
        """The index as kept (without its metadata), and the stored tables it holds; empty when there is none,
        or it is unreadable or of another layout."""
        try:
            table = read_arrow(self.path)
            files = json.loads((table.schema.metadata or {}).get(b"files", b"{}"))
        except (OSError, pa.ArrowInvalid, ValueError):
            return ITEM_IDS.empty_table(), {}
        if not table.schema.remove_metadata().equals(ITEM_IDS) or not isinstance(files, dict) or \
                (table.schema.metadata or {}).get(b"keys") != self.KEYS.encode():
            return ITEM_IDS.empty_table(), {}
        return table.replace_schema_metadata(None), files

    def _ids(self, file: str) -> pa.Table:
        """The (partner, PO number, item) rows of one stored lines table: each id column and each qualifier/id
        pair as sent, once per order and id."""
        try:
            with pq.ParquetFile(self.orders_dir / file) as f:
                have = set(f.schema_arrow.names)
                lines = f.read(columns=[c for c in ("partner", "po_number", *_ID_COLUMNS, "product_ids")
                                        if c in have], use_threads=False)
        except (OSError, pa.ArrowInvalid):
            return ITEM_IDS.empty_table()  # being replaced, or unreadable: the next search reads it again
        rows: set[tuple[str, str, str]] = set()
        columns = [lines[c].to_pylist() for c in _ID_COLUMNS if c in lines.column_names]
        pairs = lines["product_ids"].to_pylist() if "product_ids" in lines.column_names else [None] * lines.num_rows
        for i, (partner, po) in enumerate(zip(lines["partner"].to_pylist(), lines["po_number"].to_pylist(),
                                              strict=True)):
            ids = [(None, c[i]) for c in columns] + [(p.get("qualifier"), p.get("id")) for p in pairs[i] or ()]
            rows.update((partner, po, k) for q, v in ids for k in item_keys(q, v))
        ordered = sorted(rows)
        return pa.table({"partner": [r[0] for r in ordered], "po_number": [r[1] for r in ordered],
                         "item": [r[2] for r in ordered], "file": [file] * len(ordered)}, schema=ITEM_IDS)

    def _keep(self, table: pa.Table, stored: dict[str, list[int]]) -> None:
        """The index written with the stored tables it holds; a folder that cannot be written to (a read-only
        copy of a workspace) keeps nothing."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_arrow(self.path, table.replace_schema_metadata({"files": json.dumps(stored, sort_keys=True),
                                                                  "keys": self.KEYS}))
        except OSError:
            return


class StoreIndex(ItemIndex):
    """The stores the SDQs of the stored order-line tables name (a line's store_quantities: a DC order broken out by
    store), kept as ItemIndex keeps items (its ``item`` column holds the store: ``store_key``). A store a line's split
    gives none of (an 860's SDQ moving every unit away: quantity 0) is not named by it."""

    NAME, KEYS = "store-ids", "1"

    def key(self, text: str) -> str:
        return store_key(text.strip())

    def _ids(self, file: str) -> pa.Table:
        """The (partner, PO number, store) rows of one stored lines table, once per order and store."""
        try:
            with pq.ParquetFile(self.orders_dir / file) as f:
                if "store_quantities" not in f.schema_arrow.names:
                    return ITEM_IDS.empty_table()  # stored before SDQs were kept
                lines = f.read(columns=["partner", "po_number", "store_quantities"], use_threads=False)
        except (OSError, pa.ArrowInvalid):
            return ITEM_IDS.empty_table()
        rows = sorted({(partner, po, self.key(s["store"])) for partner, po, split in zip(
            lines["partner"].to_pylist(), lines["po_number"].to_pylist(), lines["store_quantities"].to_pylist(),
            strict=True) for s in split or () if s.get("store") and self.key(s["store"]) and s.get("quantity") != 0})
        return pa.table({"partner": [r[0] for r in rows], "po_number": [r[1] for r in rows],
                         "item": [r[2] for r in rows], "file": [file] * len(rows)}, schema=ITEM_IDS)
