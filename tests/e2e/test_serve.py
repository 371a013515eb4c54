"""`annotator serve`: the annotation screen behind textual-serve, on 127.0.0.1 by default."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
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


def _start_serve(db: Path, port: int, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "annotator",
            "--db",
            str(db),
            "--user",
            "alice",
            "serve",
            "--port",
            str(port),
            *args,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(url, headers=headers or {})
    for _ in range(100):
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                return response.status, response.headers.get("Set-Cookie", ""), response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, "", err.read().decode()
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"no answer from {url}")


def test_a_token_is_needed_for_the_page_and_the_app(run, db: Path) -> None:
    import aiohttp

    assert run("import", str(SEED)).exit_code == 0
    port = free_port()
    server = _start_serve(db, port, "--token", "s3cret-token")
    try:
        status, _, body = _get(f"http://127.0.0.1:{port}/")
        assert (status, body) == (
            403,
            "annotator: this server needs its token: open the URL annotator serve printed\n",
        )
        assert _get(f"http://127.0.0.1:{port}/?token=wrong")[0] == 403
        status, cookie, page = _get(f"http://127.0.0.1:{port}/?token=s3cret-token")
        assert status == 200 and "xterm" in page
        assert cookie.startswith("annotator_token=s3cret-token;") and "HttpOnly" in cookie

        async def refused_without_the_cookie() -> int:
            async with aiohttp.ClientSession() as session:
                try:
                    async with session.ws_connect(f"ws://127.0.0.1:{port}/ws"):
                        return 101
                except aiohttp.WSServerHandshakeError as err:
                    return err.status

        assert asyncio.run(refused_without_the_cookie()) == 403
        shown = asyncio.run(first_screen(f"ws://127.0.0.1:{port}/ws?width=100&height=30&token=s3cret-token"))
        assert "document 1 of 1" in shown
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=10)
    assert server.stderr is not None
    said = server.stderr.read().decode()
    assert f"annotator for alice at http://127.0.0.1:{port}/?token=s3cret-token (Ctrl+C stops it)" in said
    assert "warning" not in said


def test_serving_off_this_machine_warns_plainly(run, db: Path) -> None:
    assert run("import", str(SEED)).exit_code == 0
    port = free_port()
    server = _start_serve(db, port, "--host", "0.0.0.0")
    try:
        assert _get(f"http://127.0.0.1:{port}/")[0] == 200
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=10)
    assert server.stderr is not None
    said = server.stderr.read().decode()
    assert said.startswith(
        f"annotator: warning: serving on 0.0.0.0, not this machine only, with no token: anyone who can reach"
        f" port {port} annotates as alice; give --token auto, or serve on 127.0.0.1 behind an SSH tunnel\n"
    )


def test_a_hostile_key_reaches_the_browser_terminal_spelled_out(run, db: Path) -> None:
    import sqlite3

    assert run("import", str(SEED)).exit_code == 0
    conn = sqlite3.connect(db)
    conn.execute("UPDATE documents SET key = ?", ("k\x1b]0;pwned\x07\x1b]52;c;cHduZWQ=\x07",))
    conn.commit()
    conn.close()
    port = free_port()
    server = _start_serve(db, port)
    try:
        assert _get(f"http://127.0.0.1:{port}/")[0] == 200
        shown = asyncio.run(first_screen(f"ws://127.0.0.1:{port}/ws?width=120&height=30"))
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=10)
    assert "document 1 of 1" in shown
    assert "k\\x1b]0;pwned\\x07\\x1b]52;c;cHduZWQ=\\x07" in shown
    assert "]0;pwned" not in shown.replace("\\x1b]0;pwned", "")
    assert "]52;" not in shown.replace("\\x1b]52;", "")
