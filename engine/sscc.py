"""SSCC-18 (GS1 Serial Shipping Container Code): build one from (company prefix, extension digit,
serial), check one, render it for MAN02, and say how many serials a prefix allows.

Pure: the serial sequence itself is persisted by the state store (never reused for a year); this
module only turns a serial into digits. Layout: extension digit (1) + GS1 company prefix (4-12) +
serial reference (16 - prefix length, zero padded) + GS1 mod-10 check digit = 18 digits; with the
application identifier 00 in front it is the 20-digit GS1-128 element string.
"""

from __future__ import annotations

from schemas.reference import gs1_check_digit as check_digit
from schemas.reference import sscc18 as checked_sscc  # the 18 digits of a valid SSCC-18 (AI 00 or not), else None
from schemas.reference import sscc_digits as strip_ai

AI = "00"
LENGTH = 18


def serial_capacity(company_prefix: str) -> int:
    """How many distinct serial references one extension digit gives under ``company_prefix``."""
    _check_prefix(company_prefix)
    return 10 ** (16 - len(company_prefix))


def build_sscc(company_prefix: str, extension_digit: int, serial: int) -> str:
    """The 18-digit SSCC for ``serial`` (0 <= serial < serial_capacity(prefix)). Raises ValueError
    for a bad prefix, extension digit or a serial the prefix cannot hold (a configuration error:
    the state store must never hand out such a serial)."""
    _check_prefix(company_prefix)
    if not isinstance(extension_digit, int) or not 0 <= extension_digit <= 9:
        raise ValueError(f"the extension digit must be 0-9, got {extension_digit!r}")
    width = 16 - len(company_prefix)
    if not isinstance(serial, int) or serial < 0 or serial >= 10**width:
        raise ValueError(f"serial {serial!r} does not fit the {width}-digit serial reference of prefix "
                         f"{company_prefix}")
    body = f"{extension_digit}{company_prefix}{serial:0{width}d}"
    return body + str(check_digit(body))


def sscc_valid(code: str | None) -> bool:
    """True for 18 digits (or "00" + 18 digits) whose last digit is the GS1 check digit."""
    return checked_sscc(code) is not None


def man02(sscc: str, *, with_ai: bool = True) -> str:
    """MAN02 for a MAN*GM: the SSCC with AI 00 (20 digits) or alone (18), as the partner asks."""
    digits = checked_sscc(sscc)
    if digits is None:
        raise ValueError(f"not a valid SSCC-18: {sscc!r}")
    return AI + digits if with_ai else digits


def serial_of(sscc: str, company_prefix: str) -> int | None:
    """The serial reference of one of our SSCCs (None when it is not under ``company_prefix``)."""
    digits = strip_ai(sscc)
    if digits is None or digits[1: 1 + len(company_prefix)] != company_prefix:
        return None
    return int(digits[1 + len(company_prefix): -1])


def _check_prefix(company_prefix: str) -> None:
    if not (isinstance(company_prefix, str) and company_prefix.isascii() and company_prefix.isdigit()
            and 4 <= len(company_prefix) <= 12):
        raise ValueError(f"a GS1 company prefix is 4-12 digits, got {company_prefix!r}")
