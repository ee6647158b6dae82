"""SFTP file drop (paramiko): the FileDrop protocol over a partner's SFTP server.

Owns the connection, pinned host keys, the "ready to read" rule (settled, non-temporary, safe
names) and translating paramiko/socket errors into schemas.errors at one edge. It never parses
file contents, never reads the environment except in `resolve_secret`, and never logs the secret.
"""

from __future__ import annotations

import builtins
import hashlib
import logging
import posixpath
import socket
import stat as statmod
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import BinaryIO

import paramiko
from paramiko.sftp import CMD_CLOSE, CMD_HANDLE, CMD_NAME, CMD_OPENDIR, CMD_READDIR

from connectors.base import FileInfo, Refusal, in_progress, is_safe_name
from schemas.errors import (
    ConfigError,
    ConnectorUnavailable,
    FileNotReady,
    OrderBridgeError,
    SecurityError,
    TerminalError,
    TransientError,
)
from schemas.profile import SftpSettings

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024  # bytes per read/write call: memory stays bounded whatever the file size
TMP_PREFIX = ".tmp-"  # uploads go to ".tmp-<name>.part": hidden *and* temp-suffixed for the partner
TMP_SUFFIX = ".part"

Progress = Callable[[str, int], None]  # (name, bytes transferred so far)


def resolve_secret(settings: SftpSettings, env: Mapping[str, str]) -> str | None:
    """The password or key passphrase named by ``settings.secret_env``, read from ``env``.

    A Prefect Secret block (``settings.secret_block``) is resolved by the flow layer, which then
    passes the value to `SftpDrop`; this function returns None for it. The error names the
    variable, never its value.
    """
    if settings.secret_env is None:
        return None
    value = env.get(settings.secret_env)
    if value is None or value == "":
        raise ConfigError("SFTP secret environment variable is not set", env=settings.secret_env)
    return value


class UnknownHostKey(paramiko.SSHException):
    """The server's host is not in the pinned known_hosts file."""


class _PinnedHostKeys(paramiko.RejectPolicy):
    """RejectPolicy that raises a distinct exception, so the edge need not match message text."""

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey) -> None:
        raise UnknownHostKey(f"{key.get_name()} key {key.fingerprint} of {hostname} is not pinned")


_TRANSIENT_SSH_TEXT = (
    "server connection dropped",
    "error reading ssh protocol banner",
    "no existing session",
    "channel closed",
    "connection reset",
    "socket is closed",
    "timeout",
    "timed out",
    "eof",
)


def translate_error(
    exc: BaseException, secret: str | None = None, *, connection_lost: bool = False, **context: object
) -> OrderBridgeError:
    """Map a paramiko/socket/OS error to the OrderBridge exception tree (caller raises ``from exc``).

    ``connection_lost`` says the SSH transport is no longer active, which makes any I/O error a
    ConnectorUnavailable. ``context`` (host, port, op, folder, name) becomes attributes of the
    error; the secret, if given, is scrubbed from the detail text.
    """
    detail = f"{type(exc).__name__}: {exc}"
    if secret:
        detail = detail.replace(secret, "***")
    context = {k: v for k, v in context.items() if v is not None}
    context["detail"] = detail
    if isinstance(exc, OrderBridgeError):
        return exc
    if isinstance(exc, paramiko.BadHostKeyException):
        return SecurityError("SFTP host key does not match the pinned known_hosts entry", **context)
    if isinstance(exc, UnknownHostKey):
        return SecurityError("SFTP host key is unknown: host not in the pinned known_hosts file", **context)
    if isinstance(exc, paramiko.PasswordRequiredException):
        return SecurityError("SFTP private key is encrypted and no passphrase was given", **context)
    if isinstance(exc, paramiko.AuthenticationException):
        return SecurityError("SFTP authentication failed", **context)
    if isinstance(exc, PermissionError):
        return SecurityError("SFTP permission denied", **context)
    if isinstance(exc, FileNotFoundError):
        return TerminalError("SFTP file or folder not found", **context)
    if connection_lost and isinstance(exc, (OSError, EOFError, paramiko.SSHException)):
        return ConnectorUnavailable("SFTP connection lost", **context)
    if isinstance(exc, paramiko.ssh_exception.NoValidConnectionsError):
        return ConnectorUnavailable("SFTP server refused the connection", **context)
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return ConnectorUnavailable("SFTP server timed out", **context)
    if isinstance(exc, (EOFError, ConnectionError)):
        return ConnectorUnavailable("SFTP connection lost", **context)
    if isinstance(exc, paramiko.SSHException):
        if any(t in str(exc).lower() for t in _TRANSIENT_SSH_TEXT):
            return ConnectorUnavailable("SFTP connection lost", **context)
        return ConnectorUnavailable("SFTP protocol error", **context)
    if isinstance(exc, OSError) and any(t in str(exc).lower() for t in _TRANSIENT_SSH_TEXT):
        return ConnectorUnavailable("SFTP connection lost", **context)
    if isinstance(exc, OSError):  # socket errors and SFTP "Failure" status (e.g. disk full)
        return TransientError("SFTP operation failed", **context)
    return TerminalError("unexpected SFTP error", **context)


