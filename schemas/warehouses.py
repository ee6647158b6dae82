"""Warehouse profiles (pydantic, frozen, extra=forbid): where shipment confirmations come from. One
profile per shipping site: our own warehouse exporting CSV confirmations, or a 3PL sending X12 945s;
its drop (local folder or SFTP), the inventory warehouse code its stock is counted under, and the
ship-from party our 856s name. Plain validated data, loaded once; flows.shipments interprets it.

Confirmations are read per warehouse, not per partner: one warehouse ships for every partner, and a
confirmation names the PO (the shipment checks find whose it is).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from schemas.errors import ConfigError
from schemas.fulfilment import ShipmentCsvMapping
from schemas.profile import DeliverySettings, DropSettings, check_delivery, isa_pairs
from schemas.shipments import Party


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ShipFrom(_Model):
    """N1 SF of our 856s (and the address block): who shipped."""

    name: str = Field(min_length=1, max_length=60)
    id_qualifier: str = Field(default="", max_length=2)  # N103: 92 assigned by buyer, UL GLN, 1 DUNS ...
    id: str = Field(default="", max_length=80)  # N104
    address1: str = ""
    address2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""

    def party(self) -> Party:
        return Party("SF", self.name, self.id_qualifier, self.id, self.address1, self.address2, self.city,
                     self.state, self.postal_code, self.country)


class Sender945(_Model):
    """The 3PL as it names itself in the ISA of its 945s (checked: a 945 from anyone else is refused)."""

    qualifier: str = Field(min_length=2, max_length=2)
    id: str = Field(min_length=1, max_length=15)
    # The other ISA05/ISA06 the 3PL may send its 945s from besides qualifier/id, as a partner's [x12] their_ids: a
    # VAN move (08 -> ZZ, or a new id), two sites or systems each with its own id through one connection. Written
    # "QQ:ID" ("08:9254110060") or [qualifier, id], kept as (qualifier, id) pairs. A 945 from a listed pair is
    # read and answered (its 997/TA1 to the pair that wrote, from the ISA07/ISA08 it wrote to, numbered in the
    # warehouse's own sequences as every other); from a pair on neither, SHIPMENT_945_SENDER_UNKNOWN as before.
    # Empty (the default): one sender
    their_ids: tuple[tuple[str, str], ...] = ()

    @field_validator("their_ids", mode="before")
    @classmethod
    def _isa_pairs(cls, v: object) -> object:
        return isa_pairs(v)

    def sends_from(self, qualifier: str, isa_id: str) -> bool:
        """A 945 interchange from ISA05/ISA06 ``qualifier``/``isa_id`` (stripped) is the 3PL's: qualifier/id or a
        pair of their_ids."""
        return (qualifier, isa_id) == (self.qualifier, self.id) or (qualifier, isa_id) in self.their_ids

    def named(self) -> str:
        """The pairs a 945 may come from, for a finding's message ("ZZ/NORTH3PL or 08/9254110060")."""
        return " or ".join(f"{q}/{i}" for q, i in ((self.qualifier, self.id), *self.their_ids))


_ANSWERS = ("997", "TA1")  # what we send a warehouse: the acknowledgments of its 945s


class WarehouseProfile(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    name: str
    stock_warehouse: str = Field(min_length=1)  # the warehouse code of snapshots and reservations (EAST)
    format: Literal["csv", "945"] = "csv"
    csv: ShipmentCsvMapping = ShipmentCsvMapping()  # the CSV layout (format = "csv")
    sender: Sender945 | None = None  # the 3PL's ISA sender (format = "945"); None: not checked
    ship_from: ShipFrom
    drop: DropSettings = DropSettings()
    # a 945 warehouse: each 945 group answered by a 997 (AK1..AK9: accepted, noted or rejected as its reading says)
    # in its drop's outbox, where it picks up (and a TA1 where its ISA14 asks). On by default: X12 acknowledges
    # every functional group unless the trading agreement says not to, and a 3PL whose guide expects a 997 resends
    # or alerts without one; false for a 3PL whose agreement wants none
    send_997: bool = True
    # a 945 warehouse: days an ISA13 it used stays its own (per sender), as a partner's [x12] duplicate_window_days: an
    # interchange whose number was received within them (the 3PL resent it) is ISA_DUPLICATE, not read (TA1 R 025, no
    # 997); after them it is taken as new with a warning (ISA_REUSED: its translator restarted its numbers). 0: never
    # taken again
    duplicate_window_days: int = Field(default=365, ge=0)
    # the warehouse's own names for its parcel services (its Service Level column, a 945's W2703) -> the X12
    # element 284 code each is (TD512: CG ground, ND next day air, SE second day ...), beside and before our list
    # (schemas/data/service_names.csv: GND, NDA, 2DA, PRIORITY OVERNIGHT ...); a shipment slower than its PO's
    # TD512 is warned (SERVICE_NOT_ROUTED), and a name neither lists is judged by nothing
    service_levels: dict[Annotated[str, Field(min_length=1, max_length=35)],
                         Annotated[str, Field(pattern=r"^[0-9A-Z]{2}$")]] = {}
    # the IANA time zone of the warehouse's clock (America/Los_Angeles): a ship time it gives without a zone (a CSV's
    # Ship Time, a 945 G62 without G6205) or in local time (G6205 LT) is its clock's, converted to ours for the ASN
    # window (a 3PL three hours west shipping at 11:40 shipped at 14:40 in New York). "" (default): our clock's
    time_zone: str = ""
    # how the 997s and TA1s answering its 945s are named and placed in its drop and uploaded, as a partner's
    # [delivery] (schemas.profile.DeliverySettings: file_name, file_names and folders of "997" and "TA1", upload,
    # staging_folder; {partner} is the warehouse's id, {po} NONE): as its 3PL's connection guide asks. Default: the
    # outbox, {id}-997-{isa13:09d}.x12, temporary names. No batch: each 997 answers one 945 group
    delivery: DeliverySettings = DeliverySettings()

    @model_validator(mode="after")
    def _delivery(self) -> WarehouseProfile:
        d = self.delivery
        other = sorted({*d.file_names, *d.folders} - set(_ANSWERS))
        if other:
            raise ValueError(f"delivery: a warehouse is sent only {' and '.join(_ANSWERS)} (answering its 945s), not "
                             f"{', '.join(other)}")
        if self.format != "945" and d.model_fields_set:
            raise ValueError("delivery: a warehouse sending CSV confirmations is sent nothing back; [delivery] is for "
                             "a 945 warehouse's 997s")
        if "batch" in d.model_fields_set:
            raise ValueError("delivery.batch: a warehouse's 997s answer one 945 group each, as they come; leave it out")
        check_delivery(self.id, d, self.drop, _ANSWERS)
        return self

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            if v:
                ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"time_zone {v!r} is no IANA time zone (America/Chicago)") from exc
        return v


def load_warehouse(path: Path) -> WarehouseProfile:
    try:
        return WarehouseProfile.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read warehouse profile: {exc}", path=str(path)) from exc
    except ValidationError as exc:
        raise ConfigError(f"invalid warehouse profile: {exc}", path=str(path)) from exc


def load_warehouses(folder: Path) -> dict[str, WarehouseProfile]:
    """Every ``*.toml`` of ``folder`` (none: no warehouse sends confirmations)."""
    out: dict[str, WarehouseProfile] = {}
    for path in sorted(Path(folder).glob("*.toml")) if Path(folder).is_dir() else []:
        w = load_warehouse(path)
        if path.stem != w.id:
            raise ConfigError("warehouse profile file name must equal its id", id=w.id, path=str(path))
        out[w.id] = w
    return out
