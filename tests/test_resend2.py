"""What the first resend round left (docs: README "Sending a document again"): `state rebuild` knows a renumbered
resend still in an outbox for what it is; a re-enveloped copy is dated when it is prepared (ISA09/ISA10, GS04/GS05
from the command's clock, the sets' own dates as sent); a rejected renumbered resend is superseded by a corrected
810 the partner accepts; `--document 856:`/`810:` find their document by an index."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime

from typer.testing import CliRunner

from connectors.local import LocalDrop
from connectors.state import StateStore
from engine.resend import renumbered, sets_of
from flows import documents, steps
from flows.cli import app
from flows.reconcile import reconcile_run, record_documents
from tests.support import rebuilt_store
from tests.test_finance_flow import partner_997
from tests.test_resend import ACME_810, outbox, resend, stored, ws  # noqa: F401 (ws: the shipping demo's fixture)

ACME_RESENT = "acme-810-000000013.x12"  # ACME_810 under ISA13 13, GS06 12


def _rows(root, sql: str) -> set:
    db = sqlite3.connect(root / "state" / "orderbridge.sqlite")
    try:
        return set(db.execute(sql).fetchall())
    finally:
        db.close()


def test_rebuild_records_a_renumbered_resend_in_the_outbox_as_the_resend_it_was(ws, tmp_path):  # noqa: F811
    """The original 810 and its renumbered copy both in acme's outbox: the rebuilt store holds one 810 document and
    one resend of it, as the night and `orderbridge resend` left the store; its lines are recorded once."""
    done = resend(ws, "--isa", "8", "--new-control-numbers", note="their translator dropped ISA13 8")
    assert done.exit_code == 0, done.output
    assert (outbox(ws) / ACME_810).is_file() and (outbox(ws) / ACME_RESENT).is_file()
    kept, lost = ws.root, tmp_path / "lost"
    assert "1 outbox file(s) hold documents sent again" in rebuilt_store(lost, copy_of=kept)
    docs = "SELECT partner, doc_type, file_name, isa13, gs06, content, status FROM documents WHERE partner='acme'"
    assert _rows(lost, docs) == _rows(kept, docs)
    assert ACME_RESENT not in {r[2] for r in _rows(lost, docs)}
    resends = ("SELECT r.partner, d.file_name, r.doc_type, r.renumbered, r.file_name, r.folder, r.isa13, r.gs06,"
               " r.st02s, r.content, r.status FROM resends r JOIN documents d ON d.id = r.document_id")
    assert _rows(lost, resends) == _rows(kept, resends) == {
        ("acme", ACME_810, "810", 1, ACME_RESENT, "outbox", "000000013", "12", "0007",
         (outbox(ws) / ACME_RESENT).read_bytes(), "delivered")}
    numbers = "SELECT partner, kind, last FROM control_numbers WHERE partner='acme'"
    assert _rows(lost, numbers) == _rows(kept, numbers)
    # the 810 made again as the store's invoice once, from its first file (its lines no longer recorded for the
    # reconciliation beside it; the renumbered copy neither an invoice nor recorded lines)
    invoices = "SELECT invoice_number, po_number, shipment_id, total FROM invoices WHERE partner='acme'"
    assert _rows(lost, invoices) == _rows(kept, invoices) and len(_rows(lost, invoices)) == 2  # (night 2: SHP-1004)
    recorded = _rows(lost, "SELECT file, COUNT(*) FROM recorded_lines WHERE partner='acme' GROUP BY file")
    assert ACME_810 not in {f for f, _ in recorded} and ACME_RESENT not in {f for f, _ in recorded}


def test_a_renumbered_copy_is_dated_by_the_resends_clock_its_sets_as_sent(ws, tmp_path):  # noqa: F811
    """X12 dates an interchange and a group when they are prepared (ISA09/ISA10, GS04/GS05): the new envelope
    carries the resend's --now; the 810's own dates (BIG01, BIG03) and every byte between GS and GE stay as sent;
    the same document, numbers and clock give the same bytes. A byte-for-byte resend is the first interchange
    itself: its dates as they were."""
    twin = tmp_path / "twin"
    shutil.copytree(ws.root, twin, symlinks=True)
    old = stored(ws, ACME_810)
    assert b"*261127*1430*" in old and b"GS*IN*ORDERBRIDGE*ACMERETAIL*20261127*1430*7*" in old
    for root in (ws.root, twin):
        done = CliRunner().invoke(app, ["resend", "--partner", "acme", "--isa", "8", "--new-control-numbers", "--now",
                                        "2026-12-01T09:30:00", "--by", "Ann", "--note", "dropped", "-w", str(root)])
        assert done.exit_code == 0, done.output
    new = (outbox(ws) / ACME_RESENT).read_bytes()
    assert new == (twin / "drop" / "acme" / "outbox" / ACME_RESENT).read_bytes()  # deterministic from the clock
    isa, gs = new.split(b"~")[0].split(b"*"), new.split(b"~")[1].strip().split(b"*")
    assert (isa[9], isa[10], isa[13]) == (b"261201", b"0930", b"000000013")
    assert (gs[4], gs[5], gs[6]) == (b"20261201", b"0930", b"12")
    assert sets_of(new) == sets_of(old) and b"BIG*20261127*INV0000002*20261126*ACME-1001" in sets_of(new)
    assert new == renumbered(old, isa13=13, gs06=12, at=datetime(2026, 12, 1, 9, 30))
    # byte for byte: the kept copy as it was sent, dates and all
    (outbox(ws) / ACME_810).unlink()
    plain = resend(ws, "--isa", "8", "--now", "2026-12-02T08:00:00")
    assert plain.exit_code == 0, plain.output
    assert (outbox(ws) / ACME_810).read_bytes() == old
    bad = resend(ws, "--isa", "8", "--now", "yesterday")
    assert bad.exit_code == 2 and "--now must be an ISO date-time" in " ".join(bad.output.split())


def test_renumbered_dates_the_envelope_in_the_widths_the_copy_used():
    early = (b"ISA*00*          *00*          *ZZ*A              *ZZ*B              *990101*0000*U*00300*000000002"
             b"*0*P*>~GS*FA*A*B*990101*000000*5*X*003020~ST*997*0001~AK1*PO*1~AK9*A*1*1*1~SE*4*0001~GE*1*5~"
             b"IEA*1*000000002~")
    at = datetime(2026, 12, 1, 9, 30, 15, 250_000)
    out = renumbered(early, isa13=3, gs06=6, at=at)
    assert b"*261201*0930*U*00300*000000003*" in out and b"GS*FA*A*B*261201*09301525*6*X*003020~" not in out
    assert b"GS*FA*A*B*261201*093015*6*X*003020~" in out  # YYMMDD and HHMMSS, as the copy had them
    assert sets_of(out) == sets_of(early) == b"ST*997*0001~AK1*PO*1~AK9*A*1*1*1~SE*4*0001~"
    ta1 = (b"ISA*00*          *00*          *ZZ*A              *ZZ*B              *261127*0200*U*00401*000000002"
           b"*0*P*>~TA1*000000007*261127*0200*A*000~IEA*0*000000002~")
    dated = renumbered(ta1, isa13=42, gs06=0, at=at)
    assert dated == ta1.replace(b"000000002", b"000000042").replace(b"*261127*0200*U", b"*261201*0930*U")
    assert b"TA1*000000007*261127*0200*A*000~" in dated  # the interchange it answers, as it was
    assert renumbered(ta1, isa13=42, gs06=0) == ta1.replace(b"000000002", b"000000042")  # no clock: no new date


def _997(ws, gs06: str, verdict: str, name: str, isa13: int) -> None:  # noqa: F811
    ak = [["AK1", "IN", gs06], ["AK2", "810", "0007"]]
    ak += [["AK3", "IT1", "6", "", "8"], ["AK4", "1", "358", "7"], ["AK5", "R", "5"], ["AK9", "R", "1", "1", "0"]] \
        if verdict == "R" else [["AK5", "A"], ["AK9", "A", "1", "1", "1"]]
    partner_997(ws, "acme", [ak], name=name, isa13=isa13)


def _night(ws, now: datetime, run_id: str) -> list[dict]:  # noqa: F811
    """The partner's 997s taken in and the reconciliation run: ACME-1001's DOCUMENT_REJECTED exceptions, open."""
    state = StateStore(ws.state_path)
    try:
        steps.intake_partner(ws, ws.partners()["acme"], state, LocalDrop(ws.drop_root / "acme"), now=now,
                             run_id=run_id)
        reconcile_run(ws, ws.partners(), state, now=now, run_id=run_id)
    finally:
        state.close()
    shown = CliRunner().invoke(app, ["exceptions", "--po", "ACME-1001", "--all", "--json", "-w", str(ws.root)])
    assert shown.exit_code == 0, shown.output
    return [e for e in json.loads(shown.output) if e["type"] == "DOCUMENT_REJECTED"]


def test_a_rejected_renumbered_resend_is_superseded_by_the_corrected_810_the_partner_accepts(ws, tmp_path):  # noqa: F811
    """INV0000002 sent again under ISA13 13 / GS06 12, and ACME's 997 rejects that group: DOCUMENT_REJECTED. The
    corrected 810 for the same shipment (SHP-1001) goes from the ERP (`orderbridge record`) and ACME accepts it: the
    next reconciliation clears the rejection, saying the corrected 810 superseded it. The check read the shipments
    our 810 billed under its first envelope's numbers (GS06 7) and so did not see the resend's."""
    (outbox(ws) / ACME_810).unlink()
    done = resend(ws, "--isa", "8", "--new-control-numbers", "--now", "2026-11-29T09:00:00")
    assert done.exit_code == 0, done.output
    _997(ws, "12", "R", "acme-997-rejects-resend.x12", 8101)
    [rejected] = _night(ws, datetime(2026, 11, 30, 2), "n4")
    assert (rejected["document_ref"], rejected["active"]) == ("INV0000002", True)
    corrected = renumbered(stored(ws, ACME_810).replace(b"*INV0000002*", b"*INV0000002C*"), isa13=900001,
                           gs06=900001, at=datetime(2026, 11, 30, 9))
    path = tmp_path / "corrected-810.x12"
    path.write_bytes(corrected)
    state = StateStore(ws.state_path)
    try:
        read, added, findings = record_documents(state, path, partner="acme", by="ar.clerk", note="corrected",
                                                 at=datetime(2026, 11, 30, 9))
    finally:
        state.close()
    assert added and not [f for f in findings if f.severity == "error"], findings
    _997(ws, "900001", "A", "acme-997-accepts-corrected.x12", 8102)
    [cleared] = _night(ws, datetime(2026, 12, 1, 2), "n5")
    assert (cleared["document_ref"], cleared["active"], cleared["state"]) == ("INV0000002", False, "resolved")
    assert cleared["state_note"].startswith("superseded: the partner accepted our later 810 INV0000002C"), cleared
    assert cleared["state_note"].endswith("for the same shipment SHP-1001"), cleared


def test_document_finds_its_856_and_810_by_an_index_not_by_reading_them_all(ws, monkeypatch):  # noqa: F811
    """`--document 856:SHIPMENT_ID` and `810:INVOICE_NUMBER` look the one document up (shipments by (partner,
    shipment_id): index shipments_shipment; invoices by their key): they used to read every shipment of every
    partner, or every invoice of the partner."""

    def every(*args, **kwargs):
        raise AssertionError("read every shipment or invoice to find one")

    monkeypatch.setattr(StateStore, "shipments", every)
    monkeypatch.setattr(StateStore, "invoices", every)
    for named, file in (("856:SHP-1001", "acme-856-000000007.x12"), ("810:INV0000002", ACME_810)):
        done = resend(ws, "--document", named, "--dry-run")
        assert done.exit_code == 0, done.output
        assert f"Would send {named[:3]} {file}" in " ".join(done.output.split())
    for unknown in ("856:SHP-9999", "810:INV9999999"):
        none = resend(ws, "--document", unknown, "--dry-run")
        assert none.exit_code == 2 and "no document" in " ".join(none.output.split())
    db = sqlite3.connect(ws.state_path)
    try:
        plan = db.execute("EXPLAIN QUERY PLAN SELECT asn_doc_key FROM shipments WHERE partner=? AND shipment_id=?"
                          " ORDER BY warehouse", ("acme", "SHP-1001")).fetchall()
    finally:
        db.close()
    assert "shipments_shipment" in str(plan), plan


def test_a_version_27_store_gets_the_shipment_lookup_index(store_target):
    """On both back ends: a store at RESENDS (27) is migrated to RESEND_LOOKUPS with shipments_shipment."""
    from connectors.state_migrations import LATEST, RESEND_LOOKUPS, RESENDS
    from tests.support_pg import index_names

    target = store_target()
    store = StateStore(target)
    with store.transaction():
        store._q("DROP INDEX shipments_shipment")
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(RESENDS),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == RESEND_LOOKUPS + 11 == RESENDS + 13
        assert "shipments_shipment" in index_names(store)
        assert store.numbered_doc_keys("acme", "856", "SHP-1") == [] == store.numbered_doc_keys("acme", "855", "1")
    finally:
        store.close()


def test_resend_on_a_postgresql_store(tmp_path, pg_server):
    """The shipping demo's first night and day on a workspace whose state store is on the private PostgreSQL
    server: INV0000002 sent again byte for byte, then under new control numbers (taken from the counters on
    PostgreSQL), found by `--document 856:` through the index, a crash before the write finished by the next
    delivery under the same numbers; the resend log and `status` read the rows back."""
    from tests.support import drop_confirmations, run_stages, ship_stages, shipping_workspace

    pg = shipping_workspace(tmp_path / "pg")
    url = pg_server.fresh_url()
    (pg.root / "workspace.toml").write_text(f'[state]\nurl = "{url}"\n')
    assert pg.state_on_postgres
    run_stages(pg, datetime(2026, 11, 27, 2))
    drop_confirmations(pg, "warehouse-drops")
    day1 = datetime(2026, 11, 27, 14, 30)
    state = StateStore(pg.state_url)  # (tests.support's ship_stages and deliver_all open the SQLite file)
    try:
        ship_stages(pg, day1, state=state, run_id="day1")
        for pid, p in sorted(pg.partners().items()):
            steps.deliver_partner(p, state, LocalDrop(pg.drop_root / pid), now=day1)
    finally:
        state.close()
    assert not (pg.root / "state" / "orderbridge.sqlite").exists()
    sent = (outbox(pg) / ACME_810).read_bytes()
    (outbox(pg) / ACME_810).unlink()
    plain = resend(pg, "--document", "810:INV0000002")
    assert plain.exit_code == 0, plain.output
    assert (outbox(pg) / ACME_810).read_bytes() == sent
    asn = resend(pg, "--document", "856:SHP-1001", "--dry-run")
    assert asn.exit_code == 0 and "Would send 856 acme-856-000000007.x12" in " ".join(asn.output.split()), asn.output
    real = documents._write
    documents._write = lambda *a, **k: (_ for _ in ()).throw(OSError("killed before the write"))
    try:
        cut = resend(pg, "--isa", "8", "--new-control-numbers", "--now", "2026-11-28T09:00:00")
    finally:
        documents._write = real
    assert cut.exit_code != 0, cut.output  # (an OSError of our own making: not a drop error)
    state = StateStore(url)
    try:
        assert state.has_pending("acme")
        assert [(r["isa13"], r["gs06"], r["status"]) for r in state.resends("acme")] == [
            ("000000008", "7", "delivered"), ("000000009", "8", "pending")]  # (no night 2 here)
        assert documents.deliver_partner(pg.partners()["acme"], state, LocalDrop(pg.drop_root / "acme"),
                                         now=datetime(2026, 11, 28, 2)) == 1
        assert [r["status"] for r in state.resends("acme")] == ["delivered", "delivered"]
        assert (state.last_number("acme", "ISA"), state.last_number("acme", "GS")) == (9, 8)
    finally:
        state.close()
    assert (outbox(pg) / "acme-810-000000009.x12").read_bytes() == renumbered(sent, isa13=9, gs06=8,
                                                                 at=datetime(2026, 11, 28, 9))
    log = json.loads(CliRunner().invoke(app, ["resends", "--json", "-w", str(pg.root)]).stdout)
    assert [(r["file_name"], r["renumbered"], r["po_numbers"]) for r in log] == [
        (ACME_810, 0, "ACME-1001"), ("acme-810-000000009.x12", 1, "ACME-1001")]
    story = json.loads(CliRunner().invoke(app, ["status", "ACME-1001", "--partner", "acme", "--json", "-w",
                                                str(pg.root)]).stdout)
    assert [r["file_name"] for r in story["resends"]] == [ACME_810, "acme-810-000000009.x12"]