class SftpDrop:
    """FileDrop over SFTP. Connects lazily; after a transient error the next call reconnects.

    ``secret`` is the key passphrase when ``settings.key_file`` is set, else the password.
    ``sleep`` is used between the two settle listings and ``clock`` (seconds since the epoch) for
    ``min_age_seconds`` (both injectable for tests); ``progress`` is called after each chunk read or
    written.
    """

    def __init__(
        self,
        settings: SftpSettings,
        secret: str | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        progress: Progress | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if settings.key_file is None and secret is None:
            raise ConfigError("SFTP drop needs a key_file or a password secret", host=settings.host)
        self.settings = settings
        self._secret = secret
        self._sleep = sleep
        self._clock = clock
        self._progress = progress
        self._client: paramiko.SSHClient | None = None
        self._sftp: paramiko.SFTPClient | None = None
        self._posix_rename = True  # until the server refuses the extension

    def __repr__(self) -> str:  # never shows the secret
        s = self.settings
        return f"SftpDrop({s.user}@{s.host}:{s.port})"

    # -- connection -------------------------------------------------------------------------

    def __enter__(self) -> SftpDrop:
        with self._edge("connect"):
            self._session()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _session(self) -> paramiko.SFTPClient:
        if self._sftp is not None:
            return self._sftp
        s = self.settings
        client = paramiko.SSHClient()
        try:
            client.load_host_keys(s.known_hosts)  # the profile's pins only, never system keys
        except OSError as exc:
            raise ConfigError("cannot read known_hosts file", path=s.known_hosts) from exc
        client.set_missing_host_key_policy(_PinnedHostKeys())
        pkey = self._load_key() if s.key_file else None
        try:
            client.connect(
                s.host,
                port=s.port,
                username=s.user,
                pkey=pkey,
                password=None if pkey else self._secret,
                timeout=s.timeout_seconds,
                banner_timeout=s.timeout_seconds,
                auth_timeout=s.timeout_seconds,
                channel_timeout=s.timeout_seconds,
                allow_agent=False,
                look_for_keys=False,
            )
            sftp = client.open_sftp()
            channel = sftp.get_channel()
            assert channel is not None
            channel.settimeout(s.timeout_seconds)  # a stalled server must not block reads forever
            if s.keepalive_seconds:  # idle minutes of a long session must not let a firewall drop it
                transport = client.get_transport()
                assert transport is not None
                transport.set_keepalive(s.keepalive_seconds)
        except BaseException:
            client.close()
            raise
        log.info("sftp connected to %s@%s:%s", s.user, s.host, s.port)
        self._client, self._sftp = client, sftp
        return sftp

    def _load_key(self) -> paramiko.PKey:
        path = self.settings.key_file
        assert path is not None
        try:
            passphrase = self._secret.encode("utf-8") if self._secret is not None else None
            return paramiko.PKey.from_path(path, passphrase)  # bytes, despite its docstring
        except paramiko.PasswordRequiredException as exc:
            raise SecurityError(
                "SFTP private key is encrypted and no passphrase was given", key_file=path
            ) from exc
        except OSError as exc:
            raise ConfigError("cannot read SFTP private key", key_file=path) from exc
        except TypeError as exc:  # cryptography: encrypted key, no passphrase
            raise SecurityError(
                "SFTP private key is encrypted and no passphrase was given", key_file=path
            ) from exc
        except (paramiko.SSHException, ValueError) as exc:
            raise SecurityError(
                "cannot load SFTP private key (wrong passphrase or unsupported format)", key_file=path
            ) from exc

    def close(self) -> None:
        sftp, client = self._sftp, self._client
        self._sftp = self._client = None
        for thing in (sftp, client):
            if thing is not None:
                try:
                    thing.close()
                except Exception:  # closing a dead connection must not mask the real error
                    log.debug("ignoring error while closing sftp connection", exc_info=True)

    def _active(self) -> bool:
        transport = self._client.get_transport() if self._client is not None else None
        return transport is not None and transport.is_active()

    @contextmanager
    def _edge(self, op: str, folder: str | None = None, name: str | None = None) -> Iterator[None]:
        """The one place third-party errors become ours; a transient error drops the connection."""
        try:
            yield
        except OrderBridgeError:  # ours (e.g. a size mismatch): the connection itself is fine
            raise
        except Exception as exc:
            err = translate_error(
                exc,
                self._secret,
                connection_lost=self._client is not None and not self._active(),
                host=self.settings.host,
                port=self.settings.port,
                op=op,
                folder=folder,
                name=name,
            )
            if err.transient:
                self.close()
            raise err from exc

    # -- paths ------------------------------------------------------------------------------

    def _dir(self, folder: str) -> str:
        s = self.settings
        mapping = {"inbox": s.remote_inbox, "outbox": s.remote_outbox, "processed": s.remote_processed}
        if folder.startswith("outbox/"):  # a profile's [delivery] folder: under remote_outbox, or an absolute path
            return posixpath.join(s.remote_outbox, folder[len("outbox/"):])
        remote = mapping.get(folder)
        if remote is None:
            raise ConfigError("folder not mapped on the SFTP drop", folder=folder, host=s.host)
        return remote

    def _path(self, folder: str, name: str) -> str:
        if not is_safe_name(name):
            raise ConfigError("unsafe file name refused", name=repr(name))
        return posixpath.join(self._dir(folder), name)

    # -- listing ----------------------------------------------------------------------------

    def _scan(self, folder: str) -> list[tuple[bytes, paramiko.SFTPAttributes]]:
        """Directory entries, names as bytes, with their type, size and mtime: a server that lists names
        without attributes (or without the type, size or mtime) has each such entry asked with lstat,
        else its files would never be listed (or be listed as empty)."""
        entries = self._read_dir(folder)
        sftp = self._session()
        out = []
        for raw, attr in entries:
            if attr.st_mode is None or attr.st_size is None or attr.st_mtime is None:
                try:
                    attr = sftp.lstat(posixpath.join(self._dir(folder), raw.decode("utf-8", "surrogateescape")))
                except (FileNotFoundError, UnicodeEncodeError):
                    continue  # gone since it was listed, or a name lstat cannot send (refused below anyway)
            out.append((raw, attr))
        return out

    def _read_dir(self, folder: str) -> list[tuple[bytes, paramiko.SFTPAttributes]]:
        """Raw directory entries, names as bytes.

        paramiko's listdir/listdir_attr decode every name as UTF-8, so one non-UTF-8 name fails
        the whole folder (and leaves the handle open). This speaks OPENDIR/READDIR itself, using
        paramiko's request plumbing, and keeps names as bytes.
        """
        sftp = self._session()
        path = sftp._adjust_cwd(self._dir(folder))
        t, msg = sftp._request(CMD_OPENDIR, path)
        if t != CMD_HANDLE:
            raise paramiko.SFTPError("Expected handle")
        handle = msg.get_binary()
        entries: list[tuple[bytes, paramiko.SFTPAttributes]] = []
        try:
            while True:
                try:
                    t, msg = sftp._request(CMD_READDIR, handle)
                except EOFError:  # SFTP_EOF status: end of directory
                    break
                if t != CMD_NAME:
                    raise paramiko.SFTPError("Expected name response")
                for _ in range(msg.get_int()):
                    raw = msg.get_string()
                    msg.get_string()  # longname: "ls -l" text that repeats the raw name
                    attr = paramiko.SFTPAttributes._from_msg(msg)
                    if raw not in (b".", b".."):
                        entries.append((raw, attr))
        finally:
            sftp._request(CMD_CLOSE, handle)
        return entries

    def _candidates(self, folder: str) -> dict[str, tuple[int, float]]:
        """Regular files with safe, visible names not being written (connectors.base.in_progress) -> (size, mtime)."""
        out: dict[str, tuple[int, float]] = {}
        refused = []
        entries = [(_decode(raw), raw, attr) for raw, attr in self._scan(folder)]
        names = {name for name, _raw, _attr in entries if name is not None}
        for name, raw, attr in entries:
            if name is None or not is_safe_name(name):
                refused.append(display_name(raw))
                continue
            if in_progress(name, names, self.settings.temp_suffixes):
                continue
            if attr.st_mode is None or not statmod.S_ISREG(attr.st_mode):
                continue  # folders, symlinks, devices are never picked up
            out[name] = (attr.st_size or 0, float(attr.st_mtime or 0))
        if refused:
            log.warning("sftp %s: refusing %d unsafe file name(s): %s", folder, len(refused), refused)
        return out

    def list(self, folder: str) -> list[FileInfo]:
        """Files ready to read: size and mtime unchanged across ``settle_seconds``, and (with
        ``min_age_seconds``) last changed at least that long before our clock: an upload that stalled
        for longer than the settle time is not taken half-written while it is still young."""
        with self._edge("list", folder):
            first = self._candidates(folder)
            if self.settings.settle_seconds > 0 and first:
                self._sleep(self.settings.settle_seconds)
                second = self._candidates(folder)
                settled = {n: v for n, v in second.items() if first.get(n) == v}
            else:
                settled = first
        if self.settings.min_age_seconds > 0:
            now = self._clock()
            young = sorted(n for n, (_s, m) in settled.items() if now - m < self.settings.min_age_seconds)
            if young:
                log.info("sftp %s: %d file(s) changed less than %ss ago, left for a later run: %s", folder,
                         len(young), self.settings.min_age_seconds, young)
            settled = {n: v for n, v in settled.items() if n not in young}
        return [FileInfo(name=n, size=s, mtime=m) for n, (s, m) in sorted(settled.items())]

    def refused_names(self, folder: str) -> builtins.list[str]:
        """Names in ``folder`` that are never used as paths (undecodable, separators, "..",
        control characters), in a printable, unambiguous form (``repr`` of the name)."""
        with self._edge("list", folder):
            entries = self._scan(folder)
        refused = []
        for raw, _attr in entries:
            name = _decode(raw)
            if name is None or not is_safe_name(name):
                refused.append(display_name(raw))
        return sorted(refused)

    def refused(self, folder: str) -> builtins.list[Refusal]:
        """`refused_names` as Refusal rows, plus entries that are neither regular files nor folders
        (symlinks, devices: never read). Folders are containers, not files to answer: skipped."""
        with self._edge("list", folder):
            entries = self._scan(folder)
        out = []
        for raw, attr in entries:
            name = _decode(raw)
            if name is None or not is_safe_name(name):
                out.append(Refusal(display_name(raw), "FILE_NAME_REFUSED", "a path separator, '..', a control "
                                   "character or bytes that are not UTF-8"))
            elif not name.startswith(".") and attr.st_mode is not None and not (
                    statmod.S_ISREG(attr.st_mode) or statmod.S_ISDIR(attr.st_mode)):
                out.append(Refusal(display_name(raw), "FILE_TYPE_REFUSED", "not a regular file"))
        return sorted(out, key=lambda r: r.name)

    # -- transfer ---------------------------------------------------------------------------

    def read(self, folder: str, name: str, *, expected_size: int | None = None) -> bytes:
        """Whole file, read in bounded chunks; the byte count must equal the size at open (and
        ``expected_size``, the listed size, when given), else TransientError: retry later."""
        return b"".join(self._blocks(folder, name, expected_size))

    def download(self, folder: str, name: str, sink: BinaryIO, *, expected_size: int | None = None) -> int:
        """The file written to ``sink`` (a local file open for writing) a chunk at a time, never held
        whole in memory, with `read`'s checks (size at open, listed size, no growth or shrinking);
        the number of bytes written. On an error ``sink`` holds a partial copy: the caller drops it."""
        written = 0
        for block in self._blocks(folder, name, expected_size):
            sink.write(block)
            written += len(block)
        return written

    def _blocks(self, folder: str, name: str, expected_size: int | None) -> Iterator[bytes]:
        """The file's bytes, CHUNK at a time; TransientError (after the last block) when the count
        differs from the size at open or ``expected_size``."""
        path = self._path(folder, name)
        with self._edge("read", folder, name):
            sftp = self._session()
            try:
                fh = sftp.open(path, "rb")
            except FileNotFoundError as exc:
                if expected_size is None:
                    raise
                # listed, then removed (the partner's clean-up): the next listing no longer has it
                raise FileNotReady(
                    "SFTP file vanished since it was listed", host=self.settings.host, folder=folder, name=name
                ) from exc
            with fh:
                expected = fh.stat().st_size or 0
                if expected_size is not None and expected != expected_size:
                    raise FileNotReady(
                        "SFTP file changed since it was listed",
                        host=self.settings.host,
                        folder=folder,
                        name=name,
                        expected=expected_size,
                        got=expected,
                    )
                got = 0
                try:
                    while got < expected:
                        # readv pipelines the requests of one chunk; memory stays bounded by CHUNK
                        block = b"".join(fh.readv([(got, min(CHUNK, expected - got))]))
                        if not block:
                            break
                        got += len(block)
                        yield block
                        if self._progress:
                            self._progress(name, got)
                    fh.seek(got)
                    got += len(fh.read(1))  # still growing? one byte is enough to know
                except EOFError as exc:  # SFTP EOF status: the file shrank while we read it
                    raise FileNotReady(
                        "SFTP file shrank while it was read",
                        host=self.settings.host,
                        folder=folder,
                        name=name,
                    ) from exc
        if got != expected:  # the connection is fine: the file changed under us
            raise FileNotReady(
                "SFTP download size differs from the size at open",
                host=self.settings.host,
                folder=folder,
                name=name,
                expected=expected,
                got=got,
            )

    def write(self, folder: str, name: str, data: bytes, *, upload: str = "temp_name",
              staging: str | None = None) -> None:
        """Upload to a temporary name, check its size, then posix_rename into place.

        A file already there with the same size and sha256 counts as delivered (no rewrite), so a
        retried upload leaves exactly one complete file.

        ``upload`` (a profile's [delivery] upload): "temp_name" (``.tmp-<name>.part`` beside the file), "staging"
        (``<name>`` in the folder ``staging``, e.g. "outbox/../stage", moved into place: for a poller that takes
        every file of its folder, or a server refusing dot-files), "direct" (written under its final name and
        its size checked, for a server that refuses renames: a file that fails is removed while the connection
        lives; a connection lost mid-upload leaves part of it there, which the next delivery writes again).
        """
        final = self._path(folder, name)
        if upload == "direct":
            tmp = final
        elif upload == "staging" and staging:
            tmp = self._path(staging, name)
            if posixpath.dirname(tmp) == posixpath.dirname(final):  # (the profile refuses it too)
                raise ConfigError("the staging folder is the folder delivered to", folder=folder, staging=staging)
        else:
            tmp = posixpath.join(self._dir(folder), f"{TMP_PREFIX}{name}{TMP_SUFFIX}")
        with self._edge("write", folder, name):
            if self._same_content(folder, name, final, data):
                log.info("sftp %s/%s already delivered with identical content", folder, name)
                return
            sftp = self._session()
            try:
                with sftp.open(tmp, "wb") as fh:
                    fh.set_pipelined(True)
                    for start in range(0, len(data), CHUNK):
                        fh.write(data[start : start + CHUNK])
                        if self._progress:
                            self._progress(name, min(start + CHUNK, len(data)))
                    fh.flush()  # close() then waits for every pipelined write status
                size = sftp.stat(tmp).st_size
                if size != len(data):
                    raise TransientError(
                        "SFTP upload short",
                        host=self.settings.host,
                        folder=folder,
                        name=name,
                        expected=len(data),
                        got=size,
                    )
                if tmp != final:
                    self._rename(tmp, final, folder=folder, name=name)
            except BaseException:
                # a refused write (disk full, quota) or rename, or a short upload: no partial file left
                self._drop_temporary(tmp)  # to fill the partner's quota or be taken by a careless reader
                raise

    def _rename(self, src: str, dst: str, *, folder: str, name: str) -> None:
        """``src`` renamed to ``dst``, replacing a file there: posix-rename (atomic) where the server has
        it; else plain rename, which refuses an existing target, so that target is removed first (no
        partial file is ever visible under ``dst``). A server that refuses renaming is a clear
        SecurityError naming the step."""
        sftp = self._session()
        if self._posix_rename:
            try:
                sftp.posix_rename(src, dst)
                return
            except OSError as exc:  # permission denied (extension refused) or "Operation unsupported"
                if not self._active() or not (
                    isinstance(exc, PermissionError) or "unsupported" in str(exc).lower()
                ):
                    raise
                log.info("sftp %s: posix-rename refused (%s); using plain rename", self.settings.host, exc)
                self._posix_rename = False
        try:
            sftp.rename(src, dst)
        except PermissionError as exc:
            raise SecurityError(
                "SFTP server refuses to rename files in this folder (permission denied)",
                **self._refusal_context(folder, name, "rename", exc),
            ) from exc
        except FileNotFoundError:
            raise  # ``src`` is gone: the file at ``dst`` must stay
        except OSError:
            if not self._active() or not self._exists(dst):
                raise
            sftp.remove(dst)  # plain rename never replaces: the older file of that name goes first
            sftp.rename(src, dst)

    def _refusal_context(self, folder: str, name: str, op: str, exc: BaseException) -> dict[str, object]:
        context: dict[str, object] = dict(host=self.settings.host, port=self.settings.port, folder=folder,
                                          name=name, op=op, detail=f"{type(exc).__name__}: {exc}")
        if folder == "inbox":
            context["hint"] = ("an inbox we may read but not change (the partner removes the files we "
                               "have taken): set leave_in_inbox = true in the profile's [drop.sftp]")
        return context

    def _exists(self, path: str) -> bool:
        try:
            self._session().stat(path)
        except FileNotFoundError:
            return False
        return True

    def _drop_temporary(self, tmp: str) -> None:
        if not self._active():
            return  # the connection is gone: the next upload of this name overwrites it
        try:
            self._session().remove(tmp)
        except Exception:  # never masks the error being raised
            log.debug("could not remove temporary upload %s", tmp, exc_info=True)

    def _same_content(self, folder: str, name: str, path: str, data: bytes) -> bool:
        try:
            attr = self._session().stat(path)
        except FileNotFoundError:
            return False
        if attr.st_size != len(data):
            return False
        return hashlib.sha256(self.read(folder, name)).digest() == hashlib.sha256(data).digest()

    # -- housekeeping -----------------------------------------------------------------------

    def stat(self, folder: str, name: str) -> FileInfo | None:
        path = self._path(folder, name)
        with self._edge("stat", folder, name):
            try:
                attr = self._session().stat(path)
            except FileNotFoundError:
                return None
        return FileInfo(name=name, size=attr.st_size or 0, mtime=float(attr.st_mtime or 0))

    @property
    def leaves_taken_files(self) -> bool:
        """True when files taken stay in the inbox (``leave_in_inbox``): the caller passes over a file
        it has taken before rather than reporting it as a duplicate."""
        return self.settings.leave_in_inbox

    def move(self, folder: str, name: str, to_folder: str, to_name: str | None = None) -> None:
        """Rename atomically; to "processed" when ``remote_processed`` is None this deletes, and with
        ``leave_in_inbox`` it does nothing (the caller calls it only after a verified download)."""
        if folder == "inbox" and to_folder == "processed" and self.settings.leave_in_inbox:
            return
        if to_folder == "processed" and self.settings.remote_processed is None:
            self.delete(folder, name)
            return
        src = self._path(folder, name)
        dst = self._path(to_folder, to_name or name)
        with self._edge("move", folder, name):
            self._rename(src, dst, folder=folder, name=name)

    def delete(self, folder: str, name: str) -> None:
        path = self._path(folder, name)
        with self._edge("delete", folder, name):
            try:
                self._session().remove(path)
            except FileNotFoundError:
                pass
            except PermissionError as exc:
                raise SecurityError(
                    "SFTP server refuses to remove files in this folder (permission denied)",
                    **self._refusal_context(folder, name, "remove", exc),
                ) from exc


def _decode(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def display_name(raw: bytes) -> str:
    """A printable, unambiguous form of a remote name: the repr of its UTF-8 (surrogateescape) text."""
    return repr(raw.decode("utf-8", "surrogateescape"))
