"""Service levels (X12 element 284, TD512 of a TD5): how fast each code we can judge delivers, and the names a
warehouse gives its parcel services (GND, NDA, 2DA, PRIORITY OVERNIGHT) by the code each is. Reference data
(schemas/data/service_levels.csv, service_names.csv), loaded once; a warehouse profile's ``service_levels`` adds
its own names (schemas.warehouses).

Only codes whose name states their speed are ranked (Same Day, Next Day Air, Second Day, Three Day Service,
Ground ...); any other code (Saturday, Express Service, Deferred, Mutually Defined) and any name not listed is no
service we can compare: nothing is judged by it.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType


def _rows(name: str) -> list[dict[str, str]]:
    text = (resources.files(__package__) / "data" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@functools.cache
def service_speeds() -> Mapping[str, int]:
    """Element 284 code -> its speed (0 same day, 1 next day, 2 second day, 3 third day, 4 ground): the lower,
    the faster; codes of one speed (ND, ON, PA ...) are alike."""
    return MappingProxyType({r["code"]: int(r["speed"]) for r in _rows("service_levels.csv")})


@functools.cache
def _code_names() -> Mapping[str, str]:
    return MappingProxyType({r["code"]: r["name"] for r in _rows("service_levels.csv")})


@functools.cache
def service_names() -> Mapping[str, str]:
    """A warehouse's name for its service (as service_name_key reads it) -> its element 284 code."""
    return MappingProxyType({service_name_key(r["name"]): r["code"] for r in _rows("service_names.csv")})


@functools.cache
def carrier_names() -> Mapping[str, str]:
    """A parcel carrier's service or name as shipping tools and WMS exports write it where the 856 needs a SCAC
    ("UPS Ground", "FedEx Home Delivery", "USPS Priority Mail"; as carrier_name_key reads it) -> its SCAC
    (schemas/data/carrier_names.csv): the names of one carrier only (a bare "FedEx" is Ground or Express: not
    listed), read after a warehouse profile's own [csv] carriers."""
    return MappingProxyType({carrier_name_key(r["name"]): r["scac"] for r in _rows("carrier_names.csv")})


@functools.cache
def carrier_choices() -> Mapping[str, str]:
    """A carrier's name that names several companies or services of several SCACs, where a shipping tool's export
    names no service that says which (a bare "DHL": DHL Express, DHL eCommerce, DHL Supply Chain ...; a bare "FedEx":
    Ground, Express or Freight; as carrier_name_key reads it) -> the choices, said for a finding
    (schemas/data/carrier_choices.csv): such a cell is no SCAC, though "DHL" has a SCAC's shape."""
    return MappingProxyType({carrier_name_key(r["name"]): r["choices"] for r in _rows("carrier_choices.csv")})


def carrier_name_key(text: str) -> str:
    """A carrier or service name as it is looked up: service_name_key without the trademark signs a shipping tool
    writes ("UPS® Ground", "FedEx Home Delivery®", "(R)", "(TM)")."""
    for mark in ("®", "™", "℠", "(R)", "(TM)", "(r)", "(tm)"):
        text = (text or "").replace(mark, " ")
    return service_name_key(text)


def service_name_key(text: str) -> str:
    """A service name as it is looked up: upper case, a hyphen as a space, one space between words."""
    return " ".join((text or "").upper().replace("-", " ").split())


def service_label(code: str) -> str:
    """``code`` after its element 284 name (Next Day Air (ND)), for a message."""
    return f"{_code_names()[code]} ({code})" if code in _code_names() else code


def service_code(said: str | None, names: Mapping[str, str] | None = None) -> str:
    """The element 284 code of the service a confirmation names (``said``: its Service Level, a 945's W2703): a
    ranked code as given (ND), else the code of a name the warehouse's own ``names`` (its profile's
    service_levels) or our reference list gives (GND: CG); "" for none of them (an unknown name, a code we do
    not rank, no service)."""
    key = service_name_key(said or "")
    if not key:
        return ""
    if key in service_speeds():
        return key
    own = {service_name_key(k): v.strip().upper() for k, v in (names or {}).items()}
    return own.get(key) or service_names().get(key, "")
