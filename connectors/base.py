"""The file-drop protocol every connector implements (local folders, SFTP, in-memory).

Folders are logical names ("inbox", "outbox", "processed", "quarantine", "archive"); each
connector maps them to real places ("outbox/<path>": a profile's [delivery] folder under the outbox).
Writes go to a temporary name and are renamed into place (or, as [delivery] upload asks, through a
staging folder or under the final name: LocalDrop.write_many, SftpDrop.write).
Connectors never parse file contents and never import parsers.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

FOLDERS = ("inbox", "outbox", "processed", "quarantine", "archive")
MAX_NAME_BYTES = 255  # a file name on the file systems we write to (ext4, xfs, tmpfs...)

# A name we accept from a partner: no separators, no "..", no NUL/control characters. Matched whole (fullmatch):
# with re.match a "$" also matches before a final line break, so "po.x12\n" passed.
_SAFE_NAME = re.compile(r"(?!\.\.?$)[^/\\\x00-\x1f\x7f]{1,255}")


def is_safe_name(name: str) -> bool:
    return bool(_SAFE_NAME.fullmatch(name)) and ".." not in name


LOCK_SUFFIXES = (".lock", ".lck")  # a partner's "being written" marker beside the file it guards


def in_progress(name: str, names: Collection[str], temp_suffixes: tuple[str, ...]) -> bool:
    """``name`` is someone's file still being written, never read: hidden (``.x``), a temporary suffix
    (``.tmp``, ``.part``, WinSCP's ``.filepart``, per profile) in any letter case (a Windows or mainframe
    client writes ``PO7.X12.TMP``), a ``~`` prefix (upload tools' temporary names), a lock file itself, or
    a file with a lock file of its name or stem beside it in ``names`` (``po.x12.lock``, ``po.lck`` for
    ``po.x12``)."""
    low = name.lower()
    if name.startswith((".", "~")) or low.endswith(LOCK_SUFFIXES) or \
            any(low.endswith(suffix.lower()) for suffix in temp_suffixes):
        return True
    stem = name.rsplit(".", 1)[0]
    return any(base + lock in names for base in (name, stem) for lock in (*LOCK_SUFFIXES, ".LOCK", ".LCK"))


def display_name(name: str) -> str:
    """A printable, unambiguous form of a name for reports (its repr; undecodable bytes as escapes)."""
    return repr(name)


def bounded_name(name: str, *, prefix: str = "", suffix: str = "") -> str:
    """``prefix + name + suffix`` within MAX_NAME_BYTES of UTF-8: ``name`` is cut (at a character
    boundary) and, when cut, ends with 8 hex digits of its hash, so two long names stay apart."""
    room = MAX_NAME_BYTES - len((prefix + suffix).encode("utf-8"))
    raw = name.encode("utf-8", "surrogateescape")
    if len(raw) > room:
        tag = "~" + hashlib.sha256(raw).hexdigest()[:8]
        name = raw[: room - len(tag)].decode("utf-8", "ignore") + tag
    return prefix + name + suffix


def archive_name(day: date, sha256: str, name: str) -> str:
    """The archive copy of a received file: ``YYYYMMDD-<sha256[:12]>-<name>``, never over MAX_NAME_BYTES."""
    return bounded_name(name, prefix=f"{day:%Y%m%d}-{sha256[:12]}-")


@dataclass(frozen=True, slots=True)
class FileInfo:
    name: str
    size: int
    mtime: float


@dataclass(frozen=True, slots=True)
class Refusal:
    """An inbox entry that is never read: ``code`` is FILE_NAME_REFUSED (a name that is unsafe or not
    UTF-8) or FILE_TYPE_REFUSED (a symlink, FIFO, socket or device); ``name`` is printable."""

    name: str
    code: str
    reason: str


@runtime_checkable
class FileDrop(Protocol):
    def list(self, folder: str) -> list[FileInfo]:
        """Files ready to read in ``folder``, sorted by name (hidden and temporary names skipped)."""

    def refused(self, folder: str) -> list[Refusal]:
        """Entries of ``folder`` that are never read (left where they are), each with its reason."""

    def read(self, folder: str, name: str, *, expected_size: int | None = None) -> bytes:
        """The whole file; TransientError if its size is not ``expected_size`` (it changed since listed)."""

    def write(self, folder: str, name: str, data: bytes) -> None:
        """Write to a temporary name, check, then rename into place (replacing atomically)."""

    def stat(self, folder: str, name: str) -> FileInfo | None: ...

    def move(self, folder: str, name: str, to_folder: str, to_name: str | None = None) -> None: ...

    def delete(self, folder: str, name: str) -> None: ...

    def close(self) -> None: ...


class Nesting:
    """A scope that may be entered inside itself (the night's stages, each in its own, inside the night's): true while
    any is open; ``release`` runs when the outermost one ends. What connectors.order_store.handed_on and
    connectors.store_versions.keeping keep lives only inside theirs."""

    def __init__(self, release: Callable[[], None]) -> None:
        self.depth = 0
        self._release = release

    def __bool__(self) -> bool:
        return self.depth > 0

    @contextmanager
    def scope(self) -> Iterator[None]:
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
            if not self.depth:
                self._release()
