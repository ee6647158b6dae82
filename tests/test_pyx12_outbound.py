"""A second validator for what we send: pyx12's map-driven validator (pyx12.x12n_document) with maps
generated from OUR dictionaries (engine.pyx12_maps), and Bots' grammars, must both accept every 855,
856 and 810 of the demo (and its 865s and 997s), in 004010 and 005010. Two engines that share nothing
with each other or with our reader. And pyx12 with these maps does reject broken documents."""

from __future__ import annotations

import io
import logging

import pytest

from tests.shipping_support import EARLY_RELEASES, LATER_RELEASES, PYX12_EARLY_ISA12, PYX12_ISA12, pyx12_map_folders
from tests.support import shipping_demo

pyx12_document = pytest.importorskip("pyx12.x12n_document")
import pyx12.map_if  # noqa: E402
import pyx12.params  # noqa: E402

SENT = ("855", "856", "810", "865", "997")


@pytest.fixture(scope="module")
def maps(tmp_path_factory):
    return pyx12_map_folders(tmp_path_factory)


@pytest.fixture(scope="module")
def sent(tmp_path_factory):
    ws = shipping_demo(tmp_path_factory.mktemp("pyx12") / "ws")["ws"]
    return sorted(p for p in ws.drop_root.glob("*/outbox/*.x12") if p.name.split("-")[1] in SENT)


_LOADED: dict[tuple[str, str | None], object] = {}


def _load_map_once(map_file: str, param, map_path: str | None = None):
    """pyx12.map_if.load_map_file, each (map file, map folder) parsed once per process: pyx12 parses the map's XML
    again for every document (~0.15 s of its ~0.16 s a document). Its maps are read-only while it validates (the
    segment counts live in its walker's counter since pyx12 4; only paths are memoised on the nodes): on 794
    documents (outbound 855/856/810s of the suite's nights and as many mutants, accepted, rejected and raising) the
    verdicts and the 997/999s were the same with and without it, but for their dates and control numbers."""
    key = (map_file, map_path)
    if key not in _LOADED:
        _LOADED[key] = _PARSE_MAP(map_file, param, map_path)
    return _LOADED[key]


_PARSE_MAP = pyx12.map_if.load_map_file


def pyx12_accepts(text: str, maps) -> tuple[bool, str]:
    """pyx12's verdict on one interchange with our maps for its version, and the 997/999 it wrote (its maps
    parsed once per process: _load_map_once)."""
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    isa12 = text[84:89]
    later = f"{isa12}0" if f"{isa12}0" in LATER_RELEASES + EARLY_RELEASES else ""  # 00403 -> 004030
    version = "005010" if isa12 == "00501" else later or "004010"
    if version in LATER_RELEASES:  # pyx12 reads ISA12 00401 and 00501 only (tests.shipping_support.PYX12_ISA12)
        text = text[:84] + PYX12_ISA12 + text[89:]
    elif version in EARLY_RELEASES:  # an 856 in 003050, an 810 in 003040: as 00401 (ISA11 "U" in both)
        text = text[:84] + PYX12_EARLY_ISA12 + text[89:]
    ack = io.StringIO()
    pyx12.map_if.load_map_file = _load_map_once  # x12n_document looks it up on the module at each call
    try:
        ok = pyx12_document.x12n_document(pyx12.params.params(), io.StringIO(text), ack, None,
                                          map_path=str(maps[version]))
    finally:
        pyx12.map_if.load_map_file = _PARSE_MAP
    return ok, ack.getvalue()


def test_the_maps_cover_what_we_send_in_both_versions(maps):
    for version, folder in maps.items():
        names = {p.name for p in folder.iterdir()}
        if version in EARLY_RELEASES:  # the sets we write in that release only (schemas.x12dict.EARLY_RELEASES)
            from schemas.x12dict import EARLY_RELEASES as held

            assert {f"{s}.{version}.xml" for s in held[version]} == {n for n in names if n[0].isdigit()}
            continue
        assert {f"{s}.{version}.xml" for s in ("855", "856", "810", "865", "997")} <= names
        assert {"maps.xml", "dataele.xml", "codes.xml"} <= names
        index = (folder / "maps.xml").read_text()
        assert 'fic="SH" abbr="856"' in index and 'fic="IN" abbr="810"' in index and 'fic="PR" abbr="855"' in index


def test_a_later_release_s_maps_are_its_version_s_dictionary_under_its_own_labels():
    """A partner whose guides are 004030 gets its 855/856/810 labelled 004030 (gs_version, isa_version 00403),
    built and checked by 004010's dictionary: its pyx12 maps are 004010's under ISA12 00403 and GS08 004030 (pyx12
    picks a map by those). A GS08 with an identifier, or a release we do not write, has none."""
    from engine.pyx12_maps import map_files

    later, base = map_files("004030"), map_files("004010")
    assert set(later) == {n.replace("004010", "004030").replace("00401", "00403") for n in base}
    assert '<version icvn="00403">' in later["maps.xml"] and '<map vriic="004030" fic="SH" abbr="856">' in \
        later["maps.xml"]
    assert "<code>00403</code>" in later["856.004030.xml"] and "<code>00401</code>" not in later["856.004030.xml"]
    assert later["856.004030.xml"].replace("004030", "004010").replace("00403", "00401") == base["856.004010.xml"]
    for version in ("004030VICS", "003030", "006020"):
        with pytest.raises(ValueError, match="no dictionary"):
            map_files(version)


