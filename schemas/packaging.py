"""Packaging codes (X12 element 103, TD101 of a TD1): part 1 the packaging form (3 characters: CTN carton, CYL
cylinder, DRM drum, PLT pallet ...), part 2 the packaging material (2 digits: 25 corrugated or solid, 94 wood ...),
part 1 always given when the element is. Reference data (schemas/data/packaging_forms.csv, packaging_materials.csv,
written by us from the public code list), loaded once; reading and judging a code only, no I/O of its own.

The lists we hold name the forms and materials a shipment is described by; they are not every code of every X12
release (later releases add forms: AAA Pallet, Returnable). A code of the right shape whose form or material is not
listed is still a packaging code: written as given, the reader only warns (``unlisted``).
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType

DEFAULT_PACKAGING = "CTN25"  # corrugated carton: what the 856 says of a package nothing else describes


def _rows(name: str) -> list[dict[str, str]]:
    text = (resources.files(__package__) / "data" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@functools.cache
def packaging_forms() -> Mapping[str, str]:
    """Part 1 of element 103 (the packaging form) -> its name."""
    return MappingProxyType({r["code"]: r["name"] for r in _rows("packaging_forms.csv")})


@functools.cache
def packaging_materials() -> Mapping[str, str]:
    """Part 2 of element 103 (the packaging material) -> its name."""
    return MappingProxyType({r["code"]: r["name"] for r in _rows("packaging_materials.csv")})


def packaging_code(text: str | None) -> str | None:
    """``text`` as a TD101 writes it (upper case, no blanks: " cyl " -> "CYL"; "ctn25" -> "CTN25"), or None when it
    is no packaging code's shape: 3 letters or digits, one a letter at least (the form: CTN, CX2), optionally
    followed by 2 digits (the material)."""
    if text is None:
        return None
    code = text.strip().upper()
    form, material = code[:3], code[3:]
    if len(code) not in (3, 5) or not code.isascii() or not form.isalnum() or not any(c.isalpha() for c in form):
        return None
    return code if not material or material.isdigit() else None


def why_not_packaging(text: str) -> str:
    """Why ``text`` is no packaging code (packaging_code gives None), as a reader says it."""
    return (f"{text!r} is no packaging code (X12 element 103: a 3-character form such as CTN, CYL, DRM, PLT, BAG, "
            "optionally followed by its 2-digit material, 25 corrugated, 94 wood: CTN25, PLT94)")


def unlisted(code: str) -> str:
    """What of the packaging ``code`` (packaging_code's) is on neither list we hold ("" when both parts are)."""
    parts = []
    if code[:3] not in packaging_forms():
        parts.append(f"the form {code[:3]!r}")
    if len(code) == 5 and code[3:] not in packaging_materials():
        parts.append(f"the material {code[3:]!r}")
    return " and ".join(parts)
