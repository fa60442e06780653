"""A webhook receiver for the hand-off tests: an HTTP server on 127.0.0.1 at a free port, in a thread, that records
each POST (its content type and body) and answers the status it is told to; the test that starts it stops it."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Receiver(BaseHTTPRequestHandler):
    """Records each POST body; answers the status the server was told to."""

    def do_POST(self):  # noqa: N802 (the http.server method name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.headers["Content-Type"], body))
        self.send_response(self.server.answer)
        self.end_headers()

    def log_message(self, *args):  # quiet
        pass


@contextmanager
def receiving(answer: int = 200):
    """The server (``received``: the POSTs so far; ``answer``: the status it answers; ``url``), stopped on leaving."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.received, server.answer = [], answer
    server.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/tasks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def free_port() -> int:
    """A loopback port nobody listens on now."""
    closed = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    port = closed.server_address[1]
    closed.server_close()
    return port
