"""[x12] encoding = "auto" (the default): a partner set up without `encoding` gets our documents in the character set
its own files show (parsers.x12_reader.charset, kept per file in the state store; parsers.x12_writer.answer_encoding).
The rg9 cross-border night with Sobeys' profile left without `encoding` (it sends ISO-8859-1), Loblaw's 850 as a
translator taking X12's basic and extended character sets writes it (ASCII: "Montreal") and our east DC named with
accents ("Entrepôt Est", "Montréal"), and Canadian Tire as it sends (UTF-8)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from parsers.x12_reader import charset, read_interchanges
from parsers.x12_writer import answer_encoding, transcode
from tests.retailer_support import maps, of_its_own, sent_856s_and_810s, shipped_night  # noqa: F401 (maps: a fixture)
from tests.test_rg9_cross_border import FIXTURES, NIGHT, SHIP_DAY

ISA = ("ISA*00*          *00*          *ZZ*SOBEYSQC       *ZZ*ORDERBRIDGE    *261126*0200*U*00401*000000004*0*P*>~"
       "GS*PO*SOBEYSQC*ORDERBRIDGE*20261126*0200*4*X*004010~ST*850*0001~")


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    ws = of_its_own(FIXTURES, tmp_path_factory.mktemp("auto") / "ws")
    sobeys = ws.root / "partners" / "sobeys.toml"
    sobeys.write_text(sobeys.read_text(encoding="utf-8").replace('encoding = "latin-1"\n', ""), encoding="utf-8")
    assert "\nencoding" not in sobeys.read_text(encoding="utf-8")
    for path in (ws.drop_root / "loblaw" / "inbox").iterdir():  # its translator writes ASCII only
        data = transcode(path.read_bytes(), "ascii")
        assert data.isascii() and data != path.read_bytes()
        path.write_bytes(data)
    east = ws.root / "warehouses" / "east.toml"
    east.write_text(east.read_text(encoding="utf-8").replace('name = "OrderBridge Supply DC East"',
                                                             'name = "Entrepôt Est OrderBridge"')
                    .replace('city = "Newark"', 'city = "Montréal"'), encoding="utf-8")
    return shipped_night(ws, FIXTURES, NIGHT, SHIP_DAY)


def _sent(ws, partner: str) -> list[bytes]:
    return [p.read_bytes() for p in sorted((ws.drop_root / partner / "outbox").glob("*.x12"))]


def test_a_latin1_partner_without_encoding_gets_latin1(night):
    ws, found, _states = night
    sent = _sent(ws, "sobeys")
    assert {re.search(rb"-(\d{3})-", p.name.encode()).group(1) for p in (ws.drop_root / "sobeys" / "outbox").glob(
        "*.x12")} == {b"997", b"855", b"856", b"810"}
    for kind in ("855", "856", "810"):  # its own names echoed one byte per letter, as its explicit profile gets them
        data = b"".join(p.read_bytes() for p in (ws.drop_root / "sobeys" / "outbox").glob(f"sobeys-{kind}-*.x12"))
        assert b"N1*ST*Entrep\xf4t Sobeys Qu\xe9bec*92*2060~" in data, kind
        assert b"Qu\xc3\xa9bec" not in data, kind  # never UTF-8's two bytes ("QuÃ©bec" on its side)
    # our DC's accented name, in its Latin-1 too
    assert any(b"Entrep\xf4t Est OrderBridge" in d and b"Montr\xe9al" in d for d in sent)
    # the files themselves are read as before: Latin-1, the warning a partner without `encoding = "latin-1"` gets
    assert ("X12_NOT_UTF8", "warning", "") in {f[:3] for f in found}


def test_an_ascii_partner_gets_pure_ascii_even_where_our_names_carry_accents(night, maps, tmp_path):  # noqa: F811
    """Loblaw's translator writes X12's basic and extended character sets only: what it gets is ASCII, our DC's
    "Entrepôt Est" and "Montréal" without their accents, and taken by pyx12, which holds AN values to those sets
    (a UTF-8 "Montréal" it refuses: AK4 code 6)."""
    from tests.test_mark_for import accepted

    ws, _found, states = night
    sent = _sent(ws, "loblaw")
    assert states[("loblaw", "7012345678")] == "invoiced" and len(sent) >= 4
    assert all(d.isascii() for d in sent)
    asn = b"".join(p.read_bytes() for p in (ws.drop_root / "loblaw" / "outbox").glob("loblaw-856-*.x12"))
    assert b"Entrepot Est OrderBridge" in asn and b"Montreal" in asn  # accents dropped, not "?"
    for path in sent_856s_and_810s(ws, ("loblaw",)):
        accepted(path.read_bytes(), tmp_path, maps)


def test_a_utf8_partner_gets_utf8(night, tmp_path):
    from tests.shipping_support import bots_check, read_back

    ws, _found, _states = night
    for partner in ("canadiantire", "walmex"):
        sent = _sent(ws, partner)
        assert any(not d.isascii() for d in sent)
        for d in sent:
            d.decode("utf-8")  # valid UTF-8, every one
        assert any("Entrepôt Est OrderBridge".encode() in d for d in sent)
    for path in sent_856s_and_810s(ws, ("canadiantire", "loblaw")):  # what each gets is read and taken as sent
        read_back(path.read_bytes())
        assert bots_check(path.read_bytes(), tmp_path)[0], path.name


def test_the_night_delivered_again_writes_the_same_bytes(night, tmp_path):
    """Deterministic: the documents' stored UTF-8 delivered again (a run that died before marking them delivered)
    gives the same bytes, so none is refused as OUTBOX_FILE_CONFLICT."""
    from connectors.state import StateStore
    from tests.support import deliver_all

    ws, _found, _states = night
    before = {p: p.read_bytes() for p in ws.drop_root.rglob("outbox/*.x12")}
    state = StateStore(ws.state_path)
    try:
        with state.transaction():
            state._q("UPDATE documents SET status='pending', delivered_at=NULL")
    finally:
        state.close()
    deliver_all(ws, datetime(2026, 11, 27, 2))
    assert {p: p.read_bytes() for p in ws.drop_root.rglob("outbox/*.x12")} == before


def test_the_character_set_a_file_shows():
    latin = (ISA + "N1*ST*Entrepôt Québec*92*2060~").encode("latin-1")
    assert charset(read_interchanges(latin)) == "latin-1"
    assert charset(read_interchanges(latin.decode("latin-1").encode())) == "utf-8"
    assert charset(read_interchanges((ISA + "N1*ST*Entrepot Quebec*92*2060~").encode())) == "ascii"
    assert charset(read_interchanges(b"\xef\xbb\xbf" + (ISA + "N1*ST*DC*92*1~").encode())) == "ascii"


def test_an_ascii_file_is_known_ascii_from_its_text():
    """The reader notes that the whole text was ASCII, so charset() answers without a pass over every value;
    a text with anything beyond ASCII leaves it to that pass."""
    plain = read_interchanges((ISA + "N1*ST*Entrepot Quebec*92*2060~").encode())
    assert plain.ascii_text and charset(plain) == "ascii"
    accented = read_interchanges((ISA + "N1*ST*Entrepôt Québec*92*2060~").encode())
    assert not accented.ascii_text and charset(accented) == "utf-8"
    marked = read_interchanges(b"\xef\xbb\xbf" + (ISA + "N1*ST*DC*92*1~").encode())
    assert charset(marked) == "ascii"


@pytest.mark.parametrize(("configured", "answered", "earlier", "expected"), [
    ("utf-8", ["latin-1"], "latin-1", "utf-8"),  # an explicit value is kept, byte for byte
    ("ascii", ["utf-8"], "", "ascii"),
    ("latin-1", [], "", "latin-1"),
    ("auto", ["latin-1"], "utf-8", "latin-1"),  # the file answered says
    ("auto", ["utf-8", "ascii"], "latin-1", "utf-8"),
    ("auto", ["ascii"], "latin-1", "latin-1"),  # a file without accents: the partner's latest with them
    ("auto", ["ascii"], "", "ascii"),  # a partner that sends ASCII only
    ("auto", [], "ascii", "ascii"),
    ("auto", ["utf-8", "latin-1"], "", "latin-1"),  # files of two kinds: the single-byte reader's
    ("auto", [], "", "utf-8"),  # nothing known (a CSV partner's X12, files taken before charsets were kept)
])
def test_the_encoding_an_answer_goes_in(configured, answered, earlier, expected):
    assert answer_encoding(configured, answered, earlier) == expected


def test_the_store_keeps_each_file_s_character_set_and_what_each_document_answers(store_target):
    """On SQLite and PostgreSQL: a file's character set (the widest of its pieces'), the partner's files in the
    order received, and per document the character sets of the files it answers (a 997's own, an 855's PO's)."""
    from connectors.state import StateStore
    from engine.lifecycle.table import create
    from schemas.lifecycle import OrderLines, OrderRecord, OrderState, Plan, PlannedDocument, PlannedSet
    from tests.support import numbers_render as render

    at, later = "2026-11-27T02:00:00", "2026-11-28T02:00:00"
    store = StateStore(store_target())
    try:
        for sha, when, pieces in (("a" * 64, at, ("ascii", "latin-1", "ascii")), ("b" * 64, at, ("utf-8",)),
                                  ("c" * 64, later, ("ascii",))):
            store.record_file("acme", sha, f"{sha[0]}.x12", 10, when, "processed")
            for piece in pieces:
                store.record_charset("acme", sha, piece)
        store.record_file("acme", "d" * 64, "d.csv", 10, at, "processed")  # a CSV file: none kept
        assert store.file_charsets("acme") == [(at, "utf-8"), (at, "latin-1"), (later, "ascii")]
        assert store.file_charsets("other") == []
        order = OrderRecord("acme", "PO-1", OrderState.RECEIVED, order_ref="1-1-1", lines_key="k",
                            source_sha256="b" * 64)
        store.apply(Plan(transitions=(create(order, at=at, run_id="r1", note="received"),),
                         lines=(OrderLines("acme", "PO-1", ()),)), run_id="r1")
        docs = (PlannedDocument("acme", "997", "FA", (PlannedSet("997:a", (("AK1", "PO", "1"),), "", "a" * 64),)),
                PlannedDocument("acme", "855", "PR", (PlannedSet("855:PO-1", (("BAK", "00"),), "PO-1"),)),
                PlannedDocument("acme", "864", "TX", (PlannedSet("864:x", (("BMG", "00"),), "", "d" * 64),)))
        store.apply(Plan(documents=docs), render=render, at=later, run_id="r2")
        ids = {d.doc_type: d.id for d in store.documents("acme")}
        got = store.answered_charsets("acme", sorted(ids.values()))
        assert got == {ids["997"]: (later, ["latin-1"]), ids["855"]: (later, ["utf-8"]), ids["864"]: (later, [])}
    finally:
        store.close()
