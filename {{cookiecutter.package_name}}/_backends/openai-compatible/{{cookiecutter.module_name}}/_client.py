"""HTTP transport of the completions API: pooled connections, retries, event streams.

This module knows HTTP and server-sent events, not completions: ``llms.py`` builds
each request body and reads each answer. Here the body is sent (again, after a 429,
a 5xx or a failed connection), failures become the exceptions of ``exceptions.py``,
and event streams are split into their JSON events.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import ssl
import threading
import time
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, NamedTuple

import httpx

from {{ cookiecutter.module_name }}.exceptions import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    MalformedResponseError,
    RateLimitError,
    ServerError,
    StreamInterruptedError,
)

logger = logging.getLogger(__name__)

MAX_BACKOFF = 30.0
"""Longest wait in seconds between two attempts, when the server does not say."""

MAX_RETRY_AFTER = 60.0
"""Longest ``Retry-After`` in seconds honoured; a server asking more gets this."""

MAX_DETAIL = 300
"""How many characters of a server's error message an exception quotes."""

RETRIED = (RateLimitError, ServerError, APIConnectionError)
"""Failures worth another attempt; every other one is raised at once."""
{%- if cookiecutter.use_api_key %}

API_KEY_ENV_VAR = "{{ cookiecutter.api_key_env_var }}"
AUTHENTICATION_ADVICE = f"Check the API key: pass api_key=... or set {API_KEY_ENV_VAR}"
{%- else %}

AUTHENTICATION_ADVICE = (
    "This client sends no API key; check that the server at base_url needs none"
)
{%- endif %}

ADVICE: dict[type[APIError], str] = {
    AuthenticationError: AUTHENTICATION_ADVICE,
    RateLimitError: (
        "The server limits the request rate: lower max_concurrency, "
        "raise max_retries or try again later"
    ),
    ServerError: "The server failed; if this persists, check its status or logs",
    BadRequestError: (
        "Check base_url (the part before /completions, often ending in /v1), "
        "the model name and the request parameters"
    ),
}
"""What to do about each failure the server reports, for the exception message."""


class Event(NamedTuple):
    """One server-sent event."""

    name: str
    """The ``event:`` field; empty for plain ``data:`` events."""
    data: str
    """The ``data:`` lines, joined by newlines."""


class EventDecoder:
    """Split the lines of a server-sent event stream into events.

    Follows the W3C framing (fields, comments, a blank line ends an event) and the
    OpenAI convention that ``data: [DONE]`` ends the stream.
    """

    def __init__(self) -> None:
        """Start before the first line of a stream."""
        self._name = ""
        self._data: list[str] = []
        self.done = False
        """Whether ``data: [DONE]`` arrived: the stream is complete."""

    def feed(self, line: str) -> Event | None:
        """Take one line (without its line ending); return the event it completes."""
        if not line:
            return self._dispatch()
        # Comment lines (": ping", sent to keep the connection open) have no field
        # name, so they fall through, like the id and retry fields.
        field, _, value = line.partition(":")
        if field == "data":
            self._data.append(value.removeprefix(" "))
        elif field == "event":
            self._name = value.removeprefix(" ")
        return None

    def _dispatch(self) -> Event | None:
        """The event a blank line ends; None if it is empty or the stream is done."""
        event = Event(self._name, "\n".join(self._data)) if self._data else None
        self._name, self._data = "", []
        if event and event.data == "[DONE]":
            self.done = True
        return None if self.done else event


