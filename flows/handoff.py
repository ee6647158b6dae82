"""Keeping what partners send that we do not process (engine.process.Outcome's ``remittance`` and ``handoff``):

    <workspace>/handoff/<partner>/<partner>_<set>_<sender>_<ISA13>_<GS06>_<ST02>.x12
        each kept set alone in its own envelope (parsers.other_sets.as_received), for ops and the ERP to pick up;
        written once: a file taken again (a rerun, a retake) finds it there and leaves it (the ERP may have
        read, moved or deleted it: it is never written twice); a different set under the same numbers (a partner
        reusing them) gets the set's own sha256 prefix added to its name
    <workspace>/state/remittance/<partner>/<file sha256>-<piece>.parquet (+ .json)
        the 820s' and 812s' REMITTANCE rows of a file (or one piece of it), for the reconciliation (Parquet) and for
        `orderbridge status` (the JSON beside it: status loads no pyarrow); a file taken again writes the same
        names, and the reconciliation reads each set's rows once (engine.remittance.once)

Written before the file's intake commits, as its 864 text messages are (flows.text_messages). Files only: no
state-store table.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path

from connectors import durable
from schemas.handoff import HANDOFF_FOLDER

REMITTANCE = ("state", "remittance")
# what `status` reads of each remittance row (the JSON beside the Parquet)
_STATUS_COLUMNS = ("set_id", "reference_qualifier", "reference", "invoice_number", "po_number", "paid",
                   "invoice_amount", "discount", "adjustment", "reasons", "payment_total", "payment_method",
                   "payment_date", "trace", "source_file", "isa13", "gs06", "st02", "received_at")


def handoff_dir(root: Path) -> Path:
    return root / HANDOFF_FOLDER


def remittance_dir(root: Path) -> Path:
    return root.joinpath(*REMITTANCE)


def hand_off(root: Path, partner: str, sets: list[tuple[str, bytes]]) -> list[Path]:
    """Write each of ``sets`` ((name, bytes): parsers.other_sets.handed_off) under handoff/<partner>/ unless it is
    there already; the paths written (none on a rerun)."""
    written: list[Path] = []
    if not sets:
        return written
    (handoff_dir(root) / partner).mkdir(parents=True, exist_ok=True)
    for name, data in sets:
        path = where(root, partner, name, data)
        if path.exists():
            continue  # handed off already (a rerun, a file taken again)
        durable.write_bytes(path, data)  # whole or not at all: a file there is never written again
        written.append(path)
    return written


def where(root: Path, partner: str, name: str, data: bytes) -> Path:
    """Where set ``data`` named ``name`` is (or is to be) handed off: handoff/<partner>/<name>, unless a different set
    has that name already (a partner reusing its numbers): then the name with the set's sha256 prefix added."""
    path = handoff_dir(root) / partner / name
    if not path.exists() or path.read_bytes() == data:
        return path
    return path.with_name(f"{path.stem}_{hashlib.sha256(data).hexdigest()[:12]}{path.suffix}")


def as_handed_off(root: Path, partner: str, sets: list[tuple[str, bytes]], kept: list, findings: list) -> list:
    """``findings`` with each SET_RECEIVED_NOT_PROCESSED naming the file its set is handed off as (``where``): the
    engine names handoff/<partner>/<name> (``kept``: parsers.other_sets.Kept of each of ``sets``, in their order); a
    set whose name another set had first is handed off under its own, and its finding, found by its location, is
    made again naming it (parsers.other_sets.kept_finding)."""
    from parsers.other_sets import kept_finding

    moved = {k.where: path.name for (name, data), k in zip(sets, kept, strict=True)
             if (path := where(root, partner, name, data)).name != name}
    if not moved:
        return findings
    out = []
    for f in findings:
        loc = f.location
        if f.code == "SET_RECEIVED_NOT_PROCESSED" and (at := (loc.file, loc.isa13, loc.gs06, loc.st02)) in moved:
            f = kept_finding(next(k for k in kept if k.where == at), partner, moved[at])
        out.append(f)
    return out


