"""No document we send holds a control character inside a value (a tab, CR, LF, NUL, DEL, a C1 character): X12's
character sets have none, and a partner's translator refuses the element or splits the segment (or a CSV
acknowledgment's row) there. Where a value enters a document it is made one (a CSV order's id cell: each run one
blank, CONTROL_CHARACTER_REPLACED says so; a free text, a reference file's description or name: parsers.x12_writer
.x12_text); the hold before a document is numbered (flows.documents.holder) is the backstop: a document a control
character got into anyway is held with OUTBOUND_CONTROL_CHARACTER, never sent broken.

Also: Ctrl-Z (0x1A) / NUL padding after the last IEA (a DOS end-of-file mark, a VAN mailbox's fixed-size records) is
no segment: accepted without a finding."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from parsers.x12_reader import read_interchanges
from rules.outbound import controls_in_segments, controls_in_text
from schemas.lifecycle import PlannedDocument, PlannedSet
from schemas.x12 import Delimiters
from tests.support import REPO

NIGHT = datetime(2026, 11, 27, 2)
_C0 = re.compile(rb"[\x00-\x1f\x7f]")


def _x12_controls(data: bytes) -> list[bytes]:
    """The control bytes of an interchange we wrote other than its delimiters and the line break after each
    terminator; its C1 characters too."""
    assert data[:3] == b"ISA", data[:40]
    term, sep, comp = data[105:106], data[3:4], data[104:105]
    body = data.replace(term + b"\r\n", b"").replace(term + b"\n", b"").replace(term, b"")
    body = body.replace(sep, b"").replace(comp, b"")
    c1 = [ch.encode() for ch in body.decode("utf-8", "replace") if "\x80" <= ch <= "\x9f"]
    return _C0.findall(body) + c1


def _csv_controls(data: bytes) -> list[bytes]:
    """The control bytes of a CSV file other than the line break ending each row (none inside a quoted cell)."""
    rows = data.replace(b"\r\n", b"\n").split(b"\n")
    return [b for row in rows for b in _C0.findall(row)]


# --- a night: a partner's N1 name with a tab, an items.csv description of two lines, a CSV order's id cell with a CR
# and a description cell of two lines
@pytest.fixture(scope="module")
def night(tmp_path_factory):
    from connectors.state import StateStore
    from tests.support import deliver_all, drop_confirmations, run_stages, shipping_workspace

    ws = shipping_workspace(tmp_path_factory.mktemp("outsafe") / "ws")
    po = ws.drop_root / "acme" / "inbox" / "acme-po-01.x12"
    text = po.read_text()
    assert text.count("N1*ST*Acme Distribution Center*") >= 1
    po.write_text(text.replace("N1*ST*Acme Distribution Center*", "N1*ST*Acme\tDistribution Center*", 1))
    items = ws.reference_dir / "items.csv"
    rows = items.read_text()
    assert ",Copy paper A4 80g," in rows
    items.write_text(rows.replace(",Copy paper A4 80g,", ',"Copy paper\nA4 80g",'))
    [feed] = (ws.drop_root / "umbrella" / "inbox").glob("*.csv")
    data = feed.read_bytes()
    line = b"UMB-6001;26.11.2026;2;10;EA;32,34;;VP-1005;;Gel pen red;"
    assert line in data
    data = data.replace(line, b'UMB-6001;26.11.2026;2;10;EA;32,34;;VP-1005;"BI\r7";Gel pen red;')
    assert b";Sticky notes yellow;" in data
    feed.write_bytes(data.replace(b";Sticky notes yellow;", b';"Sticky notes\r\nyellow";'))
    drop_confirmations(ws)
    run_stages(ws, NIGHT)
    deliver_all(ws, NIGHT)
    state = StateStore(ws.state_path)
    try:
        found = state.findings()
    finally:
        state.close()
    sent = {p: p.read_bytes() for p in sorted(ws.drop_root.glob("*/outbox/*")) if p.is_file()}
    return ws, found, sent


def test_nothing_sent_holds_a_control_character_inside_a_value(night):
    _ws, _found, sent = night
    kinds = {p.name.split("-")[1] for p in sent}
    assert {"997", "855", "856", "810", "csv_ack"} <= kinds | {p.suffix.lstrip(".") + "_ack" for p in sent}, kinds
    for path, data in sent.items():
        stray = _csv_controls(data) if path.suffix == ".csv" else _x12_controls(data)
        assert stray == [], (path.name, stray)


def test_the_partner_s_tab_is_refused_at_intake_and_not_echoed(night):
    _ws, found, sent = night
    assert any(f["code"] == "ELEMENT_INVALID_CHARACTER" and f["partner"] == "acme" for f in found)
    acks = [d for p, d in sent.items() if p.name.startswith("acme-997-")]
    assert acks and all(b"\t" not in d and b"Acme" not in d for d in acks)  # AK4 names N102, AK404 no copy


def test_a_csv_order_s_id_with_a_cr_is_read_with_a_blank_and_said(night):
    _ws, found, sent = night
    [f] = [f for f in found if f["code"] == "CONTROL_CHARACTER_REPLACED" and f["partner"] == "umbrella"]
    assert f["severity"] == "warning"
    assert "'BI\\r7'" in f["message"] and "'BI 7'" in f["message"] and "It is an id" in f["message"]
    assert "PO UMB-6001, row 3" in f["message"]
    assert not [f for f in found if f["code"] == "OUTBOUND_CONTROL_CHARACTER"]  # nothing got past the sources


def test_a_reference_description_of_two_lines_is_read_as_one_and_said(night):
    _ws, found, _sent = night
    [f] = [f for f in found if f["code"] == "CONTROL_CHARACTER_REPLACED" and f["partner"] == ""]
    assert f["severity"] == "warning" and f["stage"] == "decide"
    assert f["message"].startswith("items.csv line 2, description: 'Copy paper\\nA4 80g' holds a control character")
    assert "read as 'Copy paper A4 80g'" in f["message"] and "Fix the row." in f["message"]


def test_a_reference_cell_with_a_control_character_is_read_with_a_blank():
    from connectors.reference import read_reference_csv
    from schemas.reference import OPTIONAL_COLUMNS, SCHEMAS

    data = (b"sku,gtin,upc,vendor_part,description,unit,case_pack,min_order_qty,status\r\n"
            b'SKU-1,,,VP-1,"Pens\r\n  blue\tfine",EA,1,1,active\r\nSKU-2,,,VP-2,Clips,EA,1,1,active\r\n')
    replaced: list = []
    table = read_reference_csv(data, name="items.csv", schema=SCHEMAS["items"], optional=OPTIONAL_COLUMNS["items"],
                               replaced=replaced)
    assert table.column("description").to_pylist() == ["Pens blue fine", "Clips"]
    assert replaced == [("items.csv", 2, "description", "Pens\r\n  blue\tfine", "Pens blue fine")]


def test_a_description_of_two_lines_goes_out_as_one(night):
    """A free text (a CSV order's description cell of two lines) is kept as sent and written with a blank."""
    _ws, _found, sent = night
    texts = b"".join(d for p, d in sent.items() if p.name.startswith("umbrella-"))
    assert b"PID*F****Sticky notes yellow~" in texts and b"Sticky notes\r" not in texts


# --- the backstop, unit by unit -------------------------------------------------------------------------------------
D = Delimiters()


@pytest.mark.parametrize(("value", "said"), [("ACME\tCorp", "N102 'ACME\\tCorp'"), ("A\rB", "N102 'A\\rB'"),
                                             ("A\x00", "N102 'A\\x00'"), ("x\x85y", "N102 'x\\x85y'"),
                                             ("DEL\x7f", "N102 'DEL\\x7f'")])
def test_the_check_names_the_element_holding_a_control_character(value, said):
    text = f"N1*ST*{value}*92*DC01~\nN3*1 Main St~\n"
    assert controls_in_text(text, D) == [said]
    assert controls_in_segments([["N1", "ST", value, "92", "DC01"], ["N3", "1 Main St"]]) == [said]


def test_delimiters_and_the_suffix_are_no_values():
    nonprinting = Delimiters(element="\x1d", component="\x1f", segment="\x1c", suffix="\r\n")
    assert controls_in_text("N1\x1dST\x1dACME Corp\x1c\r\nPID\x1dF\x1d\x1d\x1d\x1dA\x1fB\x1c\r\n", nonprinting) == []
    assert controls_in_text("N1*ST*ACME Corp~\nN3*Caf\u00e9\u00a0Rue~\n", D) == []  # a no-break space: no control
    assert controls_in_text("N1\x1dST\x1dACME\tCorp\x1c\r\n", nonprinting) == ["N102 'ACME\\tCorp'"]


def _holder():
    from flows.documents import holder
    from schemas.profile import load_profiles

    return holder(load_profiles(REPO / "partners"), stage="test")


def test_a_document_a_control_character_got_into_is_held_not_sent():
    hold = _holder()
    clean = PlannedSet("k1", body=(("BAK", "00", "AC", "ACME-1000", "20261127"), ("N1", "ST", "Acme DC")),
                       po_number="ACME-1000")
    assert hold(PlannedDocument("acme", "855", "PR", (clean,))) is None
    broken = PlannedSet("k2", body=(("BAK", "00", "AC", "ACME-1001", "20261127"), ("N1", "ST", "Acme\nDC")),
                        po_number="ACME-1001")
    held = hold(PlannedDocument("acme", "855", "PR", (broken,)))
    assert held is not None and held.finding.code == "OUTBOUND_CONTROL_CHARACTER"
    assert held.finding.severity == "error" and held.consequence == "document held, not sent"
    assert "855 for PO ACME-1001" in held.finding.message and "N102 'Acme\\nDC'" in held.finding.message
    assert held.po_number == "ACME-1001"


def test_a_rendered_set_and_a_csv_acknowledgment_are_checked_too():
    hold = _holder()
    text = PlannedSet("k3", text="BAK*00*AC*ACME-1002*20261127~\nPO1*1*5*EA***VP*A\tB~\n", segments=2,
                      po_number="ACME-1002")
    held = hold(PlannedDocument("acme", "855", "PR", (text,), delimiters=D))
    assert held is not None and "PO107 'A\\tB'" in held.finding.message
    fine = PlannedSet("k4", text="BAK*00*AC*ACME-1002*20261127~\nPO1*1*5*EA***VP*AB~\n", segments=2)
    assert hold(PlannedDocument("acme", "855", "PR", (fine,), delimiters=D)) is None
    assert hold(PlannedDocument("umbrella", "CSV", "", (), content=b"po;sku\r\nUMB-1;VP-1\r\n")) is None
    held = hold(PlannedDocument("umbrella", "CSV", "", (), content=b'po;sku\r\nUMB-1;"VP\r\n1"\r\n'))
    assert held is not None and held.finding.code == "OUTBOUND_CONTROL_CHARACTER"
    assert "row 2 'VP\\r\\n1'" in held.finding.message


# --- padding after the last IEA --------------------------------------------------------------------------------------
PO = (REPO / "sample_files" / "drops" / "acme" / "acme-po-01.x12").read_bytes()


@pytest.mark.parametrize("pad", [b"\x1a", b"\x1a" * 128, b"\x00" * 7, b"\r\n\x1a", b"\x00\x1a  \r\n", b"   \r\n"])
def test_ctrl_z_and_nul_padding_after_the_last_iea_is_no_segment(pad):
    assert read_interchanges(PO, file="f.x12").findings == []
    assert read_interchanges(PO + pad, file="f.x12").findings == []


@pytest.mark.parametrize("tail", [b"XYZ~", b"\x1aXYZ~", b"XYZ~\x1a"])
def test_data_after_the_last_iea_is_still_said(tail):
    codes = [f.code for f in read_interchanges(PO + tail, file="f.x12").findings]
    assert "X12_TRAILING_GARBAGE" in codes



@pytest.mark.parametrize("pad", [b"\x1a" * 64, b"\x00" * 16 + b"\r\n"])
def test_a_padded_interchange_is_read_in_batches_as_whole(pad):
    """Padding does not make the batch scanner read a large interchange whole ("segments after the IEA") and the
    batches give what the whole read gives: no finding about it either way."""
    from parsers.x12_batches import scan_interchange
    from tests.test_intake_batches import MIXED, _same

    plain = scan_interchange([MIXED], max_bytes=1 << 20, max_sets=2, max_set_bytes=1 << 20)
    padded = scan_interchange([MIXED + pad], max_bytes=1 << 20, max_sets=2, max_set_bytes=1 << 20)
    assert plain.reason == padded.reason == "" and padded.rows == plain.rows
    outs = _same(MIXED + pad, max_sets=2)
    assert not [f for o in outs for f in o.findings if f.code in ("X12_TRAILING_GARBAGE", "ISA_STRUCTURE_INVALID")]


def test_free_text_loses_c1_controls_too():
    """A C1 control (0x80-0x9F: a Latin-1 file's NEL, 0x85, read as UTF-8 text) in a name or description is a
    control character as a tab is: the free-text writers make it a blank, or the backstop would hold the document."""
    import pyarrow as pa

    from parsers.x12_writer import x12_text, x12_texts

    assert x12_text("Caf\u00e9\x85 Rue\x9f") == "Caf\u00e9 Rue"
    nbsp = "Caf\u00e9\u00a0Rue"  # a no-break space is no control: kept
    assert x12_texts(pa.array(["A\x85B", nbsp, None])).to_pylist() == ["A B", nbsp, None]


def test_a_document_held_for_a_control_character_is_on_record_and_never_released(tmp_path):
    from connectors.local import LocalDrop
    from connectors.state import StateStore
    from flows.documents import deliver_partner, holder, renderer
    from schemas.lifecycle import Plan
    from schemas.profile import load_profiles

    profiles = {"acme": load_profiles(REPO / "partners")["acme"]}
    state = StateStore(tmp_path / "state.sqlite")
    drop = LocalDrop(tmp_path / "drop")
    body = (("BAK", "00", "AC", "ACME-1001", "20261127"), ("N1", "ST", "Acme\x00DC"), ("CTT", "0"))
    doc = PlannedDocument("acme", "855", "PR", (PlannedSet("855:nul", body, "ACME-1001", "s"),))
    applied = state.apply(Plan(documents=(doc,)), render=renderer(profiles, NIGHT),
                          hold=holder(profiles, stage="decide", files={"s": "po.x12"}), at=NIGHT.isoformat(),
                          run_id="r")
    assert not applied.documents
    assert [(f["code"], f["po_number"], f["file"], f["consequence"]) for f in state.findings(run_id="r")] == [
        ("OUTBOUND_CONTROL_CHARACTER", "ACME-1001", "po.x12", "document held, not sent")]
    [stored] = state.documents("acme")
    assert (stored.status, stored.isa13) == ("held", "")
    assert deliver_partner(profiles["acme"], state, drop, now=NIGHT) == 0  # its delimiters fit: still not released
    assert not (tmp_path / "drop" / "outbox").exists() or list((tmp_path / "drop" / "outbox").iterdir()) == []
    assert state.documents("acme")[0].status == "held" and state.last_number("acme", "ISA") == 0
    state.close()


def test_a_csv_acknowledgment_is_blanked_cell_by_cell_in_its_own_layout_only():
    from engine.outbound_controls import blanked, blanked_csv, controls
    from schemas.fulfilment import CsvAckSettings

    layout = CsvAckSettings(delimiter=";", encoding="cp1252", line_terminator="\n")
    held = b'po;reason\nUMB-1;"caf\xe9\r\n\tau lait"\nUMB-2;"a;b"\n'
    assert blanked_csv(held, layout) == b'po;reason\nUMB-1;caf\xe9 au lait\nUMB-2;"a;b"\n'
    assert blanked_csv(held, CsvAckSettings(delimiter=",", encoding="cp1252", line_terminator="\n")) is None
    assert blanked_csv(held, CsvAckSettings(delimiter=";", encoding="cp1252")) is None  # written with "\n", not CRLF
    doc = PlannedDocument("umbrella", "CSV", "", (), content=held)
    assert controls(blanked(doc, layout)) == [] and blanked(doc) == doc  # no layout: as it is (stays held)
