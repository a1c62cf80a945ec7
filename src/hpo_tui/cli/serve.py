"""``hpo-tui serve``: the same TUI in a web browser, through textual-serve.

textual-serve starts one ``hpo-tui open`` process per browser session and relays its screen
over a websocket to xterm.js in the page. That process runs in the same working directory
with the same environment, so it reads the same config file; its command line holds no
source at all: the sources travel in ``$HPO_TUI_STORAGE`` (one per line), so a password in a
URL never reaches a process list, the page (its title is fixed) or the server's log line
naming the command.
"""

from __future__ import annotations

import ipaddress
import os
import shlex
import socket
import sys
from collections.abc import Sequence
from typing import Any

from hpo_tui.core.errors import HpoTuiError
from hpo_tui.core.model.watch import WatchPolicy

SOURCES_VARIABLE = "HPO_TUI_STORAGE"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
PAGE_TITLE = "hpo-tui"


def served_command(watch: WatchPolicy | None) -> str:
    """The shell command each browser session runs: the TUI, no source on it.

    Args:
        watch: The auto-refresh policy given to ``serve`` (``None``: never check).
    """
    flags: list[str] = []
    if watch is None:
        flags = ["--no-watch"]
    elif not watch.backs_off:
        flags = ["--watch", repr(watch.period)]
    return shlex.join([sys.executable, "-m", "hpo_tui", "open", *flags])


def served_environment(specs: Sequence[str]) -> dict[str, str]:
    """The variables that carry ``specs`` to the served process (one source per line).

    Raises:
        HpoTuiError: a source holds a line break (it could not be told apart).
    """
    for spec in specs:
        if "\n" in spec or "\r" in spec:
            raise HpoTuiError(f"{spec!r}: a source with a line break cannot be served")
    return {SOURCES_VARIABLE: "\n".join(specs)}


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_bindable(host: str, port: int) -> None:
    """Bind the address once, as the server will, so that a taken port is one line of error
    before anything is printed (the server itself reports it after its banner)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp does
            probe.bind(address)
    except OSError as exc:
        raise HpoTuiError(f"{host}:{port}: cannot listen ({exc.strerror or exc})") from None


def serve(
    specs: Sequence[str],
    watch: WatchPolicy | None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    public_url: str | None = None,
) -> int:
    """Serve the TUI on ``http://HOST:PORT`` until interrupted (Ctrl+C or SIGTERM).

    Args:
        specs: The sources, already checked by the caller.
        watch: The auto-refresh policy of every session.
        host: The address to listen on (loopback by default: nobody else can connect).
        port: The TCP port.
        public_url: The address browsers reach the server by, when it differs from
            ``http://HOST:PORT`` (behind a proxy or a tunnel); the page's websocket uses it.

    Raises:
        HpoTuiError: textual-serve is not installed, or the address cannot be bound.
    """
    try:
        from textual_serve.server import Server
    except ImportError:
        raise HpoTuiError("serve needs textual-serve: pip install 'hpo-tui[serve]'") from None
    from hpo_tui.core.storage.sources import mask_url

    environment = served_environment(specs)
    _check_bindable(host, port)
    shown = ", ".join(mask_url(spec) for spec in specs)

    class HpoServer(Server):
        async def on_startup(self, app: Any) -> None:
            # one line instead of textual-serve's banner, which repeats the command
            print(f"hpo-tui: serving {shown} on {self.public_url} (Ctrl+C stops)", flush=True)

    os.environ.update(environment)
    if not _is_loopback(host):
        print(
            f"hpo-tui: serving on {host}: anyone who can reach port {port} there can read "
            "the campaign (there is no login)",
            file=sys.stderr,
        )
    server = HpoServer(
        served_command(watch), host=host, port=port, title=PAGE_TITLE, public_url=public_url
    )
    try:
        server.serve()
    except OSError as exc:  # taken between the check and the server's own bind
        raise HpoTuiError(f"{host}:{port}: cannot listen ({exc.strerror or exc})") from None
    return 0
