"""`orderbridge retake`: a file's content taken again, when ops ask, if its earlier take answered, sent
and changed nothing (a partner not yet onboarded or its profile wrong, a limit raised since, a shipment
confirmation held for a PO not yet taken in, reference data fixed). The file's `files` row moves to
file_takes with who asked, when and why (connectors.state.retake_file), and the next run (nightly, or the
shipments flow for a warehouse) takes its kept copy from the archive (connectors.kept), or a byte-identical
resend that arrives first: one take, whichever copy it is. Nothing answered or sent is ever answered or sent
again: a file whose take sent or changed anything is refused, with what it was.

No prefect here; what a file does is decided by the stages that take it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from connectors.base import FileDrop, FileInfo
from connectors.kept import KeptCopies
from connectors.local import LocalDrop
from connectors.state import StateStore
from engine import budgets
from flows.workspace import Workspace
from schemas.errors import ConnectorUnavailable, RequestRefused
from schemas.findings import Finding, finding
from schemas.parties import warehouse_party

TAKEN_AGAIN = "taken again, as asked"  # FILE_RETAKEN's consequence


class Refused(RequestRefused):
    """The file cannot be taken again (``message`` says why, and what to do instead); nothing was done."""


@dataclass(frozen=True, slots=True)
class Marked:
    """A file marked to be taken again: its earlier take (file_takes' row) and where the next run reads it."""

    key: str  # the `files` table's partner column (a partner's id, or warehouse:<id>)
    earlier: dict
    kept: str  # its kept copy, as the archive names it
    stage: str  # "the next run" or "the next shipments run"


def files_key(ws: Workspace, partner: str | None, warehouse: str | None) -> tuple[str, LocalDrop]:
    """The files key and the local drop (its archive) of ``partner`` or ``warehouse`` (exactly one of them)."""
    if bool(partner) == bool(warehouse):
        raise Refused("name the partner (--partner) or the warehouse (--warehouse) whose file it is, one of them")
    why = ws.partner_refusal(partner, then=": a run takes its files then") if partner else None
    if why:
        raise Refused(why)
    if warehouse and warehouse not in ws.warehouses():
        raise Refused(f"unknown warehouse {warehouse!r}")
    key, root = (partner, ws.drop_root / partner) if partner else (warehouse_party(warehouse),
                                                                   ws.warehouse_drop_root / warehouse)
    try:
        return key, LocalDrop(root, create=False)
    except ConnectorUnavailable:
        raise Refused(f"{root} does not exist: no file of it was ever taken") from None


def mark(ws: Workspace, state: StateStore, file: str, *, partner: str | None = None, warehouse: str | None = None,
         by: str, note: str, at: str) -> Marked:
    """Mark the file ``file`` (its name as received, or its sha256 or the start of it) of ``partner`` or
    ``warehouse`` to be taken again, as ``by`` asked at ``at`` (wall clock) for ``note``. Refused (nothing done)
    when no such file was recorded, when the name fits several contents, when its take is not finished, when it
    sent or changed anything (each thing named), when its kept copy is gone, or when it is still over the
    partner's [limits] max_file_bytes or (as its take counted) max_sets_per_file."""
    if not by.strip() or not note.strip():
        raise Refused("say who asks (--by) and why (--note): both are kept in the file's history")
    key, local = files_key(ws, partner, warehouse)
    who = partner or f"warehouse {warehouse}"
    found = state.files_named(key, file)
    if not found:
        raise Refused(f"{who} has no recorded file named {file!r} or with that sha256 (a file refused as "
                      "FILE_DUPLICATE is the earlier file's content: name that file, or its sha256)")
    if len({f["sha256"] for f in found}) > 1:
        listed = "; ".join(f"{f['sha256']} received {f['received_at']} ({f['status']})" for f in found)
        raise Refused(f"{who} has {len(found)} files named {file!r}: name one by its sha256 ({listed})")
    record = found[0]
    sha, name = record["sha256"], record["name"]
    if state.file_record(key, sha)["disposed_at"] is None:
        raise Refused(f"{name} is still being taken (its run has not moved it yet): run again first")
    did = state.what_file_did(key, sha)
    if did:
        shown = "; ".join(did[:10]) + (f"; and {len(did) - 10} more" if len(did) > 10 else "")
        raise Refused(f"{who}/{name} cannot be taken again: its take answered, sent or changed {shown}. Nothing is "
                      "answered or sent twice: " + ("ship a held shipment from a new export of it only"
                                                    if warehouse else
                                                    "held orders are `orderbridge recheck`ed; a correction needs a "
                                                    "new file from the partner (a new ISA13, BEG01 05 or an 860)"))
    kept = record["archive_path"] or ""
    if not kept or local.stat("archive", kept) is None:
        raise Refused(f"{name}'s kept copy archive/{kept} is gone: ask for the file again (or put the copy back)")
    if partner:
        limits = ws.runnable_partners()[partner].limits
        over = budgets.file_too_large(record["size"], limits, file=name)
        if over is not None:
            raise Refused(f"{over.message} Raise [limits] max_file_bytes in partners/{partner}.toml first")
        sets = [int(f["value"]) for f in state.findings(record["run_id"], partner) if f["code"] ==
                "FILE_TOO_MANY_SETS" and f["file"] == name and (f["value"] or "").isdigit()]
        over = budgets.too_many_sets(sets[0], limits, file=name) if sets else None
        if over is not None:  # the next run would quarantine it again, and a second retake be needed
            raise Refused(f"{over.message} Raise [limits] max_sets_per_file in partners/{partner}.toml first")
    earlier = state.retake_file(key, sha, by=by.strip(), note=note.strip(), at=at)
    if earlier is None:  # taken away meanwhile (the lease makes this a bug)
        raise Refused(f"{name} is no longer recorded")
    stage = (f"the next shipments run (`orderbridge ship`, or `orderbridge dropped {warehouse}` for a served "
             "deployment) or nightly run") if warehouse else "the next run"
    return Marked(key, earlier, kept, stage)


def kept_copies(state: StateStore, local: LocalDrop, key: str) -> KeptCopies:
    """The files of ``key`` marked to be taken again and not yet taken, as an inbox of their kept copies."""
    return KeptCopies(local, ((t["name"], t["archive_path"] or "") for t in state.takes_due(key)))


def with_kept(drop: FileDrop, kept: KeptCopies) -> Iterator[tuple[FileDrop, FileInfo]]:
    """Each file to take, with the drop to read it from: the kept copies due first, then the drop's inbox."""
    for info in kept.list("inbox"):
        yield kept, info
    for info in drop.list("inbox"):
        yield drop, info


def retaken(state: StateStore, key: str, sha256: str, name: str) -> list[Finding]:
    """FILE_RETAKEN for a file whose content is being taken again (its earlier take in file_takes), naming who
    asked, when and why, and what its earlier take did; [] for a file taken for the first time."""
    takes = state.file_takes(key, sha256)
    if not takes:
        return []
    t = takes[-1]
    return [finding("FILE_RETAKEN", f"{name} is taken again, as {t['asked_by']} asked at {t['asked_at']} "
                    f"({t['note']}); its take {t['take']} ({t['name']}, run {t['run_id']}, received "
                    f"{t['received_at']}) left it {t['status']} with {t['error_count'] or 0} error finding(s) "
                    "and sent nothing.", file=name, value=sha256)]


def duplicate_hint(state: StateStore, key: str, sha256: str, command: str) -> str:
    """What a FILE_DUPLICATE's message adds: how to take the content again when its take sent nothing."""
    if state.what_file_did(key, sha256):
        return ""
    return (f" Its earlier take sent nothing: `{command} --by NAME --note WHY` takes it again once its cause is "
            "fixed.")
