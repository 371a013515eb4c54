"""`annotator serve`: the annotation screen behind textual-serve, on 127.0.0.1 by default."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import SEED


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def first_screen(url: str, seconds: float = 30.0) -> str:
    """Connect as the browser does and collect what the app draws until its title line shows."""
    import aiohttp  # textual-serve's own dependency

    seen = b""
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            message = await ws.receive(timeout=deadline - time.monotonic())
            if message.type == aiohttp.WSMsgType.BINARY:
                seen += message.data
            elif message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                break
            text = seen.decode("utf-8", "replace")
            if "document 1 of 1" in text and "Armenia says Karabakh" in text:
                break
    return seen.decode("utf-8", "replace")


def test_serve_answers_on_localhost_with_the_app_page(run, db: Path) -> None:
    assert run("import", str(SEED)).exit_code == 0
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "annotator", "--db", str(db), "--user", "alice", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        page = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    page = response.read().decode("utf-8")
                    break
            except OSError:
                time.sleep(0.1)
        # the terminal page, whose websocket (one app process per visitor) is on this machine only
        assert "xterm" in page
        assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in page
        shown = asyncio.run(first_screen(f"ws://127.0.0.1:{port}/ws?width=100&height=30"))
        assert "document 1 of 1" in shown and "Armenia says Karabakh" in shown
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=10)
