"""A loopback server for the completions protocol, fast enough not to be measured.

Run as its own process (``python benchmarks/server.py``): it prints the port it
listens on (127.0.0.1, a free port) and serves until its standard input closes or it
gets SIGTERM. A separate process keeps the server off the interpreter lock of the
clients being measured; on two cores client and server each get one, which is what
gave the most stable numbers (an in-process thread server made the clients' figures
depend on how the lock was handed over).

It speaks just enough HTTP/1.1 (keep-alive, ``Content-Length`` requests, chunked
responses) and the ``POST .../completions`` protocol of vLLM, llama.cpp or OpenAI:
a JSON answer, or with ``"stream": true`` server-sent events ``data: {...}`` ending in
``data: [DONE]``. ``prompt`` may be a string or a list (``langchain_openai.OpenAI``
sends up to 20 prompts per request); each gets a choice.

What a request gets is set by the path before ``/completions``, so one server serves
every figure and every client just gets its own ``base_url``:

* ``/delay-50/...``: answer 50 ms after the request arrived (default: at once).
* ``/chunks-2000/...``: a stream has 2000 text events (default 8); a JSON answer is
  always one short text.

For example ``base_url = http://127.0.0.1:PORT/delay-50/v1``.

``POST .../embeddings`` answers one vector of ``EMBEDDING_DIMENSIONS`` numbers per
input, as floats or, for ``"encoding_format": "base64"``, base64 of little-endian
float32, as OpenAI does; ``/delay-N/`` applies to it too.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import signal
import socket
import struct
import sys
import threading
from functools import cache

TEXT = " a short benchmark completion"
TOKEN = " tok"


@cache
def settings(path: str) -> tuple[float, int] | None:
    """(delay in seconds, stream events) from a request path, None if not ours."""
    parts = path.split("?", 1)[0].strip("/").split("/")
    if not parts or parts[-1] != "completions":
        return None
    delay, chunks = 0.0, 8
    for part in parts[:-1]:
        name, _, value = part.partition("-")
        if name == "delay" and value:
            delay = int(value) / 1000
        elif name == "chunks" and value:
            chunks = int(value)
    return delay, chunks


def choice(text: str, index: int, finish_reason: str | None) -> dict[str, object]:
    return {"text": text, "index": index, "logprobs": None, "finish_reason": finish_reason}


def completion(model: str, prompts: list[str]) -> dict[str, object]:
    return {
        "id": "cmpl-bench",
        "object": "text_completion",
        "created": 1700000000,
        "model": model,
        "choices": [choice(TEXT, i, "stop") for i in range(len(prompts))],
        "usage": {
            "prompt_tokens": 4 * len(prompts),
            "completion_tokens": 5 * len(prompts),
            "total_tokens": 9 * len(prompts),
        },
    }


def http_chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


@cache
def event_stream(model: str, chunks: int, usage: bool) -> bytes:
    """The whole chunked SSE body of a stream of ``chunks`` text events."""

    def event(payload: dict[str, object]) -> bytes:
        return http_chunk(b"data: " + json.dumps(payload).encode() + b"\n\n")

    def message(choices: list[dict[str, object]], **extra: object) -> dict[str, object]:
        return {
            "id": "cmpl-bench",
            "object": "text_completion",
            "created": 1700000000,
            "model": model,
            "choices": choices,
            **extra,
        }

    token = event(message([choice(TOKEN, 0, None)]))
    parts = [token] * (chunks - 1)
    parts.append(event(message([choice(TOKEN, 0, "length")])))
    if usage:
        counts = {"prompt_tokens": 4, "completion_tokens": chunks, "total_tokens": chunks + 4}
        parts.append(event(message([], usage=counts)))
    parts.append(http_chunk(b"data: [DONE]\n\n"))
    parts.append(b"0\r\n\r\n")
    return b"".join(parts)


STREAM_HEAD = (
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
    b"cache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n"
)


def json_response(status: int, payload: object) -> bytes:
    body = json.dumps(payload).encode()
    reason = {200: b"OK", 400: b"Bad Request", 404: b"Not Found"}[status]
    return b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s" % (
        status,
        reason,
        len(body),
        body,
    )


EMBEDDING_DIMENSIONS = 256


@cache
def embeddings_delay(path: str) -> float | None:
    """Seconds to wait before answering an embeddings request; None if not one."""
    parts = path.split("?", 1)[0].strip("/").split("/")
    if parts[-1] != "embeddings":
        return None
    delays = [int(part[6:]) for part in parts if part.startswith("delay-")]
    return delays[0] / 1000 if delays else 0.0


@cache
def embedding_pool(as_base64: bool) -> tuple[object, ...]:
    """A few vectors of plausible numbers (8 significant digits), as the answer holds them."""
    rng = random.Random(256)
    pool: list[object] = []
    for _ in range(16):
        vector = [round(rng.uniform(-0.1, 0.1), 9) for _ in range(EMBEDDING_DIMENSIONS)]
        packed = struct.pack(f"<{EMBEDDING_DIMENSIONS}f", *vector)
        pool.append(base64.b64encode(packed).decode() if as_base64 else vector)
    return tuple(pool)


@cache
def embeddings_answer(model: str, count: int, as_base64: bool) -> bytes:
    """The whole HTTP response to a request for ``count`` vectors (made once)."""
    pool = embedding_pool(as_base64)
    data = [
        {"object": "embedding", "index": i, "embedding": pool[i % len(pool)]} for i in range(count)
    ]
    usage = {"prompt_tokens": 4 * count, "total_tokens": 4 * count}
    return json_response(200, {"object": "list", "data": data, "model": model, "usage": usage})


class Connection(asyncio.Protocol):
    """One keep-alive connection: parse requests, answer in order."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        self.loop = asyncio.get_running_loop()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin-1").split("\r\n")
            length, close = 0, False
            for line in head[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "connection" and value.strip().lower() == "close":
                    close = True
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4 : end + 4 + length]
            self.buffer = self.buffer[end + 4 + length :]
            self.respond(head[0].split(" ")[1], body, close)

    def respond(self, path: str, body: bytes, close: bool) -> None:
        if embeddings_delay(path) is not None:
            self.respond_embeddings(path, body, close)
            return
        found = settings(path)
        if found is None:
            self.send(json_response(404, {"error": {"message": f"no route {path}"}}), close)
            return
        delay, chunks = found
        try:
            request = json.loads(body)
            prompt = request["prompt"]
        except (ValueError, KeyError, TypeError):
            self.send(json_response(400, {"error": {"message": "bad request"}}), close)
            return
        model = str(request.get("model", "bench"))
        if request.get("stream"):
            usage = bool((request.get("stream_options") or {}).get("include_usage"))
            data = STREAM_HEAD + event_stream(model, chunks, usage)
        else:
            prompts = prompt if isinstance(prompt, list) else [prompt]
            data = json_response(200, completion(model, prompts))
        if delay:
            self.loop.call_later(delay, self.send, data, close)
        else:
            self.send(data, close)

    def respond_embeddings(self, path: str, body: bytes, close: bool) -> None:
        try:
            request = json.loads(body)
            texts = request["input"]
        except (ValueError, KeyError, TypeError):
            self.send(json_response(400, {"error": {"message": "bad request"}}), close)
            return
        count = len(texts) if isinstance(texts, list) else 1
        as_base64 = request.get("encoding_format") == "base64"
        data = embeddings_answer(str(request.get("model", "bench")), count, as_base64)
        self.loop.call_later(embeddings_delay(path) or 0.0, self.send, data, close)

    def send(self, data: bytes, close: bool) -> None:
        if self.transport.is_closing():
            return
        self.transport.write(data)
        if close:
            self.transport.close()


async def serve(port: int = 0) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Connection, "127.0.0.1", port, backlog=256)
    print(server.sockets[0].getsockname()[1], flush=True)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)

    def wait_for_stdin_to_close() -> None:
        sys.stdin.read()
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=wait_for_stdin_to_close, daemon=True).start()
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
