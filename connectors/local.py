"""Local file drop: one folder per partner with inbox/, outbox/, processed/, quarantine/, archive/.

Owns the "ready to read" rule for local folders (SFTP's: regular files with safe, visible,
non-temporary names whose size and mtime stay unchanged across ``settle_seconds``), refusing what is
never read (unsafe names, symlinks, FIFOs, sockets, devices: never followed; folders are skipped),
and placing files: writes go to a hidden temporary name, are fsynced and renamed into place, so a
reader never sees half a file; `move_new`/`write_new` never replace a file. Never parses contents.
"""

from __future__ import annotations

import builtins
import errno
import functools
import hashlib
import logging
import os
import re
import stat as statmod
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from connectors.base import FOLDERS, FileInfo, Refusal, bounded_name, display_name, in_progress, is_safe_name
from schemas.errors import ConfigError, ConnectorUnavailable, FileNotReady, StorageError

log = logging.getLogger(__name__)

TMP_PREFIX = ".tmp-"
TEMP_SUFFIXES = (".tmp", ".part", ".filepart")


class LocalDrop:
    """FileDrop over local folders.

    ``settle_seconds``: a file modified less than this long ago is listed only if its size and
    mtime are unchanged after waiting that long (0: no wait, every regular file is ready).
    ``min_age_seconds``: a file modified less than this long before our clock is not listed yet (an
    upload slow to start: a zero-byte file settled; 0: no such rule), as SftpDrop's.
    ``clock`` and ``sleep`` are injectable for tests.
    """

    def __init__(self, root: Path | str, *, create: bool = True, settle_seconds: float = 0.0,
                 temp_suffixes: tuple[str, ...] = TEMP_SUFFIXES, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep, min_age_seconds: float = 0.0) -> None:
        self.root = Path(root)
        self.settle_seconds = settle_seconds
        self.min_age_seconds = min_age_seconds
        self.temp_suffixes = tuple(temp_suffixes)
        self._clock = clock
        self._sleep = sleep
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

    # -- listing ----------------------------------------------------------------------------
    def _entries(self, folder: str) -> builtins.list[tuple[str, os.stat_result | None]]:
        """(name, lstat or None if it vanished) for every entry; symlinks are never followed."""
        where = self._dir(folder)
        try:
            with os.scandir(where) as it:
                names = [e.name for e in it]
        except OSError as exc:
            raise ConnectorUnavailable("cannot list drop folder", folder=folder) from exc
        out = []
        for name in names:
            try:
                out.append((name, os.lstat(where / name)))
            except FileNotFoundError:
                out.append((name, None))
        return out

    @staticmethod
    def _refusal(name: str, st: os.stat_result) -> Refusal | None:
        if not _decodable(name) or not is_safe_name(name):
            return Refusal(display_name(name), "FILE_NAME_REFUSED", "a path separator, '..', a control "
                           "character, more than 255 characters or bytes that are not UTF-8")
        if name.startswith("."):
            return None  # hidden: someone's temporary file, never ours to read or report
        if statmod.S_ISDIR(st.st_mode):
            return None  # a folder is a container, not a file to answer
        if not statmod.S_ISREG(st.st_mode):
            return Refusal(display_name(name), "FILE_TYPE_REFUSED", _kind(st.st_mode))
        return None

    def _candidates(self, folder: str) -> dict[str, tuple[int, int]]:
        """Regular files with safe, visible names not being written (base.in_progress) -> (size, mtime ns)."""
        out = {}
        entries = self._entries(folder)
        names = {name for name, _st in entries}
        for name, st in entries:
            if st is None or self._refusal(name, st) or in_progress(name, names, self.temp_suffixes):
                continue
            out[name] = (st.st_size, st.st_mtime_ns)
        return out

    def list(self, folder: str) -> builtins.list[FileInfo]:
        """Files ready to read, sorted by name: a file changed less than ``settle_seconds`` ago is
        listed only when its size and mtime are unchanged after waiting ``settle_seconds``, and (with
        ``min_age_seconds``) only once it last changed at least that long before our clock."""
        first = self._candidates(folder)
        ready = first
        if self.settle_seconds > 0:
            now_ns = int(self._clock() * 1e9)
            young = {n for n, (_s, m) in first.items() if now_ns - m < self.settle_seconds * 1e9}
            if young:
                self._sleep(self.settle_seconds)
                second = self._candidates(folder)
                ready = {n: v for n, v in second.items() if first.get(n) == v}
        if self.min_age_seconds > 0:
            now_ns = int(self._clock() * 1e9)
            early = sorted(n for n, (_s, m) in ready.items() if now_ns - m < self.min_age_seconds * 1e9)
            if early:
                log.info("local %s: %d file(s) changed less than %ss ago, left for a later run: %s", folder,
                         len(early), self.min_age_seconds, early)
            ready = {n: v for n, v in ready.items() if n not in early}
        return [FileInfo(name=n, size=s, mtime=m / 1e9) for n, (s, m) in sorted(ready.items())]

    def refused(self, folder: str) -> builtins.list[Refusal]:
        """Entries never read, left in place: unsafe or undecodable names, and anything that is neither a
        regular file nor a folder (symlinks are not followed). Hidden names are someone's temporary
        files: skipped."""
        out = [r for name, st in self._entries(folder) if st is not None
               for r in [self._refusal(name, st)] if r is not None]
        return sorted(out, key=lambda r: r.name)

    def outside_inbox(self) -> builtins.list[str]:
        """The visible files put in the drop folder itself instead of its inbox/ (a partner's or a person's
        upload one level too high): never read, left where they are, named so that the run can say so."""
        try:
            with os.scandir(self.root) as it:
                return sorted(display_name(e.name) for e in it
                              if not e.name.startswith(".") and e.is_file(follow_symlinks=False))
        except OSError:
            return []

    # -- reading and writing ----------------------------------------------------------------
    def read(self, folder: str, name: str, *, expected_size: int | None = None) -> bytes:
        """The whole file, opened without following a symlink and without blocking on a FIFO; it must
        be a regular file of ``expected_size`` bytes (when given) that did not change while read,
        else FileNotReady (transient: it is read again on the next run)."""
        path = self._path(folder, name)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise FileNotReady("a symlink replaced a listed file", folder=folder, name=name) from exc
            if exc.errno == errno.ENOENT and expected_size is not None:  # listed, then removed by its writer
                raise FileNotReady("a listed file vanished before it was read", folder=folder, name=name) from exc
            raise
        with os.fdopen(fd, "rb") as fh:
            before = os.fstat(fd)
            if not statmod.S_ISREG(before.st_mode):
                raise FileNotReady("a listed file is no longer a regular file", folder=folder, name=name)
            data = fh.read()
            after = os.fstat(fd)
        changed = (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns) or \
            len(data) != after.st_size
        if changed or (expected_size is not None and len(data) != expected_size):
            raise FileNotReady("file changed since it was listed", folder=folder, name=name,
                                 expected=expected_size, got=len(data))
        return data

    def _temporary(self, folder: str, data: bytes) -> Path:
        """``data`` in a new hidden file of ``folder``, fsynced (a short name, whatever the final one).
        A read-only or full file system is a StorageError (terminal: retrying will not help)."""
        return self._filled(folder, lambda fh: fh.write(data), len(data))

    def _filled(self, folder: str, fill: Callable[[BinaryIO], object], size: int | Callable[[], int]) -> Path:
        """A new hidden temporary file of ``folder`` that ``fill`` writes, flushed and fsynced, its size
        checked against ``size`` (or what ``size()`` says after the fill); any error drops it."""
        try:
            fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, dir=self._dir(folder))
        except OSError as exc:
            raise _write_error(exc, folder, self._dir(folder)) from exc
        try:
            with os.fdopen(fd, "wb") as fh:
                fill(fh)
                fh.flush()
                os.fsync(fh.fileno())
            if os.stat(tmp).st_size != (size if isinstance(size, int) else size()):
                raise ConnectorUnavailable("short write", folder=folder)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise _write_error(exc, folder, self._dir(folder)) from exc
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return Path(tmp)

    def remove_temporaries(self, folder: str) -> list[str]:
        """Our temporary files (``.tmp-*``) left in ``folder`` by a writer that died before renaming
        them (a killed run): removed, their names returned. Only while no writer of ours can be
        running, i.e. under the workspace lease."""
        gone = self.temporaries(folder)
        for name in gone:
            (self._dir(folder) / name).unlink(missing_ok=True)
        return gone

    def temporaries(self, folder: str) -> list[str]:
        """The names of our temporary files in ``folder`` (what remove_temporaries removes), sorted."""
        with os.scandir(self._dir(folder)) as entries:
            return sorted(e.name for e in entries if e.name.startswith(TMP_PREFIX) and e.is_file(follow_symlinks=False))

    def is_empty(self, folder: str) -> bool:
        """Whether ``folder`` holds nothing at all (no file, settling or refused, no temporary)."""
        with os.scandir(self._dir(folder)) as entries:
            return next(entries, None) is None

    def write(self, folder: str, name: str, data: bytes) -> None:
        final = self._path(folder, name)
        os.replace(self._temporary(folder, data), final)

    def write_many(self, folder: str, files: Sequence[tuple[str, bytes]], *,
                   before: Callable[[str, bytes], None] | None = None,
                   placed: Callable[[str], None] | None = None, upload: str = "temp_name",
                   staging: str | None = None) -> None:
        """`write` for many files at once, in order: each goes to a hidden temporary name (``before(name,
        data)`` is called first), then all their bytes are made durable together - one syncfs(2) of the
        file system where Linux reports its write-back errors (5.8 and later), else an fsync per file -,
        and only then is each renamed into place (``placed(name)`` after each). A file in place always
        has all its bytes; a failure before the renames places none and removes its temporaries (a
        killed process leaves them to `remove_temporaries`). Like `write`, the renames are durable once
        the folder is synced (`sync`).

        ``upload`` (a profile's [delivery] upload): "temp_name" as above, the temporary beside the file;
        "staging": the temporaries in the folder ``staging`` (same file system), moved into ``folder``
        (a poller that takes every file of its folder never sees one half written); "direct": each written
        under its final name, then made durable (a crash leaves part of a file there, which the next
        delivery writes again whole: the partner's choice, for a reader that refuses renamed files)."""
        where = self._dir(folder)
        for name, _data in files:
            if not is_safe_name(name):
                raise ConfigError("unsafe file name refused", name=name)
        if upload == "direct":
            self._write_direct(folder, files, before=before, placed=placed)
            return
        flush = _syncfs()
        dfd = os.open(where, os.O_RDONLY)
        sfd = os.open(self._dir(staging), os.O_RDONLY) if upload == "staging" and staging else dfd
        temps: builtins.list[str] = []
        done = 0
        try:
            try:
                for name, data in files:
                    if before is not None:
                        before(name, data)
                    temps.append(_write_temporary(sfd, self._dir(staging) if sfd != dfd else where, name, data,
                                                  fsync=flush is None))
                if flush is not None and temps and flush(dfd) != 0:
                    err = _errno()
                    raise OSError(err, os.strerror(err))
            except OSError as exc:
                raise _write_error(exc, folder, self._dir(folder)) from exc
            for (name, _data), tmp in zip(files, temps, strict=True):
                try:
                    os.replace(tmp, name, src_dir_fd=sfd, dst_dir_fd=dfd)
                except OSError as exc:  # refused (permissions changed mid-delivery): said as a write refused
                    raise _write_error(exc, folder, where) from exc
                done += 1
                if placed is not None:
                    placed(name)
        finally:
            for tmp in temps[done:]:  # not placed: never left behind
                try:
                    os.unlink(tmp, dir_fd=sfd)
                except FileNotFoundError:
                    pass
            if sfd != dfd:
                os.close(sfd)
            os.close(dfd)

    def _write_direct(self, folder: str, files: Sequence[tuple[str, bytes]], *,
                      before: Callable[[str, bytes], None] | None,
                      placed: Callable[[str], None] | None) -> None:
        """write_many's "direct" upload: each file written under its own name (truncating what is there), all
        made durable together, each size checked; a file that failed is removed (never left short)."""
        flush = _syncfs()
        dfd = os.open(self._dir(folder), os.O_RDONLY)
        try:
            written = []
            for name, data in files:
                if before is not None:
                    before(name, data)
                try:
                    _write_all(dfd, name, data, fsync=flush is None)
                except OSError as exc:
                    _unlink_quietly(dfd, name)
                    raise _write_error(exc, folder, self._dir(folder)) from exc
                except BaseException:
                    _unlink_quietly(dfd, name)
                    raise
                written.append((name, len(data)))
            if flush is not None and written and flush(dfd) != 0:
                err = _errno()
                raise _write_error(OSError(err, os.strerror(err)), folder, self._dir(folder))
            for name, size in written:
                if os.stat(name, dir_fd=dfd).st_size != size:
                    _unlink_quietly(dfd, name)
                    raise ConnectorUnavailable("short write", folder=folder, name=name)
                if placed is not None:
                    placed(name)
        finally:
            os.close(dfd)

    def sizes(self, folder: str, names: Sequence[str]) -> dict[str, int]:
        """The size of each of ``names`` that is in ``folder`` (as `stat` sees it); absent names are left out."""
        where = self._dir(folder)
        out = {}
        dfd = os.open(where, os.O_RDONLY)
        try:
            for name in names:
                if not is_safe_name(name):
                    raise ConfigError("unsafe file name refused", name=name)
                try:
                    out[name] = os.stat(name, dir_fd=dfd).st_size
                except FileNotFoundError:
                    pass
        finally:
            os.close(dfd)
        return out

    def sync(self, folder: str) -> None:
        """Make the renames into ``folder`` durable (fsync of the folder itself)."""
        fd = os.open(self._dir(folder), os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def write_new(self, folder: str, name: str, data: bytes) -> str:
        """Write ``data`` under ``name`` or, if that name is taken, the first free `alternative_name`;
        nothing is ever replaced. Returns the name used."""
        tmp = self._temporary(folder, data)
        try:
            return self._place(tmp, folder, name)
        finally:
            tmp.unlink(missing_ok=True)

    def copy(self, folder: str, name: str, to_folder: str, to_name: str) -> str:
        """Copy a file without holding it in memory (a temporary name, fsynced, renamed); its sha256."""
        source, final = self._path(folder, name), self._path(to_folder, to_name)
        tmp = final.with_name(f"{TMP_PREFIX}{to_name}")
        digest = hashlib.sha256()
        with open(source, "rb") as src, open(tmp, "wb") as dst:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(tmp, final)
        return digest.hexdigest()

    # -- spooling a fetched file (kept apart from the outbox writes above) ---------------------
    def spool(self, folder: str, fill: Callable[[BinaryIO], object]) -> Spooled:
        """A file received a chunk at a time (e.g. an SFTP download): ``fill`` writes it into a new
        hidden temporary file of ``folder``, hashed as it is written, then fsynced; never whole in memory.
        The caller places it (`place_spooled`) or drops it (`drop_spooled`); a killed run leaves only a
        ``.tmp-`` file, which `remove_temporaries` clears. Any error drops the partial file."""
        sink = _Hashing()

        def hashed(fh: BinaryIO) -> None:
            sink.fh = fh
            fill(sink)

        tmp = self._filled(folder, hashed, lambda: sink.size)
        return Spooled(folder, tmp.name, sink.digest.hexdigest(), sink.size)

    def place_spooled(self, spooled: Spooled, name: str) -> None:
        """The spooled file renamed to ``name`` in its folder (replacing: for content-addressed names)."""
        os.replace(self._dir(spooled.folder) / spooled.tmp_name, self._path(spooled.folder, name))

    def drop_spooled(self, spooled: Spooled) -> None:
        (self._dir(spooled.folder) / spooled.tmp_name).unlink(missing_ok=True)

    def copy_new(self, folder: str, name: str, to_folder: str, to_name: str) -> str:
        """Copy a file a chunk at a time under ``to_name`` in ``to_folder`` or, if that name is taken, the
        first free `alternative_name` (nothing is replaced, as `write_new`). Returns the name used."""
        spooled = self.spool(to_folder, lambda sink: _copy_into(self._path(folder, name), sink))
        tmp = self._dir(to_folder) / spooled.tmp_name
        try:
            return self._place(tmp, to_folder, to_name)
        finally:
            tmp.unlink(missing_ok=True)

    def chunks(self, folder: str, name: str, *, start: int = 0, size: int = 8 << 20,
               stop: int | None = None) -> Iterator[bytes]:
        """The file's bytes from ``start`` (to ``stop``, else its end), ``size`` at a time (never the
        whole file in memory)."""
        with open(self._path(folder, name), "rb") as fh:
            fh.seek(start)
            left = -1 if stop is None else max(0, stop - start)
            while left and (chunk := fh.read(size if left < 0 else min(size, left))):
                left -= len(chunk) if left > 0 else 0
                yield chunk

    def read_range(self, folder: str, name: str, start: int, stop: int) -> bytes:
        """The file's bytes [start, stop) (a part of a file too large to read whole)."""
        with open(self._path(folder, name), "rb") as fh:
            fh.seek(start)
            data = fh.read(stop - start)
        if len(data) != stop - start:
            raise StorageError(f"{name} is shorter than expected ({start + len(data)} bytes, not {stop})",
                                folder=folder, name=name)
        return data

    def sha256(self, folder: str, name: str) -> str:
        """The file's sha256, read a chunk at a time."""
        digest = hashlib.sha256()
        with open(self._path(folder, name), "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()

    def stat(self, folder: str, name: str) -> FileInfo | None:
        p = self._path(folder, name)
        try:
            st = p.stat()
        except FileNotFoundError:
            return None
        return FileInfo(name=name, size=st.st_size, mtime=st.st_mtime)

    def move(self, folder: str, name: str, to_folder: str, to_name: str | None = None) -> None:
        os.replace(self._path(folder, name), self._path(to_folder, to_name or name))

    def move_new(self, folder: str, name: str, to_folder: str) -> str:
        """Move ``name`` into ``to_folder`` without replacing anything there: under its own name, or the
        first free `alternative_name` (an older file of the same name is kept). Returns the name used."""
        return self._place(self._path(folder, name), to_folder, name)

    def _place(self, src: Path, folder: str, name: str) -> str:
        """Move ``src`` into ``folder`` as ``name`` or its first free alternative. A name that exists is
        never replaced, even if another process takes it at the same moment: the file is hard-linked
        (which fails on an existing name) and then unlinked from ``src``."""
        target_dir = self._dir(folder)
        for k in range(1, 10_000):
            target = target_dir / (name if k == 1 else alternative_name(name, k))
            try:
                os.link(src, target, follow_symlinks=False)
            except FileExistsError:
                continue
            except OSError as exc:  # a file system without hard links: an exclusive placeholder, renamed over
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                    raise
                try:
                    os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
                except FileExistsError:
                    continue
                os.replace(src, target)
                return target.name
            src.unlink()
            return target.name
        raise ConnectorUnavailable("no free name", folder=folder, name=name)

    def delete(self, folder: str, name: str) -> None:
        self._path(folder, name).unlink(missing_ok=True)

    def close(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Spooled:
    """A file received into a hidden temporary name of ``folder`` (LocalDrop.spool): its sha256 and size."""

    folder: str
    tmp_name: str
    sha256: str
    size: int


class _Hashing:
    """A write-only file that hashes and counts what goes through it."""

    def __init__(self, fh: BinaryIO | None = None) -> None:
        self.fh, self.digest, self.size = fh, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.fh.write(data)


def _copy_into(source: Path, sink) -> None:
    with open(source, "rb") as src:
        while chunk := src.read(1 << 20):
            sink.write(chunk)


def alternative_name(name: str, k: int) -> str:
    """The k-th name for another file called ``name``: ``po.x12`` -> ``po-2.x12`` (k = 2), bounded."""
    stem, dot, ext = name.rpartition(".")
    if not stem or len(ext) > 10:
        stem, dot, ext = name, "", ""
    return bounded_name(stem, suffix=f"-{k}{dot}{ext}")


def _write_error(exc: OSError, folder: str, where: Path) -> Exception:
    """The error a failed write into ``folder`` (at ``where``) is: terminal for a full, read-only or forbidden
    folder, which ops must fix (its path said, so they know which disk or mount), transient otherwise."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM):
        return StorageError(f"the drop folder cannot be written: {exc.strerror}", folder=folder, path=str(where))
    return ConnectorUnavailable(f"writing to the drop folder failed: {exc.strerror}", folder=folder, path=str(where))


def _write_temporary(dfd: int, where: Path, name: str, data: bytes, *, fsync: bool) -> str:
    """``data`` in a new hidden file of the folder open as ``dfd`` (fsynced when ``fsync``); its name.
    ``.tmp-<name>`` when free and short enough, else a random one (tempfile's)."""
    tmp = TMP_PREFIX + name
    fd = -1
    if len(tmp.encode()) <= 255:
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600, dir_fd=dfd)
        except FileExistsError:
            fd = -1
    if fd < 0:
        fd, path = tempfile.mkstemp(prefix=TMP_PREFIX, dir=where)
        tmp = os.path.basename(path)
    try:
        view, done = memoryview(data), 0
        while done < len(data):
            wrote = os.write(fd, view[done:])
            if wrote <= 0:
                raise ConnectorUnavailable("short write", folder=str(where.name))
            done += wrote
        if fsync:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(tmp, dir_fd=dfd)
        raise
    os.close(fd)
    return tmp


def _write_all(dfd: int, name: str, data: bytes, *, fsync: bool) -> None:
    """``data`` under ``name`` in the folder open as ``dfd``, replacing what the file held (fsynced when ``fsync``)."""
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600, dir_fd=dfd)
    try:
        view, done = memoryview(data), 0
        while done < len(data):
            wrote = os.write(fd, view[done:])
            if wrote <= 0:
                raise ConnectorUnavailable("short write", name=name)
            done += wrote
        if fsync:
            os.fsync(fd)
    finally:
        os.close(fd)


def _unlink_quietly(dfd: int, name: str) -> None:
    try:
        os.unlink(name, dir_fd=dfd)
    except FileNotFoundError:
        pass


@functools.cache
def _syncfs() -> Callable[[int], int] | None:
    """libc's syncfs(2) (one call makes every file of a file system durable, as an fsync of each would)
    where it reports write-back errors: Linux 5.8 and later. None elsewhere: fsync each file."""
    if not sys.platform.startswith("linux"):
        return None
    m = re.match(r"(\d+)\.(\d+)", os.uname().release)
    if m is None or (int(m[1]), int(m[2])) < (5, 8):
        return None
    try:
        import ctypes

        fn = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    fn.argtypes, fn.restype = [ctypes.c_int], ctypes.c_int
    return fn


def _errno() -> int:
    import ctypes

    return ctypes.get_errno() or errno.EIO


def _decodable(name: str) -> bool:
    try:
        name.encode("utf-8")
        return True
    except UnicodeEncodeError:  # os.scandir gives undecodable bytes as lone surrogates
        return False


def _kind(mode: int) -> str:
    for test, what in ((statmod.S_ISLNK, "a symbolic link"), (statmod.S_ISFIFO, "a FIFO"),
                       (statmod.S_ISSOCK, "a socket"), (statmod.S_ISDIR, "a folder"),
                       (statmod.S_ISCHR, "a character device"), (statmod.S_ISBLK, "a block device")):
        if test(mode):
            return what
    return "not a regular file"
