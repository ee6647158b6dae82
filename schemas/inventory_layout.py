"""Stored import layouts of `orderbridge inventory load` (pydantic, frozen, extra=forbid): how one warehouse's or
system's stock and receipts exports are written (the columns to read, its names of our warehouses, its date format,
decimal mark, encoding, whether an empty quantity is a zero), kept in the workspace as inventory/layouts/NAME.toml
and named on the load (--layout NAME). Plain validated data; flows.inventory_load lays the command line over it.
"""

from __future__ import annotations

import codecs
import re
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from schemas.errors import ConfigError
from schemas.inventory import RECEIPT_FIELDS, STOCK_FIELDS

LAYOUT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _date_format(v: str | None) -> str | None:
    """A strptime format that writes a day and reads it back ("%d.%m.%Y"), not a literal ("dd.mm.yyyy")."""
    if v is None:
        return v
    probe = date(2026, 12, 9)
    try:
        if "%" not in v or datetime.strptime(probe.strftime(v), v).date() != probe:
            raise ValueError
    except ValueError:
        raise ValueError(f"date_format {v!r} is no strptime format of a day (e.g. %m/%d/%Y, %d.%m.%Y)") from None
    return v


def _encoding(v: str | None) -> str | None:
    if v is not None:
        try:
            codecs.lookup(v)
        except LookupError:
            raise ValueError(f"encoding {v!r} is no encoding Python knows (e.g. \"cp1252\")") from None
    return v


class _Format(_Model):
    """How a file writes its values; None: not said here (the layout's shared value, then the default)."""

    date_format: str | None = None
    decimal_comma: bool | None = Field(default=None, strict=True)  # true/false, not "yes" (TOML has booleans)
    encoding: str | None = None
    empty_is_zero: bool | None = Field(default=None, strict=True)
    warehouse: str | None = Field(default=None, min_length=1)  # the warehouse of a file with no warehouse column

    @field_validator("date_format")
    @classmethod
    def _date(cls, v: str | None) -> str | None:
        return _date_format(v)

    @field_validator("encoding")
    @classmethod
    def _enc(cls, v: str | None) -> str | None:
        return _encoding(v)


class FileLayout(_Format):
    """One file's columns (field -> the export's column name) and its own formats."""

    columns: dict[str, str] = {}


class StockLayout(FileLayout):
    @field_validator("columns")
    @classmethod
    def _fields(cls, v: dict[str, str]) -> dict[str, str]:
        return _known(v, STOCK_FIELDS, "stock")


class ReceiptsLayout(FileLayout):
    # "warehouses": the file's receipts replace those loaded before of the warehouses it names, the others' kept (one
    # DC's or one source's export); "all": every receipt loaded before (an ERP's every open purchase order)
    replace: Literal["warehouses", "all"] | None = None

    @field_validator("columns")
    @classmethod
    def _fields(cls, v: dict[str, str]) -> dict[str, str]:
        return _known(v, RECEIPT_FIELDS, "receipts")


def _known(columns: dict[str, str], fields: tuple[str, ...], what: str) -> dict[str, str]:
    for k, v in columns.items():
        if k not in fields:
            raise ValueError(f"[{what}.columns] {k!r} is no field ({', '.join(fields)})")
        if not v.strip():
            raise ValueError(f"[{what}.columns] {k!r}: name the export's column")
    return columns


class AdviceLayout(_Model):
    """How a 3PL's 846 says its stock (engine.inventory_846), where its guide reads otherwise than the reader."""

    # QTY01 -> what it is read as: "on_hand", "available", "held", "coming", "not_counted" (34 = "available")
    qty: dict[str, Literal["on_hand", "available", "held", "coming", "not_counted"]] = {}
    sdq: str | None = Field(default=None, min_length=2, max_length=2)  # the QTY01 an SDQ's quantities are of
    # the LQ codes marking an item's stock held whole (damaged, on hold): "DMG", an LQ02 of any list; "ZZ:DMG", an
    # LQ02 of the list LQ01 names (a code another list of the partner's also has)
    held_codes: list[str] = []
    held_in_on_hand: bool = Field(default=True, strict=True)  # false: QTY 17 leaves the held stock out already

    @field_validator("held_codes")
    @classmethod
    def _codes(cls, v: list[str]) -> list[str]:
        for code in v:
            if not code.strip() or any(not part.strip() for part in code.split(":")) or code.count(":") > 1:
                raise ValueError(f"[advice] held_codes {code!r}: an LQ02 code (\"DMG\"), or LQ01:LQ02 (\"ZZ:DMG\")")
        return v

    @field_validator("qty")
    @classmethod
    def _qualifiers(cls, v: dict[str, str]) -> dict[str, str]:
        for k in v:
            if not re.fullmatch(r"[0-9A-Z]{2}", k):
                raise ValueError(f"[advice.qty] {k!r}: a QTY01 is two letters or digits (\"34\")")
        return v


class InventoryLayout(_Format):
    """A stored layout: formats shared by both files, each file's own ([stock], [receipts]: theirs win), and the
    export's names of our warehouses."""

    locations: dict[str, str] = {}  # the export's name of a warehouse -> our code ("East Coast DC" = "EAST")
    stock: StockLayout = StockLayout()
    receipts: ReceiptsLayout = ReceiptsLayout()
    advice: AdviceLayout = AdviceLayout()  # a 3PL's 846

    @field_validator("locations")
    @classmethod
    def _places(cls, v: dict[str, str]) -> dict[str, str]:
        for k, code in v.items():
            if not k.strip() or not code.strip():
                raise ValueError(f"[locations] {k!r} = {code!r}: a name and a warehouse code")
        return v


def load_inventory_layout(folder: Path, name: str) -> InventoryLayout:
    """folder/NAME.toml; ConfigError naming the file when there is none, it is not TOML, or a key or value is
    wrong (an unknown key is refused: a misspelt "decimal_coma" would otherwise read 1.200 as 1.2)."""
    if not LAYOUT_NAME.match(name):
        raise ConfigError(f"no such layout name {name!r}: letters, digits, '.', '-', '_'")
    path = Path(folder) / f"{name}.toml"
    if not path.is_file():
        known = sorted(p.stem for p in Path(folder).glob("*.toml")) if Path(folder).is_dir() else []
        raise ConfigError(f"no layout {name!r}: {path} does not exist"
                          f"{' (layouts: ' + ', '.join(known) + ')' if known else ''}")
    try:
        return InventoryLayout.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read layout: {exc}", path=str(path)) from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'layout'}: "
                             f"{'unknown key' if e['type'] == 'extra_forbidden' else e['msg']}"
                             for e in exc.errors())
        raise ConfigError(f"invalid layout: {problems}", path=str(path)) from exc
