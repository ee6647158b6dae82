"""A small fixed workspace run through the flow for the finance tests (dashboard numbers worked out by
hand, the reports in a browser): ACME and INITECH only, the demo's first drop of each, ACME's 997 for
our 855s on night 2, shipments and an invoice our warehouse and ERP sent themselves (recorded), and a
reconciliation on 2026-12-15.

    night 1  2026-11-27 02:00  acme-po-01.x12: ACME-1000 (3 lines, 855 AD), ACME-1001 (11 lines, 855 AC:
                               lines 4 IQ 12 @ 9.39, 5 IP 48 @ 4.72, 6 IQ 5 @ 22.20, 10 IP 6 @ 5.81, the
                               rest IR with 8 error findings of 7 rules); initech-po-01.x12: INITECH-3000
                               (6 @ 12.39, 24 @ 3.47, 855 AD), INITECH-3001 (held: 3 error rules, no 855)
    night 2  2026-11-28 02:00  ACME's 997 accepts both its 855s (24 hours after they went out: on time);
                               INITECH answers nothing (its window: 48 hours)
    recorded                   S-1 left 2026-12-08 09:00 with all of ACME-1000, its 856 sent 09:20;
                               INV-1 (2026-12-09, sent 08:00) bills ACME-1000 in full at the 855's prices;
                               S-2 left 2026-12-12 10:00 with INITECH-3000 line 1 x 6, line 2 x 20 (of 24)
    night 3  2026-12-15 02:00  nothing new; the reconciliation as of then (run id "n3")
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from connectors.state import StateStore
from engine.envelope import Envelope, envelope_for, wrap
from flows.reconcile import reconcile_run, record_documents
from flows.workspace import Workspace, open_workspace
from schemas.profile import load_profiles
from tests.support import REPO, run_stages, seed_demo_data

NIGHT1, NIGHT2, NIGHT3 = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2), datetime(2026, 12, 15, 2)


def _ours(partner: str, name: str, folder: Path, functional_id: str, set_id: str, body: list, *, isa13: int,
          when: datetime) -> Path:
    env = envelope_for(load_profiles(REPO / "partners")[partner])
    path = folder / name
    path.write_bytes(wrap(env, functional_id, set_id, [body], isa13=isa13, gs06=isa13, st02s=[1], now=when))
    return path


def _theirs_997(ws: Workspace, partner: str, answers: list[tuple[str, str]], *, when: datetime) -> None:
    """The partner's 997 accepting our PR groups (GS06, ST02), dropped in its inbox."""
    x = ws.partners()[partner].x12
    env = Envelope(sender_qualifier=x.their_qualifier, sender_id=x.their_id, receiver_qualifier=x.our_qualifier,
                   receiver_id=x.our_id, gs_sender=x.their_gs_id, gs_receiver=x.our_gs_id, version=x.version,
                   usage=x.usage, delimiters=x.delimiters.to_delimiters())
    bodies = [[["AK1", "PR", gs06], ["AK2", "855", st02], ["AK5", "A"], ["AK9", "A", "1", "1", "1"]]
              for gs06, st02 in answers]
    (ws.drop_root / partner / "inbox" / f"{partner}-997.x12").write_bytes(
        wrap(env, "FA", "997", bodies, isa13=5001, gs06=5001, st02s=list(range(1, len(bodies) + 1)), now=when))


def _asn(shipment: str, left: datetime, items: list[tuple[str, str, int]]) -> list[list[str]]:
    body = [["BSN", "00", shipment, left.strftime("%Y%m%d"), left.strftime("%H%M")], ["HL", "1", "", "S"],
            ["DTM", "011", left.strftime("%Y%m%d"), left.strftime("%H%M")], ["HL", "2", "1", "O"], ["PRF", items[0][0]]]
    for k, (_po, line, qty) in enumerate(items, start=3):
        body += [["HL", str(k), "2", "I"], ["LIN", line], ["SN1", "", str(qty), "EA"]]
    return body


def small_workspace(root: Path) -> Workspace:
    """The workspace above, reconciled on night 3 (reports in reports/n3/finance/)."""
    ws = open_workspace(root)
    seed_demo_data(ws.root)  # profiles, reference data, inventory
    (ws.root / "partners" / "globex.toml").unlink()
    for pid, name in (("acme", "acme-po-01.x12"), ("initech", "initech-po-01.x12")):
        inbox = ws.drop_root / pid / "inbox"
        inbox.mkdir(parents=True)
        shutil.copy2(REPO / "sample_files" / "drops" / pid / name, inbox / name)
    run_stages(ws, NIGHT1)
    _reconcile(ws, NIGHT1, "n1")
    _theirs_997(ws, "acme", [("2", "0002"), ("3", "0003")], when=datetime(2026, 11, 27, 20))
    run_stages(ws, NIGHT2)
    _reconcile(ws, NIGHT2, "n2")
    folder = ws.root / "sent-elsewhere"
    folder.mkdir()
    sent = [("acme", _ours("acme", "s1.x12", folder, "SH", "856", _asn("S-1", datetime(2026, 12, 8, 9), [
        ("ACME-1000", "1", 10), ("ACME-1000", "2", 24), ("ACME-1000", "3", 5)]), isa13=700001,
        when=datetime(2026, 12, 8, 9, 20))),
        ("acme", _ours("acme", "inv1.x12", folder, "IN", "810", [
            ["BIG", "20261209", "INV-1", "", "ACME-1000"], ["REF", "SI", "S-1"],
            ["IT1", "1", "10", "EA", "19.70", "PE"], ["IT1", "2", "24", "EA", "39.20", "PE"],
            ["IT1", "3", "5", "EA", "4.56", "PE"], ["TDS", "115960"], ["CTT", "3"]], isa13=700002,
            when=datetime(2026, 12, 9, 8))),
        ("initech", _ours("initech", "s2.x12", folder, "SH", "856", _asn("S-2", datetime(2026, 12, 12, 10), [
            ("INITECH-3000", "1", 6), ("INITECH-3000", "2", 20)]), isa13=700003,
            when=datetime(2026, 12, 12, 10, 30)))]
    store = StateStore(ws.state_path)
    try:
        for partner, path in sent:
            read, added, findings = record_documents(store, path, partner=partner, by="test", note="",
                                                     at=datetime(2026, 12, 12, 12))
            assert read == added and not findings, (path, findings)
    finally:
        store.close()
    run_stages(ws, NIGHT3)
    _reconcile(ws, NIGHT3, "n3")
    return ws


def _reconcile(ws: Workspace, now: datetime, run_id: str) -> None:
    store = StateStore(ws.state_path)
    try:
        reconcile_run(ws, ws.partners(), store, now=now, run_id=run_id)
    finally:
        store.close()
