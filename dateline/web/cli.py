"""``dateline serve``: the web UI and JSON API over a store opened read-only."""

from __future__ import annotations

import os
import signal
import socket
from typing import Any

import click

from dateline.errors import DatelineError
from dateline.storage import default_db_url, open_store


@click.command("serve")
@click.option("--db", "db", default=None, metavar="URL",
              help="Store: a SQLite path or sqlite:/// URL (default: $DATELINE_DB or ./dateline.db).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes, e.g. one per core (each opens the store read-only and binds the port itself).")
def serve_cmd(db: str | None, host: str, port: int, workers: int) -> None:
    """Serve the web UI (search, articles, entities, timeline, map) and the /api JSON twins."""
    import uvicorn

    url = db or default_db_url()
    try:
        store = open_store(url, read_only=True)  # fail fast on a missing or unreadable store
    except DatelineError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Dateline web UI on http://{host}:{port}/ (store {url}, read-only)", err=True)
    if workers > 1:
        store.close()
        if port == 0:
            raise click.ClickException("--workers > 1 needs a fixed --port (each worker binds it itself)")
        if hasattr(socket, "SO_REUSEPORT"):
            serve_workers(url, host, port, workers)
        else:  # no SO_REUSEPORT (Windows): uvicorn's workers, sharing one socket
            os.environ["DATELINE_DB"] = url
            uvicorn.run("dateline.web.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                        log_level="warning")
        return
    from dateline.web.app import create_app

    try:
        uvicorn.run(create_app(store), host=host, port=port, log_level="warning")
    finally:
        store.close()


def _family(host: str) -> socket.AddressFamily:
    """IPv6 for an address with colons, else IPv4."""
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def reuseport_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on (host, port) with ``SO_REUSEPORT``: several processes each bind
    their own, and the kernel spreads new connections over them by a hash of the connection."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _worker(url: str, sock: socket.socket) -> None:
    """One server process: the app over its own read-only store, on its own SO_REUSEPORT socket."""
    import uvicorn

    os.environ["DATELINE_DB"] = url
    config = uvicorn.Config("dateline.web.app:app_from_env", factory=True, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


def serve_workers(url: str, host: str, port: int, workers: int) -> None:
    """Run ``workers`` server processes that each accept on their own socket bound to the same port.

    uvicorn's own ``--workers`` share one socket, and whichever process is free at ``accept`` takes
    the connection: under load the keep-alive connections end up unevenly spread and stay so (in
    ``bench/web_load.py``, 2 workers: p50 92 ms but p95 254 ms for the HTML page; 4 workers: p50 38,
    p95 449). With a socket per process the kernel spreads them by hash instead.

    A port something already listens on is refused (SO_REUSEPORT would otherwise let a second
    ``dateline serve`` share this one's connections); the sockets are bound here, right after that
    check, and handed to the workers. Stops every worker on SIGTERM or SIGINT, and all of them when
    one dies (then exits with an error)."""
    import multiprocessing
    from multiprocessing.connection import wait

    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # old TIME_WAIT connections are fine
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sockets = [reuseport_socket(host, port) for _ in range(workers)]
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_worker, args=(url, sock), daemon=True) for sock in sockets]
    stopping: list[int] = []

    def stop(signum: int, _frame: Any) -> None:
        stopping.append(signum)
        for proc in procs:
            if proc.pid is not None and proc.is_alive():
                proc.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        for proc in procs:
            proc.start()
        for sock in sockets:
            sock.close()  # the workers hold their copies
        while not stopping and not any(proc.exitcode is not None for proc in procs):
            wait([proc.sentinel for proc in procs], timeout=1.0)
    finally:
        for proc in procs:
            if proc.pid is not None and proc.is_alive():
                proc.terminate()
        for proc in procs:
            if proc.pid is not None:
                proc.join(timeout=10)
                if proc.is_alive():
                    proc.kill()
                    proc.join(timeout=5)
    if stopping:
        return  # asked to stop: a clean exit, as uvicorn's own
    failed = [proc.exitcode for proc in procs if proc.exitcode]
    raise click.ClickException(f"a server worker exited (exit codes {failed or [0]}); stopped the others")
