"""Review of issue 10's database start-up with URLs of the same kinds as the issue's but
not the same: a server that answers but refuses what the URL asks for (TLS through
`?sslmode=require`, as hosted-PostgreSQL URLs carry) is one line at once, not «the server
does not answer» retried for DATABASE_STARTUP_RETRY_SECONDS."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from persistence.database import DatabaseProblem
from persistence.startup import open_database


@pytest.fixture
def postgres_without_tls() -> Iterator[int]:
    """A server that answers PostgreSQL's SSLRequest with «N», as a server without TLS does
    (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-SSL), then
    closes. Its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    if len(conn.recv(8)) == 8:  # length 8, code 80877103: SSLRequest
                        conn.sendall(b"N")
                        conn.recv(1024)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        listener.close()


def test_a_server_refusing_tls_is_one_line_at_once(postgres_without_tls: int) -> None:
    url = f"postgresql://bob:s3cret@127.0.0.1:{postgres_without_tls}/crisis?sslmode=require"
    started = time.monotonic()
    with pytest.raises(DatabaseProblem) as raised:
        asyncio.run(asyncio.wait_for(open_database(url, retry_seconds=20, connect_timeout=2), 15))
    assert time.monotonic() - started < 5  # not retried: the server answered
    problem = raised.value
    assert not problem.retryable and problem.key == "failed"
    line = problem.text("es")
    assert "SSL" in line and "no responde" not in line and "s3cret" not in line and "\n" not in line
