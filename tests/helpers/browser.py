"""A headless Chromium, driven through chromedriver's W3C WebDriver HTTP API (stdlib only).

textual-serve draws the app with xterm.js on a canvas, so the page's DOM holds no text. A
script installed before the page's own (Chrome DevTools ``Page.addScriptToEvaluateOnNewDocument``)
keeps a reference to the xterm.js ``Terminal`` the page creates; :meth:`Browser.screen_text`
reads its buffer through xterm.js's public API (``buffer.active.getLine(i)
.translateToString()``): the characters the browser's terminal holds, i.e. what it paints.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,900",
)

# xterm.js's public Terminal sets ``this._core`` in its constructor: a setter on
# Object.prototype sees that assignment once, keeps the terminal, and turns the property
# back into a plain own one.
KEEP_TERMINAL = """
Object.defineProperty(Object.prototype, "_core", {
  configurable: true,
  set(value) {
    Object.defineProperty(
      this, "_core", {value, writable: true, configurable: true, enumerable: true});
    if (typeof this.loadAddon === "function" && !window.__hpoTerminal) window.__hpoTerminal = this;
  },
});
"""

READ_SCREEN = """
const terminal = window.__hpoTerminal;
if (!terminal) return null;
const buffer = terminal.buffer.active;
const lines = [];
for (let row = 0; row < terminal.rows; row++) {
  const line = buffer.getLine(buffer.viewportY + row);
  lines.push(line ? line.translateToString(true) : "");
}
return lines;
"""


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or ``None``."""
    for program in ("chromium", "chromedriver"):
        if shutil.which(program) is None:
            return f"{program} is not installed (Debian: apt-get install chromium chromium-driver)"
    return None


def free_port() -> int:
    """A TCP port nothing listens on right now, on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll ``condition`` (an external process's progress) until it is truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.2)


class Browser:
    """One WebDriver session."""

    def __init__(self, driver_url: str, session: str) -> None:
        self._base = f"{driver_url}/session/{session}"

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return _request(method, self._base + path, body)

    def open(self, url: str) -> None:
        """Load ``url`` (returns once the page has loaded)."""
        self._call("POST", "/url", {"url": url})

    def run(self, script: str) -> Any:
        """Run a JavaScript function body in the page; its return value."""
        return self._call("POST", "/execute/sync", {"script": script, "args": []})

    def screen_text(self) -> str | None:
        """The page's terminal, one line per row; ``None`` before it exists."""
        lines = self.run(READ_SCREEN)
        return None if lines is None else "\n".join(lines)


def _request(method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())["value"]


@contextmanager
def headless_chromium(profile: Path) -> Iterator[Browser]:
    """Start chromedriver and a headless Chromium with a fresh profile; stop both after."""
    port = free_port()
    driver = subprocess.Popen(
        [shutil.which("chromedriver") or "chromedriver", f"--port={port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    driver_url = f"http://127.0.0.1:{port}"
    session = None
    try:

        def ready() -> bool:
            try:
                return bool(_request("GET", f"{driver_url}/status")["ready"])
            except (urllib.error.URLError, ConnectionError):
                return False

        wait_until(ready, 30, "chromedriver")
        options = {
            "binary": shutil.which("chromium"),
            "args": [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"],
        }
        capabilities = {"browserName": "chrome", "goog:chromeOptions": options}
        created = _request(
            "POST", f"{driver_url}/session", {"capabilities": {"alwaysMatch": capabilities}}
        )
        session = created["sessionId"]
        browser = Browser(driver_url, session)
        browser._call(
            "POST",
            "/goog/cdp/execute",
            {"cmd": "Page.addScriptToEvaluateOnNewDocument", "params": {"source": KEEP_TERMINAL}},
        )
        yield browser
    finally:
        if session is not None:
            with suppress(urllib.error.URLError, ConnectionError):
                _request("DELETE", f"{driver_url}/session/{session}")
        driver.terminate()
        try:
            driver.wait(timeout=10)
        except subprocess.TimeoutExpired:
            driver.kill()
            driver.wait()
