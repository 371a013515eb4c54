"""The annotation screen in a web browser: textual-serve runs ``annotator annotate`` in a process of its
own for each visitor. With a token, every request must carry it (``?token=`` on the first page, then a
cookie), so that reaching the port is not enough to annotate."""

from __future__ import annotations

import hmac
import shlex
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web
from textual_serve.server import Server

COOKIE = "annotator_token"
FORBIDDEN = "open the URL annotator serve printed"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class _TokenServer(Server):
    """textual-serve's server, every request refused (403) unless it carries the token."""

    def __init__(self, command: str, host: str, port: int, token: str | None) -> None:
        super().__init__(command, host=host, port=port, title="annotator")
        self.token = token

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        if self.token is not None:
            app.middlewares.append(self._require_token)
        return app

    @web.middleware
    async def _require_token(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        assert self.token is not None
        given = request.query.get("token") or request.cookies.get(COOKIE) or ""
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            return web.Response(status=403, text=f"annotator: this server needs its token: {FORBIDDEN}\n")
        response = await handler(request)
        if "token" in request.query and not response.prepared:
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict")
        return response


def serve_in_browser(db: Path, user: str, host: str, port: int, token: str | None = None) -> None:
    """Serve the annotation screen for ``user`` on ``db`` at ``http://host:port/`` until Ctrl+C; with
    ``token``, only to requests that carry it."""
    command = [sys.executable, "-m", "annotator", "--db", str(db.resolve()), "--user", user, "annotate"]
    _TokenServer(shlex.join(command), host, port, token).serve()
