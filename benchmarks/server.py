"""A loopback server for the completions protocols, fast enough not to be measured.

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
sends up to 20 prompts per request); each gets a choice. ``POST .../chat/completions``
answers ``messages`` the same ways, with a message or ``delta`` pieces per choice.

What a request gets is set by the path before ``/completions``, so one server serves
every figure and every client just gets its own ``base_url``:

* ``/delay-50/...``: answer 50 ms after the request arrived (default: at once).
* ``/chunks-2000/...``: a stream has 2000 text events (default 8); a JSON answer is
  always one short text.

For example ``base_url = http://127.0.0.1:PORT/delay-50/v1``. Both protocols answer
from bytes made once per setting, so the server's work per request is the same small
amount for every client measured.

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
def settings(path: str) -> tuple[str, float, int] | None:
    """(endpoint, delay in seconds, stream events) from a request path, None if not ours.

    The endpoint is ``completions``, ``chat/completions`` or ``embeddings``.
    """
    parts = path.split("?", 1)[0].strip("/").split("/")
    if not parts or parts[-1] not in ("completions", "embeddings"):
        return None
    endpoint, options = parts[-1], parts[:-1]
    if endpoint == "completions" and options and options[-1] == "chat":
        endpoint, options = "chat/completions", options[:-1]
    delay, chunks = 0.0, 8
    for part in options:
        name, _, value = part.partition("-")
        if name == "delay" and value:
            delay = int(value) / 1000
        elif name == "chunks" and value:
            chunks = int(value)
    return endpoint, delay, chunks


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


def chat_completion(model: str) -> dict[str, object]:
    return {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 1700000000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": TEXT},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 4, "completion_tokens": 5, "total_tokens": 9},
    }


@cache
def chat_event_stream(model: str, chunks: int, usage: bool) -> bytes:
    """The whole chunked SSE body of a chat stream of ``chunks`` text deltas.

    As OpenAI sends it: the first delta names the role, the last has the finish
    reason, and the usage (when asked for) comes in an event with no choices.
    """

    def event(choices: list[dict[str, object]], **extra: object) -> bytes:
        payload = {
            "id": "chatcmpl-bench",
            "object": "chat.completion.chunk",
            "created": 1700000000,
            "model": model,
            "choices": choices,
            **extra,
        }
        return http_chunk(b"data: " + json.dumps(payload).encode() + b"\n\n")

    def delta(content: str, finish_reason: str | None, **extra: str) -> dict[str, object]:
        return {
            "index": 0,
            "delta": {**extra, "content": content},
            "logprobs": None,
            "finish_reason": finish_reason,
        }

    parts = [event([delta(TOKEN, None, role="assistant")])]
    parts += [event([delta(TOKEN, None)])] * (chunks - 2)
    parts.append(event([delta(TOKEN, "length")]))
    if usage:
        counts = {"prompt_tokens": 4, "completion_tokens": chunks, "total_tokens": chunks + 4}
        parts.append(event([], usage=counts))
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


def completions_answer(request: dict[str, object], chunks: int) -> bytes:
    """The whole HTTP response to a completions request."""
    prompt = request["prompt"]
    model = str(request.get("model", "bench"))
    if request.get("stream"):
        return STREAM_HEAD + event_stream(model, chunks, wants_usage(request))
    prompts = prompt if isinstance(prompt, list) else [prompt]
    return json_response(200, completion(model, prompts))


def chat_answer(request: dict[str, object], chunks: int) -> bytes:
    """The whole HTTP response to a chat completions request."""
    if not isinstance(request["messages"], list):
        raise TypeError("messages must be a list")
    model = str(request.get("model", "bench"))
    if request.get("stream"):
        return STREAM_HEAD + chat_event_stream(model, chunks, wants_usage(request))
    return json_response(200, chat_completion(model))


def wants_usage(request: dict[str, object]) -> bool:
    options = request.get("stream_options")
    return isinstance(options, dict) and bool(options.get("include_usage"))


def embeddings_request_answer(request: dict[str, object], chunks: int) -> bytes:
    """The whole HTTP response to an embeddings request: a vector per input."""
    texts = request["input"]
    count = len(texts) if isinstance(texts, list) else 1
    as_base64 = request.get("encoding_format") == "base64"
    return embeddings_answer(str(request.get("model", "bench")), count, as_base64)


ANSWERS = {
    "completions": completions_answer,
    "chat/completions": chat_answer,
    "embeddings": embeddings_request_answer,
}


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
        found = settings(path)
        if found is None:
            self.send(json_response(404, {"error": {"message": f"no route {path}"}}), close)
            return
        endpoint, delay, chunks = found
        try:
            request = json.loads(body)
            data = ANSWERS[endpoint](request, chunks)
        except (ValueError, KeyError, TypeError):
            self.send(json_response(400, {"error": {"message": "bad request"}}), close)
            return
        if delay:
            self.loop.call_later(delay, self.send, data, close)
        else:
            self.send(data, close)

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
