"""The file-drop protocol every connector implements (local folders, SFTP, in-memory).

Folders are logical names ("inbox", "outbox", "processed", "quarantine", "archive"); each
connector maps them to real places. Writes go to a temporary name and are renamed into place.
Connectors never parse file contents and never import parsers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

FOLDERS = ("inbox", "outbox", "processed", "quarantine", "archive")

# A name we accept from a partner: no separators, no "..", no NUL/control characters.
_SAFE_NAME = re.compile(r"^(?!\.\.?$)[^/\\\x00-\x1f\x7f]{1,255}$")


def is_safe_name(name: str) -> bool:
    return bool(_SAFE_NAME.match(name)) and ".." not in name


@dataclass(frozen=True, slots=True)
class FileInfo:
    name: str
    size: int
    mtime: float


@runtime_checkable
class FileDrop(Protocol):
    def list(self, folder: str) -> list[FileInfo]:
        """Files ready to read in ``folder``, sorted by name (hidden and temporary names skipped)."""

    def read(self, folder: str, name: str) -> bytes: ...

    def write(self, folder: str, name: str, data: bytes) -> None:
        """Write to a temporary name, check, then rename into place (replacing atomically)."""

    def stat(self, folder: str, name: str) -> FileInfo | None: ...

    def move(self, folder: str, name: str, to_folder: str, to_name: str | None = None) -> None: ...

    def delete(self, folder: str, name: str) -> None: ...

    def close(self) -> None: ...
