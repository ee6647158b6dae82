"""Files ops asked to take again (`orderbridge retake`), read from their kept copies in a drop's local
archive and listed as an inbox, so a run takes them exactly as it takes a partner's or a 3PL's file (local
drop or SFTP alike): nothing is written to the partner's inbox or server, and the kept copy stays where it
is. Must not read the state store (flows passes the copies due) nor parse anything.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import BinaryIO

from connectors.base import FileInfo, Refusal
from connectors.local import LocalDrop
from schemas.errors import FileNotReady


class KeptCopies:
    """A read-only inbox of kept copies: ``copies`` are (name, archive name) pairs, each its file's name as
    first received and its copy in ``local``'s archive. A name given twice (two contents received under one
    name) lists its first copy only: the other waits for the next run. Moving a taken file out of this inbox
    leaves its kept copy in place (the run writes the copy in processed/ or quarantine/ as for a remote
    drop); a copy that is gone is not listed."""

    leaves_taken_files = False

    def __init__(self, local: LocalDrop, copies: Iterable[tuple[str, str]]) -> None:
        self.local = local
        self.copies: dict[str, str] = {}
        for name, archived in copies:
            self.copies.setdefault(name, archived)

    def list(self, folder: str) -> builtins.list[FileInfo]:
        if folder != "inbox":
            return []
        out = []
        for name, archived in sorted(self.copies.items()):
            info = self.local.stat("archive", archived)
            if info is not None:
                out.append(FileInfo(name, info.size, info.mtime))
        return out

    def refused(self, folder: str) -> builtins.list[Refusal]:
        return []

    def _archived(self, folder: str, name: str) -> str:
        if folder != "inbox" or name not in self.copies:
            raise FileNotReady(f"{name} is no kept copy to take again", name=name)
        return self.copies[name]

    def read(self, folder: str, name: str, *, expected_size: int | None = None) -> bytes:
        return self.local.read("archive", self._archived(folder, name), expected_size=expected_size)

    def download(self, folder: str, name: str, sink: BinaryIO, *, expected_size: int | None = None) -> None:
        """The kept copy into ``sink`` a chunk at a time (a file too large to hold)."""
        archived = self._archived(folder, name)
        size = 0
        for chunk in self.local.chunks("archive", archived):
            sink.write(chunk)
            size += len(chunk)
        if expected_size is not None and size != expected_size:
            raise FileNotReady(f"{name}'s kept copy changed while it was read", name=name)

    def write(self, folder: str, name: str, data: bytes) -> None:
        raise PermissionError("kept copies are read-only")

    def stat(self, folder: str, name: str) -> FileInfo | None:
        return next((i for i in self.list(folder) if i.name == name), None)

    def move(self, folder: str, name: str, to_folder: str, to_name: str | None = None) -> None:
        """Taken: the kept copy stays in the archive (and is not listed again by this inbox)."""
        self.copies.pop(name, None)

    def delete(self, folder: str, name: str) -> None:
        self.copies.pop(name, None)

    def close(self) -> None:
        pass
