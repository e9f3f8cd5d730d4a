"""A completions server on 127.0.0.1 for the tests: real HTTP, scriptable faults.

It speaks the OpenAI-compatible completions protocol, ``POST /v1/completions``
answered with JSON or, for ``"stream": true``, with server-sent events, over
HTTP/1.1 keep-alive connections. Its model echoes: the completion of a prompt is the
prompt itself, one word-ish token at a time ("hello", " world"), cut at
``max_tokens``.

Tests script what it does with the next requests (``server.reply(Reply(...))``),
with all of them (``server.default``) or with each by what it asks
(``server.script``), and read what it received (``server.requests``).
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

COMPLETIONS_PATH = "/v1/completions"
TOKEN = re.compile(r"\s*\S+|\s+")
HOLD_LIMIT = 1.0  # seconds a held answer waits for the others at most
# Once they have come, a held answer waits this much more: a client sending more
# requests at once than it may has sent them by then, and its test sees the overlap.
HOLD_GRACE = 0.05


def tokenize(text: str) -> list[str]:
    """Split ``text`` into the echo model's tokens: words with their leading space."""
    return TOKEN.findall(text)


@dataclass
class Reply:
    """What the server does with one request; the defaults answer faithfully."""

    status: int = 200
    """HTTP status; anything but 200 answers with an OpenAI-style error body."""
    headers: dict[str, str] = field(default_factory=dict)
    """Extra response headers, e.g. ``{"Retry-After": "1"}``."""
    body: bytes | None = None
    """A raw body sent instead of the protocol's answer (malformed answers)."""
    text: str | None = None
    """The completion; None echoes the prompt."""
    latency: float = 0.0
    """Seconds to wait before answering."""
    fault: str | None = None
    """Fail without an HTTP answer: "drop" (hang up before answering) or
    "truncate" (hang up in the middle of the JSON body)."""
    hold_until: int | None = None
    """Hold the answer until the server has received this many requests in all (at
    most ``HOLD_LIMIT`` seconds), then ``HOLD_GRACE``: shows concurrency without
    measuring time."""
    gate: threading.Event | None = None
    """Hold the answer until the test sets this event (at most ``HOLD_LIMIT``
    seconds)."""
    token_delay: float = 0.0
    """Seconds to wait before each streamed token."""
    pings: bool = False
    """Send a ``: ping`` comment line before each streamed event."""
    cut_after: int | None = None
    """Streams: how many tokens to send before ending as ``ending`` says."""
    ending: str = "done"
    """How a stream ends: "done" (``data: [DONE]``), "eof" (the body ends without
    ``[DONE]``), "hang_up" (the connection drops in the middle of the body) or
    "error" (an error event)."""
    usage: bool = True
    """Whether the server reports token usage (when a stream asks, in a last event)."""
    error_event: dict[str, Any] = field(
        default_factory=lambda: {
            "error": {"message": "the model crashed", "type": "server_error"},
        },
    )
    """The data of the error event, for ``ending="error"``."""


@dataclass
class ReceivedRequest:
    """What the server saw of one request, and what it did."""

    method: str
    path: str
    headers: Message
    payload: Any
    client_port: int
    """Port of the client's end of the connection: one port, one connection."""
    started: float
    """``time.monotonic()`` when the request arrived."""
    answered: float | None = None
    """``time.monotonic()`` when the server began to answer (after any latency, hold
    or gate); the client cannot have read anything of the answer before."""
    ended: float | None = None
    """``time.monotonic()`` when the answer was sent, or the client hung up."""
    tokens_sent: int = 0
    """Streams: how many token events were written."""
    disconnected: bool = False
    """Whether the client hung up before the answer was complete."""


