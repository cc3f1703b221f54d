"""A TCP proxy that can cut and restore a link, to make a broker unreachable without losing
what it holds (the in-memory broker would lose everything if stopped)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress


class CuttableProxy:
    def __init__(self, listen_port: int, target_port: int) -> None:
        self._target = ("127.0.0.1", target_port)
        self._server = socket.create_server(("127.0.0.1", listen_port))
        self._server.settimeout(0.2)
        self._open = threading.Event()
        self._open.set()
        self._closing = threading.Event()
        self._links: list[socket.socket] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def cut(self) -> None:
        """Drop every connection and refuse new ones (connections are closed at once)."""
        self._open.clear()
        with self._lock:
            for link in self._links:
                link.close()
            self._links.clear()

    def restore(self) -> None:
        self._open.set()

    def close(self) -> None:
        self._closing.set()
        self.cut()
        self._thread.join(2)
        self._server.close()

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self._open.is_set():
                client.close()
                continue
            self._link(client)

    def _link(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self._target, timeout=2)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        with self._lock:
            self._links += [client, upstream]
        for src, dst in ((client, upstream), (upstream, client)):
            threading.Thread(target=_pump, args=(src, dst), daemon=True).start()


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (src, dst):
            with suppress(OSError):
                sock.close()


@contextmanager
def cuttable(listen_port: int, target_port: int) -> Iterator[CuttableProxy]:
    proxy = CuttableProxy(listen_port, target_port)
    try:
        yield proxy
    finally:
        proxy.close()
