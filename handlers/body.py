"""A webhook's raw body, read with a size limit: what any client can send is bounded
before a byte of it is parsed or a signature computed over it."""

from __future__ import annotations

from starlette.requests import Request


class TooLarge(ValueError):
    """The body is longer than the limit (answered 413)."""


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, at most `limit` bytes. Raises TooLarge on a longer body (a declared
    Content-Length over the limit is refused before reading). The body stays readable
    afterwards (`request.body()`), for the adapter that hands it on (Bolt)."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"body over {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"body over {limit} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # Starlette's own cache of the body: request.body() returns it from now on
    return body
