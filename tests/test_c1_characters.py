"""C1 control characters (U+0080-U+009F) in a partner's X12 never leave an order's documents held.

A partner whose profile says `encoding = "latin-1"` and whose translator writes Windows-1252 (what translators on
Windows write): its curly quotes, en dash, TM and euro (0x80-0x9F) are read as those letters (parsers.x12_reader
.decode); the five bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D), and a UTF-8 file spelling
U+0080-U+009F, are read with a blank and said (CONTROL_CHARACTER_REPLACED at the element) where they used to pass
intake and hold the 855/856/810 echoing them for good (OUTBOUND_CONTROL_CHARACTER). A UTF-8 partner's "é" is kept.
A document the backstop holds anyway has a way out: `orderbridge release-held`.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from parsers.x12_reader import read_interchanges
from tests.support import x12_850

NIGHT = datetime(2026, 11, 27, 2)


def _stray_controls(data: bytes, encoding: str) -> list[str]:
    """The control characters of an interchange we wrote (decoded in ``encoding``), other than its delimiters and the
    line break after each terminator: C0, DEL and C1."""
    assert data[:3] == b"ISA", data[:40]
    term, sep, comp, rep = data[105:106], data[3:4], data[104:105], data[82:83]
    body = data.replace(term + b"\r\n", b"").replace(term + b"\n", b"").replace(term, b"")
    for d in (sep, comp, rep):
        body = body.replace(d, b"")
    return [ch for ch in body.decode(encoding) if ch < " " or "\x7f" <= ch <= "\x9f"]


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    from connectors.state import StateStore
    from tests.support import deliver_all, drop_confirmations, run_stages, shipping_workspace

    ws = shipping_workspace(tmp_path_factory.mktemp("c1") / "ws")
    profile = ws.root / "partners" / "acme.toml"
    toml = profile.read_text()
    assert 'usage = "P"\n' in toml and "encoding" not in toml
    profile.write_text(toml.replace('usage = "P"\n', 'usage = "P"\nencoding = "latin-1"\n', 1))
    po = ws.drop_root / "acme" / "inbox" / "acme-po-01.x12"
    text = po.read_text()
    for old, new in (
            # ACME-1000 (answered by an 855): a vendor part with an undefined byte, a description with another
            ("PO1*2*24*EA*39.20*PE*VN*VP-1003", "PO1*2*24*EA*39.20*PE*VN*VP\x9d1003"),
            ("PID*F****Ballpoint pen blue", "PID*F****Ballpoint\x81pen blue"),
            # ACME-1001 (shipped: 856, 810): Windows-1252's own letters in N1, PID, MSG
            ("DTM*010*20261210~\nN1*ST*Acme Distribution Center*92*DC01~\nPO1*1*12*EA*19.70*PE*UP*614141199990",
             "DTM*010*20261210~\nN9*L1*NOTES~\nMSG*Deliver \u201cDock 4\u201d \u2013 \u20ac50 fee\x8d~\n"
             "N1*ST*Acme \u201cNorth\u201d DC \u2013 Dock\u2122*92*DC01~\nPO1*1*12*EA*19.70*PE*UP*614141199990"),
            ("PID*F****Paper: 10 is not a case of 6", "PID*F****Paper \u2019A4\u2019: 10 \u2013 not a case\u2122"),
    ):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    assert text.count("SE*30*0002~") == 1  # ACME-1001 with its N9 and MSG
    text = text.replace("SE*30*0002~", "SE*32*0002~")
    po.write_bytes(_cp1252(text))
    globex = ws.drop_root / "globex" / "inbox" / "globex-po-01.x12"
    gtext = globex.read_text()
    assert gtext.count("N1|ST|Globex DC West|") == 2
    globex.write_text(gtext.replace("N1|ST|Globex DC West|", "N1|ST|Globex Entrep\u00f4t Qu\u00e9bec|"),
                      encoding="utf-8")
    drop_confirmations(ws)
    run_stages(ws, NIGHT)
    deliver_all(ws, NIGHT)
    state = StateStore(ws.state_path)
    try:
        found = state.findings()
        held = [d for p in ("acme", "globex") for d in state.documents(p) if d.status == "held"]
    finally:
        state.close()
    sent = {p: p.read_bytes() for p in sorted(ws.drop_root.glob("*/outbox/*.x12"))}
    return found, held, sent


def _cp1252(text: str) -> bytes:
    """``text`` as a Windows translator writes it; its C1 characters (the bytes Windows-1252 leaves undefined) as
    those bytes."""
    return b"".join(bytes([ord(ch)]) if "\x80" <= ch <= "\x9f" else ch.encode("cp1252") for ch in text)


def test_a_latin1_partner_s_windows_1252_text_is_answered_shipped_and_billed(night):
    found, held, sent = night
    assert not held and not [f for f in found if f["code"] == "OUTBOUND_CONTROL_CHARACTER"]
    kinds = {p.name.split("-")[1] for p in sent if p.name.startswith("acme-")}
    assert {"997", "855", "856", "810"} <= kinds, kinds
    for path, data in sent.items():
        assert _stray_controls(data, "latin-1" if path.name.startswith("acme-") else "utf-8") == [], path.name
    [ack_1000] = [d for p, d in sent.items() if p.name.startswith("acme-855-") and b"ACME-1000" in d]
    assert b"VN*VP 1003" in ack_1000
    [asn] = [d for p, d in sent.items() if p.name.startswith("acme-856-")]
    [invoice] = [d for p, d in sent.items() if p.name.startswith("acme-810-")]
    for doc in (asn, invoice):  # the curly quotes, the dash and the TM: Latin-1 has none; spelled, no control byte
        assert b'N1*ST*Acme "North" DC - DockTM*92*DC01~' in doc
        assert b"PID*F****Paper 'A4': 10 - not a caseTM~" in doc


def test_the_undefined_bytes_are_read_with_a_blank_and_said_at_their_element(night):
    found, _held, _sent = night
    said = {(f["po_number"], f["message"].split(" ", 1)[0]): f for f in found
            if f["code"] == "CONTROL_CHARACTER_REPLACED" and f["partner"] == "acme"}
    assert set(said) == {("ACME-1000", "PO107"), ("ACME-1000", "PID05"), ("ACME-1001", "MSG01")}, set(said)
    f = said[("ACME-1000", "PO107")]
    assert f["severity"] == "warning" and f["stage"] == "intake"
    assert "'VP\\x9d1003'" in f["message"] and "U+009D" in f["message"] and "read as 'VP 1003'" in f["message"]
    assert "855, 856, 810" in f["message"]
    assert "read as 'Ballpoint pen blue'" in said[("ACME-1000", "PID05")]["message"]
    assert not [f for f in found if f["code"] == "X12_NOT_UTF8" and f["partner"] == "acme"]  # it sends latin-1


def test_a_utf8_partner_s_accents_are_unchanged(night):
    found, _held, sent = night
    globex = {p.name: d for p, d in sent.items() if p.name.startswith("globex-")}
    echoed = [n for n, d in globex.items() if "Globex Entrep\u00f4t Qu\u00e9bec".encode() in d]
    assert echoed and any("-856-" in n or "-810-" in n or "-855-" in n for n in echoed), sorted(globex)
    assert not [f for f in found if f["code"] == "CONTROL_CHARACTER_REPLACED" and f["partner"] == "globex"]


def test_a_utf8_file_spelling_c1_controls_is_read_with_a_blank():
    """Windows-1252 text converted to UTF-8 as if it were ISO-8859-1 ("\u0092" for "’"): valid UTF-8, a C1 control."""
    data = x12_850(["BEG*00*SA*PO-1**20261126", "N1*ST*L\u0092\u00cele DC*92*DC01", "PO1*1*1*EA*1*PE*VN*A\u0085B",
                    "PID*F****Caf\u00e9", "CTT*1"])
    r = read_interchanges(data, file="po.x12")
    assert r.encoding == "utf-8"
    rows = r.segments.elements.to_pylist()
    assert ["N1", "ST", "L \u00cele DC", "92", "DC01"] in rows
    assert ["PID", "F", "", "", "", "Caf\u00e9"] in rows  # a real accent kept
    assert any(row[:1] == ["PO1"] and row[7] == "A B" for row in rows)
    said = [(f.code, f.severity, f.location.segment_id, f.location.element, f.location.st02, f.location.value)
            for f in r.findings if f.code == "CONTROL_CHARACTER_REPLACED"]
    assert said == [("CONTROL_CHARACTER_REPLACED", "warning", "N1", "N102", "0001", "L \u00cele DC"),
                    ("CONTROL_CHARACTER_REPLACED", "warning", "PO1", "PO107", "0001", "A B")]
    assert not any(f.code == "ELEMENT_INVALID_CHARACTER" for f in r.findings)


def test_a_component_and_a_change_order_are_said_too():
    isa = ("ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261126*0200*U*00401*000000001*0*P*>~")
    body = ["ST*860*0001", "BCH*04*SA*PO-1**1*20261126", "POC*1*CA*10*0*EA*1*PE*VN*VP\x8f1",
            "SLN*1**I*1*EA*1*PE**VN*X>Y\x90Z", "CTT*1", "SE*5*0001"]
    data = (isa + "GS*PC*ACMERETAIL*ORDERBRIDGE*20261126*0200*1*X*004010~" + "~".join(body)
            + "~GE*1*1~IEA*1*000000001~").encode("latin-1")
    r = read_interchanges(data, file="chg.x12")
    assert r.encoding == "cp1252"
    refs = {(f.location.segment_id, f.location.element, f.location.value) for f in r.findings
            if f.code == "CONTROL_CHARACTER_REPLACED"}
    assert refs == {("POC", "POC09", "VP 1"), ("SLN", "SLN10-02", "X>Y Z")}
    assert "\u008f" not in str(r.segments.elements.to_pylist())


def test_windows_1252_letters_are_read_as_letters_and_not_said():
    data = x12_850(["BEG*00*SA*PO-1**20261126", "N1*ST*L\u2019\u00cele \u2013 DC\u2122*92*DC01", "CTT*0"])
    r = read_interchanges(data.decode("utf-8").encode("cp1252"), file="po.x12")
    assert r.encoding == "cp1252" and not [f for f in r.findings if f.code == "CONTROL_CHARACTER_REPLACED"]
    assert ["N1", "ST", "L\u2019\u00cele \u2013 DC\u2122", "92", "DC01"] in r.segments.elements.to_pylist()


# --- the way out of a document the backstop holds
def test_a_document_held_for_a_control_character_is_sent_with_a_blank_once_ops_release_it(tmp_path):
    from typer.testing import CliRunner

    from connectors.local import LocalDrop
    from connectors.state import StateStore
    from engine.report_failures import HINTS
    from flows.cli import app
    from flows.documents import deliver_partner, holder, renderer
    from schemas.lifecycle import Plan, PlannedDocument, PlannedSet
    from schemas.profile import load_profiles
    from schemas.x12 import Delimiters
    from tests.support import make_workspace

    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    profiles = {"acme": load_profiles(ws.root / "partners")["acme"]}
    state = StateStore(ws.state_path)
    d = Delimiters(element="*", component=">", repetition="", segment="~", suffix="\n")  # 004010: no repetition
    text = "BAK*00*AC*ACME-1001*20261127~\nN1*ST*Acme\u0092s\x00 DC~\nPO1*1*1*EA*1*PE*VN*X>Y\x9d~\nCTT*1~\n"
    rendered = PlannedSet("855:c1", (), "ACME-1001", "s", text=text, segments=4)
    doc = PlannedDocument("acme", "855", "PR", (rendered,), delimiters=d)
    body = (("AK1", "PO", "7"), ("AK2", "850", "0001"), ("AK5", "A"), ("AK9", "A", "1", "1", "1"))
    ack = PlannedDocument("acme", "997", "FA", (PlannedSet("997:ok", body, "", "s"),))
    state.apply(Plan(documents=(doc, ack)), render=renderer(profiles, NIGHT),
                hold=holder(profiles, stage="decide", files={"s": "po.x12"}), at=NIGHT.isoformat(), run_id="r")
    [f] = state.findings(run_id="r")
    assert f["code"] == "OUTBOUND_CONTROL_CHARACTER"
    assert "`orderbridge release-held PARTNER --by NAME`" in f["message"]
    assert "orderbridge release-held" in HINTS["OUTBOUND_CONTROL_CHARACTER"]
    drop = LocalDrop(ws.drop_root / "acme")
    assert deliver_partner(profiles["acme"], state, drop, now=NIGHT) == 1  # the 997 only: a run does not release it
    assert [s.status for s in state.documents("acme") if s.doc_type == "855"] == ["held"]
    state.close()

    out = CliRunner().invoke(app, ["release-held", "acme", "--by", "ops", "--note", "INC-7", "-w", str(ws.root)])
    assert out.exit_code == 0, out.output
    assert "1 held document(s) released" in out.output

    state = StateStore(ws.state_path)
    try:
        assert deliver_partner(profiles["acme"], state, drop, now=NIGHT) == 1
        [sent] = [p.read_bytes() for p in (ws.drop_root / "acme" / "outbox").glob("acme-855-*")]
        assert b"N1*ST*Acme s DC~" in sent and b"VN*X>Y~" in sent
        assert _stray_controls(sent, "utf-8") == []
        said = [r for r in state.findings() if r["code"] == "CONTROL_CHARACTER_REPLACED"]
        assert [(r["partner"], r["po_number"], r["stage"], r["consequence"]) for r in said] == [
            ("acme", "ACME-1001", "release-held", "document released")]
        assert "released by ops" in said[0]["message"] and "INC-7" in said[0]["message"]
        assert "N102 'Acme\\x92s\\x00 DC'" in said[0]["message"]
        again = CliRunner().invoke(app, ["release-held", "acme", "--by", "ops", "-w", str(ws.root)])
        assert again.exit_code == 0 and "0 held document(s) released" in again.output
    finally:
        state.close()


def test_a_csv_acknowledgment_held_for_a_control_character_is_sent_with_a_blank_once_ops_release_it(tmp_path):
    """A CSV partner's acknowledgment the backstop holds is released as an 855 is (it used to stay held for good:
    the partner never got it), in the layout it was written in, each cell's controls one blank, who said kept."""
    import csv
    import io

    from typer.testing import CliRunner

    from connectors.local import LocalDrop
    from connectors.state import StateStore
    from flows.cli import app
    from flows.documents import deliver_partner, holder, renderer
    from schemas.lifecycle import Plan, PlannedDocument, PlannedSet
    from schemas.profile import load_profiles
    from tests.support import make_workspace

    ws = make_workspace(tmp_path / "ws", partners=("umbrella",))
    profiles = {"umbrella": load_profiles(ws.root / "partners")["umbrella"]}
    assert profiles["umbrella"].fulfilment.csv_ack.delimiter == ";"
    rows = [["po_number", "line_id", "status", "reason_text"], ["UMB-6001", "1", "IA", "accepted in full"],
            ["UMB-6001", "2", "IR", "not accepted:\r\n\tunknown;\x00 item"]]
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(rows)
    content = buf.getvalue().encode("utf-8-sig")
    doc = PlannedDocument("umbrella", "CSV", "", (PlannedSet("CSV:ack:UMB-6001", (), "UMB-6001", "s"),),
                          content=content)
    state = StateStore(ws.state_path)
    state.apply(Plan(documents=(doc,)), render=renderer(profiles, NIGHT),
                hold=holder(profiles, stage="decide", files={"s": "umb.csv"}), at=NIGHT.isoformat(), run_id="r")
    [f] = state.findings(run_id="r")
    assert f["code"] == "OUTBOUND_CONTROL_CHARACTER" and "row 3" in f["message"]
    drop = LocalDrop(ws.drop_root / "umbrella")
    assert deliver_partner(profiles["umbrella"], state, drop, now=NIGHT) == 0  # a run does not release it
    state.close()

    out = CliRunner().invoke(app, ["release-held", "umbrella", "--by", "Ann Ops", "--note", "INC-9",
                                   "-w", str(ws.root)])
    assert out.exit_code == 0, out.output
    assert "1 held document(s) released" in out.output

    state = StateStore(ws.state_path)
    try:
        assert deliver_partner(profiles["umbrella"], state, drop, now=NIGHT) == 1
        [sent] = [p.read_bytes() for p in (ws.drop_root / "umbrella" / "outbox").glob("*.csv")]
        assert sent.startswith(b"\xef\xbb\xbf")  # the layout's BOM kept
        assert list(csv.reader(io.StringIO(sent.decode("utf-8-sig"), newline=""), delimiter=";")) == [
            *rows[:2], ["UMB-6001", "2", "IR", "not accepted: unknown; item"]]
        assert sent.count(b"\r\n") == 3  # the rows' terminators, none in a cell
        said = [r for r in state.findings() if r["code"] == "CONTROL_CHARACTER_REPLACED"]
        assert [(r["partner"], r["po_number"], r["stage"], r["consequence"]) for r in said] == [
            ("umbrella", "UMB-6001", "release-held", "document released")]
        assert "released by Ann Ops" in said[0]["message"] and "INC-9" in said[0]["message"]
        assert "CSV for PO UMB-6001" in said[0]["message"]
        again = CliRunner().invoke(app, ["release-held", "umbrella", "--by", "ops", "-w", str(ws.root)])
        assert again.exit_code == 0 and "0 held document(s) released" in again.output
    finally:
        state.close()
