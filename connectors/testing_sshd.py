"""A private OpenSSH SFTP server on 127.0.0.1 for the integration tests and `orderbridge demo --sftp`.

Needs root (it creates an unprivileged user and a root-owned chroot under /srv). Keys are generated
at run time, the server runs from its own sshd_config, and every process it starts is stopped by
PID. Never touches the system sshd, its config or port 22.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from schemas.profile import SftpSettings

log = logging.getLogger(__name__)

SSHD = "/usr/sbin/sshd"  # by absolute path: a relative one refuses to re-exec
SSH_KEYGEN = "/usr/bin/ssh-keygen"
POLICY_RC_D = Path("/usr/sbin/policy-rc.d")
SFTP_USER = "obsftp"
FOLDERS = ("inbox", "outbox", "processed")


def ensure_openssh_installed() -> None:
    """Install openssh-server if /usr/sbin/sshd is missing, without letting it start a system sshd."""
    if Path(SSHD).exists():
        return
    if not POLICY_RC_D.exists():
        POLICY_RC_D.write_text("#!/bin/sh\n# OrderBridge test setup: never start services\nexit 101\n")
        POLICY_RC_D.chmod(0o755)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    cmd = ["apt-get", "install", "-y", "--no-install-recommends", "openssh-server"]
    if subprocess.run(cmd, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, check=True, capture_output=True)
        subprocess.run(cmd, env=env, check=True, capture_output=True)
    if not Path(SSHD).exists():
        raise RuntimeError("openssh-server installed but /usr/sbin/sshd is missing")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_key(path: Path, passphrase: str = "", comment: str = "orderbridge-test") -> Path:
    """An ed25519 key pair at ``path`` / ``path.pub`` (private key mode 0600)."""
    subprocess.run(
        [SSH_KEYGEN, "-q", "-t", "ed25519", "-N", passphrase, "-C", comment, "-f", str(path)],
        check=True,
        capture_output=True,
    )
    return path


def ensure_user(name: str = SFTP_USER) -> tuple[int, int]:
    """A dedicated unprivileged, key-login-only user (never root: root ignores file modes)."""
    if subprocess.run(["id", "-u", name], capture_output=True).returncode != 0:
        r = subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--home-dir",
                "/",
                "--shell",
                "/usr/sbin/nologin",
                name,
            ],
            capture_output=True,
            text=True,
        )
        if r.returncode not in (0, 9):  # 9: created meanwhile by another process
            raise RuntimeError(f"useradd {name} failed: {r.stderr.strip()}")
    # useradd leaves the account "locked" ("!"), which sshd refuses under UsePAM no.
    subprocess.run(["usermod", "-p", "*", name], check=True, capture_output=True)
    uid = int(subprocess.run(["id", "-u", name], check=True, capture_output=True, text=True).stdout)
    gid = int(subprocess.run(["id", "-g", name], check=True, capture_output=True, text=True).stdout)
    return uid, gid


def _children(pid: int) -> list[int]:
    """All descendants of ``pid`` (deepest last), read from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    out: list[int] = []
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


