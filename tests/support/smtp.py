"""A minimal local SMTP server for tests: it accepts every message and keeps it."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message

from tests.support.services import free_port


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        self._say(b"220 snt-test ESMTP")
        data: list[bytes] = []
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self._say(b"250 snt-test")
            elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                self._say(b"250 OK")
            elif verb == b"DATA":
                self._say(b"354 end with <CRLF>.<CRLF>")
                data = []
                while (part := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(part[1:] if part.startswith(b"..") else part)
                self.server.messages.append(message_from_bytes(b"".join(data)))
                self._say(b"250 queued")
            elif verb == b"QUIT":
                self._say(b"221 bye")
                return
            else:
                self._say(b"502 not implemented")

    def _say(self, text: bytes) -> None:
        self.wfile.write(text + b"\r\n")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    messages: list[Message]


@contextmanager
def smtp_server() -> Iterator[tuple[int, list[Message]]]:
    """(port, the messages received) while the server runs."""
    port = free_port()
    server = _Server(("127.0.0.1", port), _Handler)
    server.messages = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield port, server.messages
    finally:
        server.shutdown()
        server.server_close()