def keep_remittance(root: Path, partner: str, sha256: str, remittance, *, part: int = 0) -> Path | None:
    """Write ``remittance`` (REMITTANCE rows of one file or piece) as Parquet, and the columns `status` reads as
    JSON beside it, named by the file's sha256 and piece (a file taken again writes the same names)."""
    if not remittance.num_rows:
        return None
    from schemas.remittance import REMITTANCE as SCHEMA

    into = remittance_dir(root) / partner
    into.mkdir(parents=True, exist_ok=True)
    path = durable.write_table(into / f"{sha256[:32]}-{part}.parquet", remittance, SCHEMA)
    rows = remittance.select(list(_STATUS_COLUMNS)).to_pylist()  # per 820 RMR / 812: the status index
    durable.write_bytes(path.with_suffix(".json"), json.dumps(rows, default=str, sort_keys=True).encode())
    return path


def remittance_kept(root: Path, partner: str, sha256: str) -> bool:
    """Whether state/remittance holds rows of the file ``sha256`` (any piece): a rebuild keeps them only if not."""
    folder = remittance_dir(root) / partner
    return folder.is_dir() and any(folder.glob(f"{sha256[:32]}-*.parquet"))


def remittances(root: Path, partners=None):
    """Every REMITTANCE row kept (of ``partners`` when given), in the order the files were kept: for the
    reconciliation (engine.remittance.match_remittance reads each set's rows once)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from schemas.remittance import REMITTANCE as SCHEMA

    base = remittance_dir(root)
    folders = sorted(p for p in base.iterdir() if p.is_dir()) if base.is_dir() else []
    tables = [pq.read_table(f, schema=SCHEMA) for d in folders if partners is None or d.name in partners
              for f in sorted(d.glob("*.parquet"))]
    if not tables:
        return SCHEMA.empty_table()
    t = pa.concat_tables(tables)
    return t.sort_by([("received_at", "ascending"), ("source_file", "ascending"), ("isa13", "ascending"),
                      ("gs06", "ascending"), ("st02", "ascending"), ("segment_position", "ascending")])


def naming(root: Path, partner: str, po_number: str, invoice_numbers) -> list[dict]:
    """The partner's 820 RMRs and 812s naming ``po_number`` or one of ``invoice_numbers`` (`orderbridge status`),
    each once, as received: {"set_id", "invoice_number", "reference", "paid", ..., "file", "isa13", "gs06",
    "st02"}. Read from the JSON beside each kept Parquet (no pyarrow)."""
    invoices = {i for i in invoice_numbers if i}
    folder = remittance_dir(root) / partner
    out: dict[tuple, dict] = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # being written: the next status reads it
            continue
        for r in rows:
            if r.get("po_number") == po_number or r.get("invoice_number") in invoices:
                out.setdefault((r.get("isa13"), r.get("gs06"), r.get("st02"), r.get("reference")), r)
    return sorted(out.values(), key=lambda r: (r.get("received_at") or "", r.get("source_file") or "",
                                               r.get("st02") or ""))


def paying(root: Path, order, doc: dict) -> list[dict]:
    """The partner's 820 RMRs and 812s paying or adjusting ``order`` (an OrderRecord) or the invoices of its story
    ``doc`` (flows.status.story), each with its line in words ("said"): `orderbridge status` and the console's
    order page show the same."""
    found = naming(root, order.partner, order.po_number, [v.get("invoice_number") for v in doc.get("invoices", [])])
    return [{**r, "said": said(r)} for r in found]


def said(r: dict) -> str:
    """A remittance row in words, as status prints it."""
    where = f"ISA13 {r.get('isa13')} GS06 {r.get('gs06')} ST02 {r.get('st02')}, file {r.get('source_file')}"
    if r.get("set_id") == "820":
        of = f" of {_money(r['invoice_amount'])}" if r.get("invoice_amount") is not None else ""
        less = "".join(f", {w} {_money(r[k])}" for k, w in (("discount", "discount"), ("adjustment", "adjusted"))
                       if r.get(k) is not None)
        why = f" (reasons {r['reasons']})" if r.get("reasons") else ""
        return (f"820 trace {r.get('trace') or '?'} paid {_money(r.get('paid'))}{of} for {r.get('reference_qualifier')}"
                f" {r.get('reference')}{less}{why} on {r.get('payment_date') or '?'} ({where})")
    why = f" (reasons {r['reasons']})" if r.get("reasons") else ""
    return (f"812 {r.get('payment_method') or 'adjustment'} {r.get('reference') or '?'} of "
            f"{_money(r.get('payment_total'))} against invoice {r.get('invoice_number') or '?'}{why} on "
            f"{r.get('payment_date') or '?'} ({where})")


def _money(v) -> str:
    if v is None:
        return "?"
    return f"{Decimal(str(v)):,.2f}"