class LocalSshd:
    """A private sshd serving SFTP (internal-sftp, chrooted) to one unprivileged user.

    ``start()`` returns the SftpSettings a client needs; ``kill()`` simulates the server dying
    (SIGKILL, files kept), ``restart()`` brings it back on the same port with the same keys,
    ``stop()`` ends it and removes the chroot and keys.
    """

    def __init__(self, *, user: str = SFTP_USER, port: int | None = None, sftp_flags: str = "") -> None:
        self.user = user
        self.sftp_flags = sftp_flags  # internal-sftp options, e.g. "-P posix-rename" (a server without it)
        self.port = port or free_port()
        self.id = uuid.uuid4().hex[:10]
        self.chroot = Path(f"/srv/orderbridge-sftp-{self.id}")
        self.workdir = Path(tempfile.mkdtemp(prefix=f"orderbridge-sshd-{self.id}-"))
        self.host_key = self.workdir / "ssh_host_ed25519_key"
        self.user_key = self.workdir / "id_ed25519"
        self.known_hosts = self.workdir / "known_hosts"
        self.config = self.workdir / "sshd_config"
        self.log_file = self.workdir / "sshd.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.uid = self.gid = -1

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> SftpSettings:
        if os.geteuid() != 0:
            raise RuntimeError("LocalSshd needs root (user, chroot and sshd setup)")
        ensure_openssh_installed()
        self.uid, self.gid = ensure_user(self.user)
        self._make_chroot()
        self._make_keys()
        self._write_config()
        self._launch()
        return self.settings()

    def settings(self, **overrides: object) -> SftpSettings:
        values: dict[str, object] = dict(
            host="127.0.0.1",
            port=self.port,
            user=self.user,
            key_file=str(self.user_key),
            known_hosts=str(self.known_hosts),
            remote_inbox="/inbox",
            remote_outbox="/outbox",
            remote_processed="/processed",
            settle_seconds=0.0,
            timeout_seconds=10.0,
        )
        values.update(overrides)
        return SftpSettings.model_validate(values)

    def folder(self, name: str) -> Path:
        """The server-side path of a folder in the chroot (for tests acting as the partner)."""
        return self.chroot / name

    def kill(self) -> None:
        """Simulate the server dying: SIGKILL sessions, then the listener. Files stay."""
        self._terminate(signal.SIGKILL)

    def restart(self) -> None:
        self._terminate(signal.SIGKILL)
        self._launch()

    def stop(self) -> None:
        self._terminate(signal.SIGTERM)
        shutil.rmtree(self.chroot, ignore_errors=True)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> LocalSshd:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- setup ------------------------------------------------------------------------------

    def _make_chroot(self) -> None:
        # ChrootDirectory: every component root-owned and not group/world writable.
        self.chroot.mkdir(mode=0o755)
        os.chown(self.chroot, 0, 0)
        os.chmod(self.chroot, 0o755)
        for name in FOLDERS:
            path = self.chroot / name
            path.mkdir(mode=0o755)
            os.chown(path, self.uid, self.gid)

    def _make_keys(self) -> None:
        os.chmod(self.workdir, 0o755)  # sshd reads authorized_keys as the user
        make_key(self.host_key, comment="orderbridge-test-host")
        make_key(self.user_key, comment="orderbridge-test-user")
        authorized = self.workdir / "authorized_keys"
        authorized.write_text(self.user_key.with_suffix(".pub").read_text())
        authorized.chmod(0o644)
        host_pub = self.host_key.with_suffix(".pub").read_text().split()
        self.known_hosts.write_text(f"[127.0.0.1]:{self.port} {host_pub[0]} {host_pub[1]}\n")

    def _write_config(self) -> None:
        lines = [
            "ListenAddress 127.0.0.1",
            f"Port {self.port}",
            f"HostKey {self.host_key}",
            "PidFile none",
            f"AuthorizedKeysFile {self.workdir / 'authorized_keys'}",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PermitRootLogin no",
            f"AllowUsers {self.user}",
            "StrictModes no",
            "UsePAM no",
            "MaxStartups 200:30:400",
            "MaxSessions 50",
            "LogLevel VERBOSE",
            "Subsystem sftp internal-sftp",
            f"Match User {self.user}",
            f"    ChrootDirectory {self.chroot}",
            f"    ForceCommand internal-sftp {self.sftp_flags}".rstrip(),
            "    AllowTcpForwarding no",
            "    X11Forwarding no",
        ]
        # OpenSSH 9.8+ penalises sources after failed logins, which would lock out later tests.
        with_penalties = ["PerSourcePenalties no", *lines]
        self.config.write_text("\n".join(with_penalties) + "\n")
        if not self._config_ok():
            self.config.write_text("\n".join(lines) + "\n")
            if not self._config_ok():
                err = subprocess.run([SSHD, "-t", "-f", str(self.config)], capture_output=True, text=True)
                raise RuntimeError(f"sshd rejects its test config: {err.stderr.strip()}")

    def _config_ok(self) -> bool:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        return subprocess.run([SSHD, "-t", "-f", str(self.config)], capture_output=True).returncode == 0

    def _launch(self) -> None:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # /run is a tmpfs: every time
        os.chmod("/run/sshd", 0o755)
        with open(self.log_file, "ab") as logf:
            self.proc = subprocess.Popen(
                [SSHD, "-D", "-e", "-f", str(self.config)],
                stdin=subprocess.DEVNULL,
                stdout=logf,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"sshd exited at start: {self.log_file.read_text(errors='replace')[-2000:]}"
                )
            if _banner(self.port):
                log.info("test sshd pid %s on 127.0.0.1:%s", self.proc.pid, self.port)
                return
            time.sleep(0.05)
        self._terminate(signal.SIGKILL)
        raise RuntimeError("sshd did not answer its banner within 10 s")

    def _terminate(self, sig: signal.Signals) -> None:
        """Stop session processes (they setsid(), so SIGTERM to the listener leaves them), then the
        listener, each by PID."""
        proc = self.proc
        if proc is None:
            return
        children = _children(proc.pid) if proc.poll() is None else []
        direct = [p for p in children if _parent(p) == proc.pid]
        for pid in reversed(children):
            _signal(pid, sig)
        # Let the listener reap its own session processes before it goes (deeper ones that
        # outlive their parent are reaped by init).
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and (
            any(Path(f"/proc/{p}").exists() for p in direct) or any(_alive(p) for p in children)
        ):
            time.sleep(0.02)
        for pid in children:
            if _alive(pid):
                _signal(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        self.proc = None


def _signal(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _banner(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            return s.recv(64).startswith(b"SSH-")
    except OSError:
        return False
