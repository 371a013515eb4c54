"""The commands that open the annotation screen: annotate, review, and serve (in a web browser)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from annotator.cli.context import Context
from annotator.cli.output import echo
from annotator.errors import AnnotatorError

if TYPE_CHECKING:
    from annotator.store import Store


def require_documents(store: Store) -> None:
    if store.documents.count() == 0:
        raise AnnotatorError("no documents to annotate; use 'annotator import PATH' first", store.path)


def run_tui(store: Store, user: str, doc_key: str | None, review: bool = False) -> None:
    """Open the annotation (or review) screen with the keys of annotator.toml, until the user quits."""
    require_documents(store)
    if review and not store.teams.has_review():
        raise AnnotatorError(
            "nothing to review: no document is finished (marked done) by two or more annotators", store.path
        )
    from annotator.config import check_label_keys, config_path, load_config
    from annotator.keymap import key_actions
    from annotator.tui.app import make_app

    actions = key_actions()
    config = load_config(config_path(), actions)
    check_label_keys(config, actions)
    app = make_app(
        store,
        user,
        doc_key,
        config.keys,
        review,
        config.learn_from_other_annotators,
        config.threshold,
        config.model,
        config.guidelines,
    )
    app.run()
    app.writer.close()  # the app closes it too; this is for an app that stopped before it mounted
    unsaved = app.writer.failures
    for write in unsaved:  # failed as the screen went: nobody saw it said
        failure = write.failure
        echo(f"annotator: not saved: {write.what} ({failure.reason if failure else 'unknown'})", err=True)
    if unsaved:
        raise SystemExit(1)
    if app.return_code:  # the app stopped on an error (Textual printed it): not a success
        raise SystemExit(app.return_code)


@click.command()
@click.option("--doc", "doc_key", help="Open this document (its key) first.")
@click.pass_obj
def annotate(obj: Context, doc_key: str | None) -> None:
    """Open the annotation screen for --user."""
    with obj.store() as store:
        if doc_key is not None:
            store.documents.id_of(doc_key)
        run_tui(store, obj.user, doc_key)


@click.command()
@click.pass_obj
def review(obj: Context) -> None:
    """Review disagreements between finished layers into the gold layer.

    Documents with disagreements come first, the least agreed first. Spans every finished layer agrees on
    go into gold when a document opens; 1-9 take a layer's version of the current disagreement, 0 none,
    n/N move between disagreements, d finishes the document; the annotation keys edit gold by hand.
    """
    with obj.store() as store:
        run_tui(store, obj.user, None, review=True)


@click.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Where to listen (127.0.0.1: this machine only)."
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="The port.")
@click.option(
    "--token",
    help="Require this secret in every request (the printed URL carries it); 'auto' makes one up."
    "  [default: $ANNOTATOR_SERVE_TOKEN, else none]",
)
@click.pass_obj
def serve(obj: Context, host: str, port: int, token: str | None) -> None:
    """The annotation screen in a web browser (textual-serve): each visitor gets a process of their own,
    as --user on --db. Ctrl+C stops the server.

    Anyone who reaches the port annotates as --user: off 127.0.0.1 give --token (and prefer an SSH
    tunnel or a proxy with TLS: the connection itself is plain http).
    """
    import os

    token = token or os.environ.get("ANNOTATOR_SERVE_TOKEN") or None
    if token == "auto":
        import secrets

        token = secrets.token_urlsafe(18)
    with obj.store() as store:
        require_documents(store)
    from annotator.tui.serve import serve_in_browser

    for line in serve_warnings(host, port, obj.user, token):
        echo(f"annotator: warning: {line}", err=True)
    query = f"?token={token}" if token else ""
    echo(f"annotator for {obj.user} at http://{host}:{port}/{query} (Ctrl+C stops it)", err=True)
    serve_in_browser(obj.db_path, obj.user, host, port, token)


def serve_warnings(host: str, port: int, user: str, token: str | None) -> list[str]:
    """What to say before serving: off loopback, who can annotate, and that http is not encrypted."""
    import ipaddress

    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if loopback:
        return []
    if token is None:
        return [
            f"serving on {host}, not this machine only, with no token: anyone who can reach port {port}"
            f" annotates as {user}; give --token auto, or serve on 127.0.0.1 behind an SSH tunnel"
        ]
    return [f"serving on {host} over plain http: the token and the text travel unencrypted"]
