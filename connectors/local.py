"""Local file drop: one folder per partner with inbox/, outbox/, processed/, quarantine/, archive/.

Writes go to a hidden temporary name in the same folder, are fsynced and renamed into place, so a
reader never sees half a file.
"""

from __future__ import annotations

import os
from pathlib import Path

from connectors.base import FOLDERS, FileInfo, is_safe_name
from schemas.errors import ConfigError, ConnectorUnavailable

TMP_PREFIX = ".tmp-"


class LocalDrop:
    def __init__(self, root: Path | str, *, create: bool = True) -> None:
        self.root = Path(root)
        if create:
            for f in FOLDERS:
                (self.root / f).mkdir(parents=True, exist_ok=True)
        elif not self.root.is_dir():
            raise ConnectorUnavailable("drop folder does not exist", root=str(self.root))

    def _dir(self, folder: str) -> Path:
        if folder not in FOLDERS and not all(is_safe_name(p) for p in folder.split("/")):
            raise ConfigError("unknown drop folder", folder=folder)
        path = self.root / folder
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _path(self, folder: str, name: str) -> Path:
        if not is_safe_name(name):
            raise ConfigError("unsafe file name refused", name=name)
        return self._dir(folder) / name

    def list(self, folder: str) -> list[FileInfo]:
        out = []
        try:
            entries = list(os.scandir(self._dir(folder)))
        except OSError as exc:
            raise ConnectorUnavailable("cannot list drop folder", folder=folder) from exc
        for e in entries:
            if e.name.startswith(".") or not e.is_file(follow_symlinks=False):
                continue
            st = e.stat(follow_symlinks=False)
            out.append(FileInfo(name=e.name, size=st.st_size, mtime=st.st_mtime))
        return sorted(out, key=lambda f: f.name)

    def read(self, folder: str, name: str) -> bytes:
        return self._path(folder, name).read_bytes()

    def write(self, folder: str, name: str, data: bytes) -> None:
        final = self._path(folder, name)
        tmp = final.with_name(f"{TMP_PREFIX}{name}")
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if tmp.stat().st_size != len(data):
            tmp.unlink(missing_ok=True)
            raise ConnectorUnavailable("short write", name=name)
        os.replace(tmp, final)

    def stat(self, folder: str, name: str) -> FileInfo | None:
        p = self._path(folder, name)
        try:
            st = p.stat()
        except FileNotFoundError:
            return None
        return FileInfo(name=name, size=st.st_size, mtime=st.st_mtime)

    def move(self, folder: str, name: str, to_folder: str, to_name: str | None = None) -> None:
        os.replace(self._path(folder, name), self._path(to_folder, to_name or name))

    def delete(self, folder: str, name: str) -> None:
        self._path(folder, name).unlink(missing_ok=True)

    def close(self) -> None:
        return None