class CompletionsServer:
    """The server, running in background threads while in its ``with`` block."""

    def __init__(self) -> None:
        """Bind to a free port on 127.0.0.1."""
        self.default = Reply()
        """What the server does when no reply is queued."""
        self.script: Callable[[ReceivedRequest], Reply] | None = None
        """What the server does with each request, when no reply is queued."""
        self.requests: list[ReceivedRequest] = []
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._active = 0
        self._httpd = _HTTPServer(self, self._handler())
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        """The base URL of the API (the part before ``/completions``)."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def reply(self, *replies: Reply) -> None:
        """Queue what to do with the next requests, in the order they arrive."""
        with self._lock:
            self._queue.extend(replies)

    def wait_idle(self, timeout: float = 5.0) -> None:
        """Wait until every request received so far has been answered."""
        with self._idle:
            if not self._idle.wait_for(lambda: self._active == 0, timeout):
                msg = "the server is still answering"
                raise TimeoutError(msg)

    def __enter__(self) -> CompletionsServer:
        """Start serving."""
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop serving and release the port."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def _handler(self) -> type[_Handler]:
        """The request handler: what the server speaks."""
        return _Handler

    def _serve(self) -> None:
        # a short poll interval makes shutdown(), and so each test, quick
        self._httpd.serve_forever(poll_interval=0.001)

    def _begin(self, request: ReceivedRequest) -> Reply:
        with self._idle:
            self.requests.append(request)
            self._active += 1
            self._idle.notify_all()
            if self._queue:
                return self._queue.popleft()
            return self.script(request) if self.script else self.default

    def _hold(self, count: int) -> None:
        """Wait until ``count`` requests have arrived (or HOLD_LIMIT passes)."""
        with self._idle:
            self._idle.wait_for(lambda: len(self.requests) >= count, HOLD_LIMIT)
        time.sleep(HOLD_GRACE)

    def _end(self, request: ReceivedRequest) -> None:
        with self._idle:
            request.ended = time.monotonic()
            self._active -= 1
            self._idle.notify_all()


class _HTTPServer(ThreadingHTTPServer):
    request_queue_size = 64  # a batch opens many connections at once

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Report errors, except clients hanging up: tests do that on purpose."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def __init__(self, completions: CompletionsServer, handler: type[_Handler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.completions = completions


class _Handler(BaseHTTPRequestHandler):
    route = COMPLETIONS_PATH
    protocol_version = "HTTP/1.1"  # keep-alive, and chunked bodies for streams
    # headers and body are two writes: without this the client's delayed ACK
    # stalls every answer by about 40 ms
    disable_nagle_algorithm = True
    timeout = 30  # an idle keep-alive connection is dropped after this

    def do_POST(self) -> None:
        assert isinstance(self.server, _HTTPServer)
        server = self.server.completions
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        request = ReceivedRequest(
            method=self.command,
            path=self.path,
            headers=self.headers,
            payload=json.loads(body) if body else None,
            client_port=self.client_address[1],
            started=time.monotonic(),
        )
        reply = server._begin(request)
        try:
            time.sleep(reply.latency)
            if reply.hold_until:
                server._hold(reply.hold_until)
            if reply.gate:
                reply.gate.wait(HOLD_LIMIT)
            request.answered = time.monotonic()
            self._answer(request, reply)
        except (BrokenPipeError, ConnectionResetError):
            request.disconnected = True
            self.close_connection = True
        finally:
            server._end(request)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Keep the test output quiet."""

    def _answer(self, request: ReceivedRequest, reply: Reply) -> None:
        if reply.fault:
            self._fail(reply.fault)
        elif request.path != self.route:
            self._send_error(404, f"no route {request.path}", reply)
        elif reply.status != 200:
            self._send_error(reply.status, "scripted failure", reply)
        elif reply.body is not None:
            self._send_body(200, reply.body, reply.headers)
        elif request.payload.get("stream"):
            self._stream(request, reply)
        else:
            self._send_json(self._completion(request, reply))

    def _completion(self, request: ReceivedRequest, reply: Reply) -> dict[str, Any]:
        tokens, finish_reason = self._tokens(request, reply)
        choice = {"text": "".join(tokens), "finish_reason": finish_reason}
        usage = self._usage(request, tokens) if reply.usage else None
        return self._envelope(request, [choice], usage)

    def _stream(self, request: ReceivedRequest, reply: Reply) -> None:
        tokens, finish_reason = self._tokens(request, reply)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for token in tokens[: reply.cut_after]:
            time.sleep(reply.token_delay)
            self._event(reply, self._envelope(request, [self._piece(token)]))
            request.tokens_sent += 1
        if reply.ending == "hang_up":
            self.close_connection = True  # no last chunk: the body is cut short
            return
        if reply.ending == "error":
            self._event(reply, reply.error_event)
        elif reply.ending == "done":
            self._event(reply, self._envelope(request, [self._last(finish_reason)]))
            asked = request.payload.get("stream_options", {}).get("include_usage")
            if asked and reply.usage:
                usage = self._usage(request, tokens)
                self._event(reply, self._envelope(request, [], usage))
            self._chunk(b"data: [DONE]\n\n")
        self._chunk(b"")  # the last chunk: the body ends here

    def _piece(self, token: Any) -> dict[str, Any]:
        """The choice of a streamed event that carries ``token``."""
        return {"text": token}

    def _last(self, finish_reason: str) -> dict[str, Any]:
        """The choice of the last streamed event, which says why the answer ended."""
        return {"text": "", "finish_reason": finish_reason}

    def _fail(self, fault: str) -> None:
        self.close_connection = True
        if fault == "truncate":  # promise a longer body than is sent
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"choices": [')

    def _tokens(self, request: ReceivedRequest, reply: Reply) -> tuple[list[Any], str]:
        text = request.payload["prompt"] if reply.text is None else reply.text
        return self._cut(request, tokenize(text))

    def _cut(
        self, request: ReceivedRequest, tokens: list[str]
    ) -> tuple[list[str], str]:
        """The tokens the request's ``max_tokens`` lets through, and why they end."""
        max_tokens = request.payload.get("max_tokens")
        if max_tokens is not None and len(tokens) > max_tokens:
            return tokens[:max_tokens], "length"
        return tokens, "stop"

    def _usage(self, request: ReceivedRequest, tokens: list[Any]) -> dict[str, int]:
        prompt_tokens = len(tokenize(request.payload["prompt"]))
        return {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(tokens),
            "total_tokens": prompt_tokens + len(tokens),
        }

    def _envelope(
        self,
        request: ReceivedRequest,
        choices: list[dict[str, Any]],
        usage: dict[str, int] | None = None,
    ) -> dict[str, Any]:
        return {
            "id": f"cmpl-{id(request):x}",
            "object": "text_completion",
            "created": int(time.time()),
            "model": request.payload["model"],
            "choices": [
                {"index": 0, "logprobs": None, "finish_reason": None, **choice}
                for choice in choices
            ],
            "usage": usage,
        }

    def _event(self, reply: Reply, data: dict[str, Any]) -> None:
        if reply.pings:
            self._chunk(b": ping\n\n")
        self._chunk(b"data: " + json.dumps(data).encode() + b"\n\n")

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%X\r\n%s\r\n" % (len(data), data))

    def _send_error(self, status: int, message: str, reply: Reply) -> None:
        if status == 401:
            # like real APIs, name the key that was refused: the client must not
            # repeat it in its exceptions
            message = f"invalid key {self.headers.get('Authorization')}"
        error = {"message": message, "type": "error", "code": status}
        body = reply.body or json.dumps({"error": error}).encode()
        self._send_body(status, body, reply.headers)

    def _send_json(self, data: dict[str, Any]) -> None:
        self._send_body(200, json.dumps(data).encode(), {})

    def _send_body(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
