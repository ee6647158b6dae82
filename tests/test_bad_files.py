"""Whole files that are not what a partner should send, one kind at a time (docs/bad-inputs.md): what
each does to the file (processed or quarantined), what is answered, and what is reported."""

from __future__ import annotations

from datetime import date

from engine.process import Known, process_file
from schemas.profile import load_profiles
from tests.support import GOOD_PO, REPO, x12_850

ACME = load_profiles(REPO / "partners")["acme"]
GOOD = x12_850(GOOD_PO)


def _run(data: bytes, known: Known = Known()):
    out = process_file(data, file="f.x12", sha256="s", profile=ACME, known=known, today=date(2026, 11, 27))
    return out, {(f.code, f.severity) for f in out.findings}, [d.doc_type for d in out.documents]


def test_an_empty_file_or_one_that_is_not_x12_is_quarantined_unanswered():
    for data in (b"", b"%PDF-1.7 a purchase order as a PDF\n", GOOD.decode().encode("utf-16")):
        out, codes, docs = _run(data)
        assert ("X12_NOT_EDI", "error") in codes and docs == [] and out.disposition == "quarantine"


def test_bytes_before_the_isa_or_after_the_iea_are_reported_and_the_po_is_taken():
    for data, code in ((b"GARBAGE HEADER\n" + GOOD, "X12_LEADING_GARBAGE"),
                       (GOOD + b"junk after", "X12_TRAILING_GARBAGE")):
        out, codes, docs = _run(data)
        assert codes == {(code, "warning")} and docs == ["997"] and out.orders.num_rows == 1
        assert out.disposition == "processed"


def test_a_latin1_file_is_read_with_a_warning_and_a_bom_is_skipped():
    out, codes, _ = _run(GOOD.replace(b"WIDGET", b"WIDG\xe9T"))
    assert codes == {("X12_NOT_UTF8", "warning")} and out.orders.num_rows == 1
    out, codes, _ = _run(b"\xef\xbb\xbf" + GOOD)
    assert codes == set() and out.orders.num_rows == 1


def test_a_latin1_file_from_a_partner_whose_profile_says_latin1_is_read_without_the_warning():
    """A partner whose profile says its translator is ISO-8859-1 ([x12] encoding = "latin-1") sends every file so:
    its Latin-1 file is read the same (the accent as meant) with no X12_NOT_UTF8 on each (it was, every night);
    other partners' Latin-1 files keep the warning."""
    latin = ACME.model_copy(update={"x12": ACME.x12.model_copy(update={"encoding": "latin-1"})})
    data = GOOD.replace(b"WIDGET", b"WIDG\xe9T")
    out = process_file(data, file="f.x12", sha256="s", profile=latin, known=Known(), today=date(2026, 11, 27))
    assert out.findings == [] and out.orders.num_rows == 1 and out.parse.encoding == "cp1252"
    assert "WIDG\u00e9T" in out.lines["description"].to_pylist()
    out, codes, _ = _run(data)
    assert codes == {("X12_NOT_UTF8", "warning")}


def test_the_not_utf8_warning_names_the_encoding_to_set_in_the_partner_s_profile():
    """A partner on the default [x12] encoding "auto" that sends ISO-8859-1 or Windows-1252 gets X12_NOT_UTF8 on
    every file (it still does: its file is no UTF-8). The warning said only "read as Windows-1252 (Latin-1)"; it now
    tells ops what ends it, the encoding its file shows: "cp1252" for one using Windows-1252's own letters (0x92
    "’"), else "latin-1", in the [x12] table of partners/acme.toml. A profile saying "utf-8" is told it is sent
    UTF-8."""
    def message(data: bytes, profile=ACME) -> str:
        out = process_file(data, file="f.x12", sha256="s", profile=profile, known=Known(), today=date(2026, 11, 27))
        [warning] = [f for f in out.findings if f.code == "X12_NOT_UTF8"]
        assert warning.severity == "warning" and out.orders.num_rows == 1
        return warning.message

    assert ACME.x12.encoding == "auto"
    latin = message(GOOD.replace(b"WIDGET", b"WIDG\xe9T"))
    assert latin.startswith("Not valid UTF-8 at byte ") and "read as Windows-1252 (Latin-1)." in latin
    assert 'set encoding = "latin-1" in the [x12] table of its profile (partners/acme.toml)' in latin
    windows = message(GOOD.replace(b"WIDGET", b"WIDG\x92T"))
    assert 'set encoding = "cp1252" in the [x12] table of its profile (partners/acme.toml)' in windows
    assert "If acme always sends Windows-1252" in windows
    utf8 = ACME.model_copy(update={"x12": ACME.x12.model_copy(update={"encoding": "utf-8"})})
    said = message(GOOD.replace(b"WIDGET", b"WIDG\xe9T"), utf8)
    assert 'Its profile says [x12] encoding = "utf-8"' in said and 'set encoding = "latin-1"' in said


def test_a_truncated_file_is_rejected_with_a_ta1_and_quarantined():
    out, codes, docs = _run(GOOD[:200])
    assert ("IEA_MISSING", "error") in codes and docs == ["TA1"] and out.disposition == "quarantine"
    assert out.orders.num_rows == 0


def test_an_interchange_received_before_is_not_taken_again():
    out, codes, docs = _run(GOOD, Known(interchanges=frozenset({("ACMERETAIL", "000000001")})))
    assert codes == {("ISA_DUPLICATE", "error")} and docs == ["TA1"] and out.orders.num_rows == 0


def test_an_interchange_from_another_sender_in_this_partners_drop_is_not_answered():
    out, codes, docs = _run(GOOD.replace(b"ACMERETAIL     ", b"SOMEONEELSE    ", 1))
    assert codes == {("PARTNER_SENDER_MISMATCH", "error")} and docs == [] and out.orders.num_rows == 0


def test_a_compressed_file_is_quarantined_unanswered_with_a_finding_naming_its_kind():
    import gzip
    import io
    import zipfile

    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("po.x12", GOOD)
    for data, kind in ((gzip.compress(GOOD), "gzip"), (packed.getvalue(), "zip")):
        out, codes, docs = _run(data)
        assert codes == {("X12_NOT_EDI", "error")} and docs == [] and out.disposition == "quarantine"
        [f] = out.findings
        assert f.location.value == kind and f"{kind}-compressed" in f.message and "uncompressed" in f.message
