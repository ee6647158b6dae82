"""`state rebuild` reads back what went to a partner through the VAN mailbox's outbound folder (session 69, rebuild3;
outmailbox left it): the demo's two nights with ACME answered through the VAN (`[delivery] via = "mailbox"`,
the local mailbox), the VAN's job taking every file from mailbox/outbox/ after each night. The VAN empties its
folder, so each file put there is also kept in mailbox/sent/acme/ (flows.mailbox.sent_copies); the store deleted
and rebuilt reads those as it reads a partner's outbox: ACME's documents, its ISA/GS/ST numbers, its 855s' answers,
its 856s' shipments and 810s' invoices come back as the store never lost holds them, and a third night puts in the
VAN's folder byte for byte what the kept store's does. Before, the rebuild said it could not read the VAN's folder:
ACME's numbers started again at 1 (its next 997 reused ISA13 1) and its orders came back unanswered."""

from __future__ import annotations

import pytest

from flows.night import InProcess, run_night
from tests.crash_harness import NIGHTS, drop_night, new_workspace
from tests.support import rebuilt_store
from tests.test_rebuild_shipments import _night3
from tests.test_state_rebuild import _rows

NIGHT3 = "2026-11-29T02:00:00"
DOCUMENTS = ("SELECT doc_type, file_name, isa13, gs06, status FROM documents WHERE partner = 'acme'"
             " ORDER BY file_name")
NUMBERS = "SELECT kind, last FROM control_numbers WHERE partner = 'acme' ORDER BY kind"
ORDERS = ("SELECT po_number, state, revision, ack_type FROM orders WHERE partner = 'acme'"
          " AND state NOT IN ('held', 'received') ORDER BY po_number")
LINES = ("SELECT po_number, line_number, state, allocated, backordered, shipped, invoiced FROM order_lines"
         " WHERE partner = 'acme' ORDER BY po_number, line_number")
SHIPMENTS = "SELECT shipment_id, asn_at, billing FROM shipments WHERE partner = 'acme' ORDER BY shipment_id"
INVOICES = "SELECT invoice_number, po_number, shipment_id, total FROM invoices WHERE partner = 'acme'"
TABLES = (DOCUMENTS, NUMBERS, ORDERS, LINES, SHIPMENTS, INVOICES)


def _van_takes(ws, taken: dict[str, bytes]) -> None:
    """The VAN's job: every file in mailbox/outbox/ taken (kept in ``taken``) and removed."""
    out = ws / "mailbox" / "outbox"
    for p in sorted(out.iterdir()) if out.is_dir() else ():
        assert p.name not in taken, f"{p.name} sent twice"
        taken[p.name] = p.read_bytes()
        p.unlink()


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    """(kept, lost, {sql: (kept rows, rebuilt rows)}, the rebuild's output, what the VAN took from each after
    night 3): the demo's two nights, ACME through the VAN; ``lost`` a copy whose store was deleted and rebuilt."""
    root = tmp_path_factory.mktemp("rebuild-mailbox")
    kept = new_workspace(root / "kept")
    profile = kept / "partners" / "acme.toml"
    profile.write_text(profile.read_text() + '\n[delivery]\nvia = "mailbox"\n')
    taken: dict[str, bytes] = {}
    for n in (0, 1):
        drop_night(kept, n)
        run_night(str(kept), stages=InProcess(), now=NIGHTS[n][1], use_gx=False)
        _van_takes(kept, taken)
    assert any(n.startswith("acme-856-") for n in taken) and any(n.startswith("acme-810-") for n in taken)
    copies = {p.name: p.read_bytes() for p in (kept / "mailbox" / "sent" / "acme").iterdir()}
    assert copies == taken  # a copy of each file the VAN took, and nothing else
    assert not list((kept / "drop" / "acme" / "outbox").iterdir())
    lost = root / "lost"
    output = rebuilt_store(lost, copy_of=kept)
    rebuilt = {sql: (_rows(kept, sql), _rows(lost, sql)) for sql in TABLES}
    after = []
    for ws in (kept, lost):
        _night3(ws)
        run_night(str(ws), stages=InProcess(), now=NIGHT3, use_gx=False)
        mine: dict[str, bytes] = {}
        _van_takes(ws, mine)
        after.append(mine)
    return kept, lost, rebuilt, output, after


@pytest.mark.parametrize("sql", TABLES, ids=("documents", "numbers", "orders", "lines", "shipments", "invoices"))
def test_the_rebuilt_store_holds_what_went_through_the_van(nights, sql):
    _, _, rebuilt, _, _ = nights
    kept, lost = rebuilt[sql]
    assert kept and lost == kept


def test_the_rebuild_says_where_it_read_them(nights):
    _, _, _, output, _ = nights
    assert "acme: its documents go through the VAN mailbox's outbound folder" in output
    assert "read from the copies kept of them in mailbox/sent/acme/" in output
    assert "not read here" not in output.split("acme: its documents", 1)[1][:200]


def test_the_next_night_puts_in_the_van_s_folder_what_the_store_never_lost_puts(nights):
    kept, lost, _, _, (kept_put, lost_put) = nights
    assert any(n.startswith("acme-") for n in kept_put)
    assert lost_put == kept_put
    for ws in (kept, lost):  # and the copies kept hold them too
        copies = {p.name: p.read_bytes() for p in (ws / "mailbox" / "sent" / "acme").iterdir()}
        assert {n: b for n, b in kept_put.items() if n.startswith("acme-")}.items() <= copies.items()
    assert _rows(lost, DOCUMENTS) == _rows(kept, DOCUMENTS)


def test_a_night_rerun_after_a_rename_writes_the_copy_it_lacks(tmp_path, monkeypatch):
    """A night killed after a file's rename and before its copy and mark: the rerun only marks the document (the
    VAN took the file), and keeps the copy it lacked, so the rebuild still finds it."""
    from flows import faults
    from tests.test_mailbox_routing import _night
    from tests.test_outbound_mailbox_local import _workspace

    ws = _workspace(tmp_path / "ws")
    out, copies = ws.root / "mailbox" / "outbox", ws.root / "mailbox" / "sent" / "acme"
    real = faults.reached

    def dies(at: str) -> None:
        real(at)
        if at == "after-outbox-write":
            raise SystemExit("killed after the first rename")

    monkeypatch.setattr(faults, "reached", dies)
    with pytest.raises(SystemExit):
        _night(ws)
    monkeypatch.setattr(faults, "reached", real)
    [first] = list(out.iterdir())
    assert not copies.is_dir() or first.name not in {p.name for p in copies.iterdir()}
    taken = {first.name: first.read_bytes()}
    first.unlink()  # the VAN's job took it
    assert not _night(ws)["failure"]
    _van_takes(ws.root, taken)
    assert {p.name: p.read_bytes() for p in copies.iterdir()} == taken