def test_every_outbound_document_passes_pyx12_with_our_maps(sent, maps):
    kinds = {(p.name.split("-")[1], p.read_text()[84:89]) for p in sent}
    assert {(k, v) for k in ("855", "856", "810") for v in ("00401", "00501")} <= kinds  # both versions
    failures = {}
    for path in sent:
        ok, ack = pyx12_accepts(path.read_text(), maps)
        if not ok:
            failures[path.name] = ack[:800]
    assert failures == {}


def test_every_outbound_document_passes_the_bots_grammars(sent):
    edi_parser = pytest.importorskip("edi_parser")
    logging.getLogger("edi_parser").setLevel(logging.CRITICAL)
    failures = {p.name: r.get("errors") for p in sent
                for r in [edi_parser.parse_edi_file_path(str(p), editype="x12", messagetype="x12")]
                if not r.get("success")}
    assert failures == {}


def _first(sent, kind: str, version: str) -> str:
    return next(p.read_text() for p in sent if p.name.split("-")[1] == kind and p.read_text()[84:89] == version)


@pytest.mark.parametrize("kind,version,mutate", [
    ("856", "00401", lambda t, e: _drop(t, e, "BSN")),  # mandatory segment missing
    ("856", "00501", lambda t, e: _drop(t, e, "BSN")),
    ("856", "00401", lambda t, e: _edit(t, e, "SN1", 2, "ten")),  # SN102 is R: a number
    ("810", "00401", lambda t, e: _edit(t, e, "BIG", 1, "2026-11-27")),  # BIG01 not a date
    ("810", "00501", lambda t, e: _edit(t, e, "TDS", 1, "12.5")),  # TDS01 is N2: no decimal point
    ("855", "00401", lambda t, e: _edit(t, e, "BAK", 1, "XX")),  # BAK01 not a 353 code
])
def test_pyx12_with_our_maps_rejects_broken_documents(sent, maps, kind, version, mutate):
    text = _first(sent, kind, version)
    element = text[3]
    assert pyx12_accepts(text, maps)[0]
    broken = mutate(text, element)
    assert broken != text
    ok, ack = pyx12_accepts(broken, maps)
    assert not ok, ack


def _segments(text: str) -> tuple[list[str], str]:
    terminator = text[105]
    return [s for s in text.split(terminator)], terminator


def _drop(text: str, element: str, seg: str) -> str:
    segs, t = _segments(text)
    kept = [s for s in segs if s.strip().split(element)[0] != seg]
    return t.join(kept)


def _edit(text: str, element: str, seg: str, position: int, value: str) -> str:
    segs, t = _segments(text)
    out = []
    done = False
    for s in segs:
        parts = s.split(element)
        if not done and parts[0].strip() == seg:
            parts[position] = value
            done = True
        out.append(element.join(parts))
    return t.join(out)


@pytest.mark.parametrize("partner", ["acme", "globex"])  # 004010 and 005010
def test_pyx12_accepts_the_vendor_number_where_the_guides_put_it(maps, partner):
    """REF*IA (fulfilment.asn / fulfilment.invoice vendor_number): in each 856 order loop after its PRF, in
    the 810 heading after REF SI/BM (the demo's partners set none, so the demo documents never carry it);
    and a description, a ship-to name, street and city longer than their elements, cut to fit."""
    from datetime import date
    from decimal import Decimal

    from engine.asn import build_856
    from engine.invoice import build_810
    from schemas.fulfilment import AsnSettings, InvoiceSettings
    from schemas.invoices import Invoice, InvoiceLine
    from schemas.shipments import Party, ProductId
    from tests.shipping_support import NOW, PROFILES, sample_shipment, wrap_for

    asn = build_856(sample_shipment(pallets=True), AsnSettings(structure="SOTPI", vendor_number="V 0042"), created=NOW)
    inv = Invoice(invoice_number="INV-1", invoice_date=date(2026, 11, 28), po_number="PO-1", po_date=date(2026, 11, 20),
                  currency="USD", shipment_id="SHP-0001", bill_of_lading="BOL-1",
                  ship_to=Party("ST", "D" * 70, "92", "DC07", "A" * 60, "", "C" * 40, "CA", "94301", "US"),
                  lines=(InvoiceLine("1", Decimal(2), "EA", Decimal("2.5"), (ProductId("UP", "073000040482"),), "PE",
                                     "W" * 79 + " " + "X" * 40),))  # PID05 cut to its 80
    invoice = build_810(inv, InvoiceSettings(vendor_number="V 0042"), shipped={"1": Decimal(2)})
    for functional_id, set_id, body in (("SH", "856", asn), ("IN", "810", invoice)):
        assert ["REF", "IA", "V 0042"] in body
        ok, ack = pyx12_accepts(wrap_for(PROFILES[partner], functional_id, set_id, [body]).decode(), maps)
        assert ok, ack
