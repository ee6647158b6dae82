"""Open our HTML pages in headless Chromium (Debian's `chromium` and `chromium-driver`, installed by
scripts/ensure-test-servers.sh), offline, and look at what really rendered: run a script in the page,
read the DOM, keep a screenshot. Shared by the report, dashboard and console tests.

    with Browser() as browser:
        browser.open(path)                     # a local file; nothing else can load
        sizes = browser.run("return document.querySelectorAll('svg').length")
        browser.screenshot(artifact("dashboard.png"))

Chromium is driven by chromedriver over the W3C WebDriver protocol (JSON over HTTP on 127.0.0.1, spoken
with urllib: no selenium needed). Offline: no network services, no component updates, no sync, a fresh
profile, and every host name resolves to nothing. When chromedriver is missing, dump_dom() and
screenshot_file() use the chromium command line alone.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from flows.prefect_api import free_port

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"  # git-ignored: screenshots a person can look at after a run
OFFLINE_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
    "--hide-scrollbars", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


def chromium() -> str:
    """The chromium binary, or a skip (a failure under CI=true, where the test set-up must install it)."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is missing: run scripts/ensure-test-servers.sh")
    pytest.skip("chromium is not installed (scripts/ensure-test-servers.sh installs it)")


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


def dump_dom(page: Path, *, timeout: float = 90) -> str:
    """The DOM Chromium built for ``page`` (command line only, no script run)."""
    with tempfile.TemporaryDirectory(prefix="ob-chromium-") as profile:
        out = subprocess.run([chromium(), *OFFLINE_FLAGS, f"--user-data-dir={profile}", "--dump-dom",
                              page.resolve().as_uri()], capture_output=True, text=True, timeout=timeout, check=True)
    return out.stdout


def screenshot_file(page: Path, png: Path, *, size: tuple[int, int] = (1280, 2400), timeout: float = 90) -> Path:
    """A PNG of ``page`` taken by the chromium command line."""
    with tempfile.TemporaryDirectory(prefix="ob-chromium-") as profile:
        subprocess.run([chromium(), *OFFLINE_FLAGS, f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}",
                        f"--screenshot={png}", page.resolve().as_uri()], capture_output=True, timeout=timeout,
                       check=True)
    return png




class Browser:
    """One headless Chromium session through chromedriver; a context manager that cleans up after itself."""

    def __init__(self, *, size: tuple[int, int] = (1280, 2400), timeout: float = 90) -> None:
        self.binary = chromium()
        self.driver = shutil.which("chromedriver")
        if self.driver is None:
            if os.environ.get("CI") == "true":
                pytest.fail("chromedriver is missing: run scripts/ensure-test-servers.sh")
            pytest.skip("chromedriver is not installed (scripts/ensure-test-servers.sh installs chromium-driver)")
        self.size, self.timeout = size, timeout
        self.process: subprocess.Popen | None = None
        self.session = ""
        self.profile = ""

    def __enter__(self) -> Browser:
        self.port = free_port()
        self.process = subprocess.Popen([self.driver, f"--port={self.port}", "--allowed-ips=127.0.0.1"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                if (self._call("GET", "/status") or {}).get("ready"):
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.__exit__(None, None, None)
                raise RuntimeError("chromedriver did not start")
            time.sleep(0.1)
        self.profile = tempfile.mkdtemp(prefix="ob-chromium-")
        args = [*OFFLINE_FLAGS, f"--user-data-dir={self.profile}", f"--window-size={self.size[0]},{self.size[1]}"]
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": self.binary, "args": args}}}}
        self.session = self._call("POST", "/session", caps)["sessionId"]
        return self

    def __exit__(self, *exc) -> None:
        if self.session:
            try:
                self._call("DELETE", f"/session/{self.session}")
            except (urllib.error.URLError, ConnectionError):
                pass
            self.session = ""
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None
        if self.profile:
            shutil.rmtree(self.profile, ignore_errors=True)
            self.profile = ""

    def _call(self, method: str, path: str, body: dict | None = None):
        """One WebDriver command; its "value"."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - loopback only
            payload = json.loads(response.read() or b"{}")
        value = payload.get("value")
        if isinstance(value, dict) and "error" in value and "message" in value:
            raise RuntimeError(f"webdriver {path}: {value['error']}: {value['message'][:500]}")
        return value

    def open(self, page: Path) -> None:
        self._call("POST", f"/session/{self.session}/url", {"url": page.resolve().as_uri()})

    def run(self, script: str, *args):
        """Run ``script`` (a function body; use ``return``) in the page and give back its JSON value."""
        return self._call("POST", f"/session/{self.session}/execute/sync", {"script": script, "args": list(args)})

    def dom(self) -> str:
        return self.run("return document.documentElement.outerHTML")

    def screenshot(self, png: Path) -> Path:
        data = self._call("GET", f"/session/{self.session}/screenshot")
        png.write_bytes(base64.b64decode(data))
        return png

    # --- pages served over HTTP (the console): visit, fill in, click -----------------------------------
    def visit(self, url: str) -> None:
        """Open ``url`` (a page on 127.0.0.1: every other host resolves to nothing)."""
        self._call("POST", f"/session/{self.session}/url", {"url": url})

    def url(self) -> str:
        return self._call("GET", f"/session/{self.session}/url")

    def find(self, css: str) -> str:
        """The WebDriver id of the first element matching ``css`` (an error when there is none)."""
        found = self._call("POST", f"/session/{self.session}/element", {"using": "css selector", "value": css})
        return next(iter(found.values()))

    def type(self, css: str, text: str) -> None:
        element = self.find(css)
        self._call("POST", f"/session/{self.session}/element/{element}/clear", {})
        self._call("POST", f"/session/{self.session}/element/{element}/value", {"text": text})

    def click(self, css: str) -> None:
        self._call("POST", f"/session/{self.session}/element/{self.find(css)}/click", {})


# What the finance report and dashboard tests read off a rendered page: the charts' bars and sizes,
# the cards, the text, and every resource the page fetched (none: offline).
PAGE_FACTS = """
const bars = Array.from(document.querySelectorAll('svg rect.bar')).map(r => ({
  chart: r.closest('svg').id, category: r.dataset.category, series: r.dataset.series,
  value: r.dataset.value, width: r.getBBox().width, height: r.getBBox().height}));
const svgs = Array.from(document.querySelectorAll('svg')).map(s => {
  const box = s.getBoundingClientRect(); return {id: s.id, width: box.width, height: box.height}; });
const cards = Array.from(document.querySelectorAll('.card')).map(c => [c.id, c.innerText.replace(/\\s+/g, ' ')]);
return {svgs, bars, cards, text: document.body.innerText,
        resources: performance.getEntriesByType('resource').map(e => e.name)};
"""