class Transport:
    """Send completion requests over reused connections; retry what is worth it.

    One ``httpx.Client`` serves the sync calls of a model and one ``httpx.AsyncClient``
    its async calls; each is made on first use and kept, so connections are pooled.
    All of them share one SSL context: loading the CA bundle takes about 20 ms, which
    the new client of each new event loop would otherwise pay again.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float | None,
        max_retries: int,
        retry_backoff: float,
        headers: Mapping[str, str] | None = None,
        secret: str | None = None,
    ) -> None:
        """Prepare the transport; no connection opens before the first request.

        Args:
            base_url: URL that request paths are relative to.
            timeout: Seconds to wait to connect, for an answer and between the
                chunks of a stream; None waits forever.
            max_retries: How many times to retry a request that failed in a way
                worth retrying (429, 5xx, connection failures).
            retry_backoff: Seconds before the first retry; each next one waits
                twice as long, with random jitter.
            headers: Headers of every request.
            secret: Text that must never appear in an exception message (the API
                key); removed from anything the server or httpx says.
        """
        self._options: dict[str, Any] = {
            "base_url": base_url,
            "headers": dict(headers or {}),
            "timeout": httpx.Timeout(timeout),
        }
        self._timeout = timeout
        self._max_retries = max_retries
        self._retry_backoff = retry_backoff
        self._secret = secret
        self._lock = threading.Lock()
        self._ssl_context: ssl.SSLContext | None = None
        self._client: httpx.Client | None = None
        self._async_client: httpx.AsyncClient | None = None
        self._async_loop: asyncio.AbstractEventLoop | None = None

    def post(self, path: str, payload: Mapping[str, Any]) -> Any:
        """POST ``payload`` as JSON and return the JSON of the answer."""
        response = self._send(path, payload, stream=False)
        return self._json(response.content, response)

    async def apost(self, path: str, payload: Mapping[str, Any]) -> Any:
        """Async twin of ``post``."""
        response = await self._asend(path, payload, stream=False)
        return self._json(response.content, response)

    @contextmanager
    def stream(self, path: str, payload: Mapping[str, Any]) -> Iterator[Iterator[Any]]:
        """POST ``payload`` and read the answer's server-sent events as JSON.

        Leaving the ``with`` block closes the response: a caller that stops reading
        early hangs up, and the server stops generating.
        """
        response = self._send(path, payload, stream=True)
        events = self._events(response)
        try:
            yield events
        finally:
            events.close()
            response.close()

    @asynccontextmanager
    async def astream(
        self, path: str, payload: Mapping[str, Any]
    ) -> AsyncIterator[AsyncIterator[Any]]:
        """Async twin of ``stream``."""
        response = await self._asend(path, payload, stream=True)
        events = self._aevents(response)
        try:
            yield events
        finally:
            await events.aclose()
            await response.aclose()

    @contextmanager
    def parsing(self) -> Iterator[None]:
        """Turn a response that lacks what the code inside expects into an error."""
        try:
            yield
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as error:
            message = (
                f"The server's answer lacks what the completions protocol promises "
                f"({type(error).__name__}: {error}). Check that base_url points at "
                "an OpenAI-compatible API (the part before /completions)"
            )
            raise MalformedResponseError(self._redact(message)) from error

    def close(self) -> None:
        """Close the connections of sync calls; a later call opens new ones."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    async def aclose(self) -> None:
        """Close the connections of async calls, and those of sync calls."""
        client, loop = self._async_client, self._async_loop
        self._async_client = self._async_loop = None
        # Connections opened in an event loop that has ended cannot be closed anymore.
        if client is not None and loop is asyncio.get_running_loop():
            await client.aclose()
        self.close()

    def __del__(self) -> None:
        """Close the connections of sync calls when the model is dropped unclosed."""
        # Otherwise the garbage collector closes each idle socket with a
        # ResourceWarning. (getattr: __init__ may not have got that far.)
        client = getattr(self, "_client", None)
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()

    def _sync_client(self) -> httpx.Client:
        """The client of sync calls, made on first use and shared by threads."""
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(**self._client_options())
            return self._client

    def _loop_client(self) -> httpx.AsyncClient:
        """The client of async calls in the running event loop, made on first use.

        Connections belong to the event loop that opened them, so a model used from
        a new loop (a second ``asyncio.run``) gets a new client.
        """
        loop = asyncio.get_running_loop()
        if self._async_client is None or self._async_loop is not loop:
            self._async_client = httpx.AsyncClient(**self._client_options())
            self._async_loop = loop
        return self._async_client

    def _client_options(self) -> dict[str, Any]:
        """The options of a new client, with the shared SSL context (made once)."""
        # Two threads racing here at worst build one context too many.
        if self._ssl_context is None:
            self._ssl_context = httpx.create_ssl_context()
        return {**self._options, "verify": self._ssl_context}

    def _send(
        self, path: str, payload: Mapping[str, Any], *, stream: bool
    ) -> httpx.Response:
        """Send until the server accepts, retrying failures worth it; raise the last."""
        client = self._sync_client()
        request = client.build_request("POST", path, json=payload)
        for attempt in range(self._max_retries):
            try:
                return self._send_once(client, request, stream=stream)
            except RETRIED as error:
                time.sleep(self._retry_delay(attempt, error))
        return self._send_once(client, request, stream=stream)

    async def _asend(
        self, path: str, payload: Mapping[str, Any], *, stream: bool
    ) -> httpx.Response:
        """Async twin of ``_send``."""
        client = self._loop_client()
        request = client.build_request("POST", path, json=payload)
        for attempt in range(self._max_retries):
            try:
                return await self._asend_once(client, request, stream=stream)
            except RETRIED as error:
                await asyncio.sleep(self._retry_delay(attempt, error))
        return await self._asend_once(client, request, stream=stream)

    def _send_once(
        self, client: httpx.Client, request: httpx.Request, *, stream: bool
    ) -> httpx.Response:
        """Send ``request`` once and return the response, if it is a success."""
        with self._connecting(request):
            response = client.send(request, stream=stream)
            if not response.is_success:
                response.read()
        if not response.is_success:
            response.close()
            raise self._status_error(response)
        return response

    async def _asend_once(
        self, client: httpx.AsyncClient, request: httpx.Request, *, stream: bool
    ) -> httpx.Response:
        """Async twin of ``_send_once``."""
        with self._connecting(request):
            response = await client.send(request, stream=stream)
            if not response.is_success:
                await response.aread()
        if not response.is_success:
            await response.aclose()
            raise self._status_error(response)
        return response

    def _events(self, response: httpx.Response) -> Generator[Any, None, None]:
        """The JSON data of each event of ``response``, up to ``data: [DONE]``."""
        decoder = EventDecoder()
        with self._reading(response):
            # Reading on after [DONE] to the end of the body lets the connection
            # go back to the pool.
            for line in response.iter_lines():
                if event := decoder.feed(line):
                    yield self._event_json(event, response)
        if not decoder.done:
            raise self._interrupted(response, "without data: [DONE]")

    async def _aevents(self, response: httpx.Response) -> AsyncGenerator[Any, None]:
        """Async twin of ``_events``."""
        decoder = EventDecoder()
        with self._reading(response):
            async for line in response.aiter_lines():
                if event := decoder.feed(line):
                    yield self._event_json(event, response)
        if not decoder.done:
            raise self._interrupted(response, "without data: [DONE]")

    def _retry_delay(self, attempt: int, error: APIError) -> float:
        """Seconds to wait before retry number ``attempt`` (counted from 0)."""
        if error.retry_after is not None:
            delay = min(error.retry_after, MAX_RETRY_AFTER)
        else:
            backoff = min(self._retry_backoff * 2**attempt, MAX_BACKOFF)
            # Jitter keeps clients that failed together from retrying together.
            delay = backoff * random.uniform(0.5, 1.0)  # noqa: S311 - not cryptography
        logger.info("Retrying in %.2f s: %s", delay, error)
        return delay

    @contextmanager
    def _connecting(self, request: httpx.Request) -> Iterator[None]:
        """Turn httpx failures to send a request, or to get its answer, into ours."""
        try:
            yield
        except httpx.ConnectTimeout as error:  # nothing was sent: worth a retry
            raise self._connection_error(request, error) from error
        except httpx.TimeoutException as error:
            raise self._timeout_error(request, "for an answer") from error
        except httpx.TransportError as error:
            raise self._connection_error(request, error) from error

    @contextmanager
    def _reading(self, response: httpx.Response) -> Iterator[None]:
        """Turn httpx failures while reading a streamed body into ours."""
        try:
            yield
        except httpx.TimeoutException as error:
            raise self._timeout_error(response.request, "for the next event") from error
        except httpx.TransportError as error:
            raise self._interrupted(response, f"({error})") from error

    def _json(self, content: bytes | str, response: httpx.Response) -> Any:
        """Decode a JSON body or event; anything else is a malformed response."""
        try:
            return json.loads(content)
        except ValueError as error:
            start = content[:80]
            if isinstance(start, bytes):
                start = start.decode(errors="replace")
            message = (
                f"{response.request.url} answered with something that is not JSON "
                f"({error}): {start!r}. Check that base_url points at an "
                "OpenAI-compatible API (the part before /completions)"
            )
            raise MalformedResponseError(self._redact(message)) from error

    def _event_json(self, event: Event, response: httpx.Response) -> Any:
        """The JSON data of one event; an error event raises the error it reports."""
        data = self._json(event.data, response)
        if event.name == "error" or (
            isinstance(data, dict)
            and (data.get("error") is not None or data.get("object") == "error")
        ):
            raise self._event_error(data, response)
        return data

    def _status_error(self, response: httpx.Response) -> APIError:
        """The exception for an unsuccessful response, its body already read."""
        status = response.status_code
        error_class = error_class_of(status)
        message = (
            f"{response.request.url} answered HTTP {status}: "
            f"{error_detail(response)}. {ADVICE[error_class]}"
        )
        return error_class(
            self._redact(message),
            status_code=status,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )

    def _event_error(self, data: Any, response: httpx.Response) -> APIError:
        """The exception for an error event in the middle of a stream."""
        error = data.get("error", data) if isinstance(data, dict) else data
        code = error.get("code") if isinstance(error, dict) else None
        status = code if isinstance(code, int) and 400 <= code < 600 else None
        error_class = error_class_of(status) if status else ServerError
        message = (
            f"{response.request.url} reported an error in the middle of the stream: "
            f"{shorten(error_message(data))}. {ADVICE[error_class]}"
        )
        return error_class(self._redact(message), status_code=status)

    def _connection_error(
        self, request: httpx.Request, error: Exception
    ) -> APIConnectionError:
        message = (
            f"Could not get an answer from {request.url} "
            f"({type(error).__name__}: {error}). Check base_url, and that the "
            "server is running and reachable from here"
        )
        return APIConnectionError(self._redact(message))

    def _timeout_error(self, request: httpx.Request, waiting: str) -> APITimeoutError:
        message = (
            f"{request.url} did not answer within timeout={self._timeout} s "
            f"(waiting {waiting}). Raise timeout, or ask for fewer tokens "
            "with max_tokens"
        )
        return APITimeoutError(self._redact(message))

    def _interrupted(
        self, response: httpx.Response, how: str
    ) -> StreamInterruptedError:
        message = (
            f"The answer of {response.request.url} ended early {how}; the text is "
            "incomplete. Try again; if this persists, check the server's logs"
        )
        return StreamInterruptedError(self._redact(message))

    def _redact(self, text: str) -> str:
        """``text`` without the secret, whatever the server or httpx put in it."""
        return text.replace(self._secret, "***") if self._secret else text


def error_class_of(status: int) -> type[APIError]:
    """The exception class for an HTTP error status."""
    if status in (401, 403):
        return AuthenticationError
    if status == 429:
        return RateLimitError
    if status >= 500:
        return ServerError
    return BadRequestError


def error_detail(response: httpx.Response) -> str:
    """The server's own explanation of an error response, shortened."""
    try:
        detail = error_message(response.json())
    except ValueError:  # not JSON: a proxy's HTML page, plain text, nothing
        detail = response.text
    return shorten(detail) or response.reason_phrase


def error_message(body: Any) -> str:
    """The human-readable message of a JSON error body, whatever its layout."""
    if isinstance(body, dict):
        for key in ("error", "message", "detail"):
            if body.get(key):
                return error_message(body[key])
    return body if isinstance(body, str) else json.dumps(body)


def shorten(text: str) -> str:
    """``text`` on one line, at most ``MAX_DETAIL`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 3] + "..."


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: seconds, or an HTTP date."""
    if not value:
        return None
    with contextlib.suppress(ValueError):
        return max(0.0, float(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000": UTC, says RFC 5322
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
