"""HTTP transport: pooled connections, retries, JSON bodies and server-sent events.

This module knows HTTP, not the API on top of it: the protocol modules (such as
``_completions.py``) build each request body and read each answer. Here a body is
sent (again, after a 429, a 5xx, a timeout or a failed connection), failures become
the exceptions of ``exceptions.py``, and event streams are decoded by ``httpx-sse``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import random
import re
import ssl
import threading
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from httpx_sse import EventSource, ServerSentEvent, SSEError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
)

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

RETRIED = (RateLimitError, ServerError, APITimeoutError, APIConnectionError)
"""Failures worth another attempt; every other one is raised at once."""


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """The SSL context of every client of every model, made on first use.

    Loading the CA bundle takes about 16 ms: done once per process, not once per
    model or per event loop (aiohttp shares its default context the same way).
    Two threads racing here at worst build one context too many.
    """
    return httpx.create_ssl_context()


class Transport:
    """Send JSON requests over reused connections; retry what is worth it.

    One ``httpx.Client`` serves the sync calls of a model and one ``httpx.AsyncClient``
    its async calls; each is made on first use and kept, so connections are pooled.
    Every client verifies servers with ``shared_ssl_context()``.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float | None,
        max_retries: int,
        retry_backoff: float,
        api_key: str | None = None,
        advice: Mapping[type[APIError], str] | None = None,
    ) -> None:
        """Prepare the transport; no connection opens before the first request.

        Args:
            base_url: URL that request paths are relative to.
            timeout: Seconds to wait to connect, for an answer and between the
                events of a stream; None waits forever.
            max_retries: How many times to retry a request that failed in a way
                worth retrying (429, 5xx, timeouts, connection failures).
            retry_backoff: Seconds before the first retry; each next one waits
                twice as long, with random jitter.
            api_key: Key sent as a bearer token with every request; it never
                appears in an exception message, whatever the server or httpx
                says.
            advice: What to do about each kind of failure, added to its message;
                the protocol on top knows it.
        """
        self._base_url = base_url.rstrip("/")
        self._urls: dict[str, httpx.URL] = {}
        self._options: dict[str, Any] = {
            "headers": {"Authorization": f"Bearer {api_key}"} if api_key else {},
            "timeout": httpx.Timeout(timeout),
        }
        self._timeout = timeout
        self._max_retries = max_retries
        self._retry_backoff = retry_backoff
        # The key as a whole word: a placeholder key like "x" must not blank out
        # every x of a message.
        self._secret = (
            re.compile(rf"(?<![^\W_]){re.escape(api_key)}(?![^\W_])")
            if api_key
            else None
        )
        self._advice = dict(advice or {})
        self._lock = threading.Lock()
        self._client: httpx.Client | None = None
        self._async_client: httpx.AsyncClient | None = None
        self._async_loop: asyncio.AbstractEventLoop | None = None

    def post(self, path: str, payload: Mapping[str, Any]) -> Any:
        """POST ``payload`` as JSON and return the JSON of the answer."""
        response = self._send(path, payload, stream=False)
        return self._json(response)

    async def apost(self, path: str, payload: Mapping[str, Any]) -> Any:
        """Async twin of ``post``."""
        response = await self._asend(path, payload, stream=False)
        return self._json(response)

    @contextmanager
    def stream(
        self, path: str, payload: Mapping[str, Any]
    ) -> Iterator[Iterator[ServerSentEvent]]:
        """POST ``payload`` and read the answer's server-sent events.

        Leaving the ``with`` block closes the response: a caller that stops reading
        early hangs up, and the server stops generating. An ``APIError`` raised in
        the block (say, for an error event) loses the secret from its message.
        """
        response = self._send(path, payload, stream=True)
        try:
            with self._redacting(), self._reading(response):
                yield EventSource(response).iter_sse()
        finally:
            response.close()

    @asynccontextmanager
    async def astream(
        self, path: str, payload: Mapping[str, Any]
    ) -> AsyncIterator[AsyncIterator[ServerSentEvent]]:
        """Async twin of ``stream``."""
        response = await self._asend(path, payload, stream=True)
        events = EventSource(response).aiter_sse()
        try:
            with self._redacting(), self._reading(response):
                yield events
        finally:
            await events.aclose()
            await response.aclose()

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

    def _url(self, path: str) -> httpx.URL:
        """The URL of ``path`` under the base URL, parsed once.

        httpx would parse the path and merge it with a client's ``base_url`` again
        for every request: about 20 us, a twentieth of a request to a local server.
        """
        url = self._urls.get(path)
        if url is None:
            url = self._urls[path] = httpx.URL(f"{self._base_url}/{path.lstrip('/')}")
        return url

    def _client_options(self) -> dict[str, Any]:
        """The options of a new client, with the shared SSL context."""
        return {**self._options, "verify": shared_ssl_context()}

    def _retrying(self) -> dict[str, Any]:
        """The retry policy, for tenacity's ``Retrying`` and ``AsyncRetrying``."""
        return {
            "stop": stop_after_attempt(self._max_retries + 1),
            "retry": retry_if_exception_type(RETRIED),
            "wait": self._retry_delay,
            "before_sleep": _log_retry,
            "reraise": True,
        }

    def _send(
        self, path: str, payload: Mapping[str, Any], *, stream: bool
    ) -> httpx.Response:
        """Send until the server accepts, retrying failures worth it; raise the last."""
        client = self._sync_client()
        request = client.build_request("POST", self._url(path), json=payload)
        try:
            return self._attempt(client, request, stream=stream)
        except RETRIED as error:
            failures = [error]

        # Setting tenacity up costs a tenth of a request to a nearby server, so
        # only a failed first attempt pays for it: tenacity takes that failure as
        # the outcome of its own first attempt, then waits and retries.
        def attempt() -> httpx.Response:
            if failures:
                raise failures.pop()
            return self._attempt(client, request, stream=stream)

        response: httpx.Response = Retrying(**self._retrying())(attempt)
        return response

    async def _asend(
        self, path: str, payload: Mapping[str, Any], *, stream: bool
    ) -> httpx.Response:
        """Async twin of ``_send``."""
        client = self._loop_client()
        request = client.build_request("POST", self._url(path), json=payload)
        try:
            return await self._aattempt(client, request, stream=stream)
        except RETRIED as error:
            failures = [error]

        async def attempt() -> httpx.Response:
            if failures:
                raise failures.pop()
            return await self._aattempt(client, request, stream=stream)

        response: httpx.Response = await AsyncRetrying(**self._retrying())(attempt)
        return response

    def _attempt(
        self, client: httpx.Client, request: httpx.Request, *, stream: bool
    ) -> httpx.Response:
        """Send ``request`` once; an unsuccessful answer raises its error."""
        with self._connecting(request):
            response = client.send(request, stream=stream)
            if not response.is_success:
                response.read()
        if not response.is_success:
            response.close()
            raise self._status_error(response)
        return response

    async def _aattempt(
        self, client: httpx.AsyncClient, request: httpx.Request, *, stream: bool
    ) -> httpx.Response:
        """Async twin of ``_attempt``."""
        with self._connecting(request):
            response = await client.send(request, stream=stream)
            if not response.is_success:
                await response.aread()
        if not response.is_success:
            await response.aclose()
            raise self._status_error(response)
        return response

    def _retry_delay(self, state: RetryCallState) -> float:
        """Seconds to wait before the next attempt: ``Retry-After``, or backoff."""
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, APIError) and error.retry_after is not None:
            return min(error.retry_after, MAX_RETRY_AFTER)
        backoff = self._retry_backoff * 2.0 ** (state.attempt_number - 1)
        # Jitter keeps clients that failed together from retrying together.
        return min(backoff, MAX_BACKOFF) * random.uniform(0.5, 1.0)  # noqa: S311

    @contextmanager
    def _connecting(self, request: httpx.Request) -> Iterator[None]:
        """Turn httpx failures to send a request, or to get its answer, into ours."""
        try:
            yield
        except httpx.TimeoutException as error:
            raise self._error(
                APITimeoutError,
                f"{request.url} did not answer within timeout={self._timeout} s",
            ) from error
        except httpx.TransportError as error:
            raise self._error(
                APIConnectionError,
                f"Could not get an answer from {request.url} "
                f"({type(error).__name__}: {error}). Check base_url, and that the "
                "server is running and reachable from here",
            ) from error

    @contextmanager
    def _reading(self, response: httpx.Response) -> Iterator[None]:
        """Turn failures while reading a streamed body into ours."""
        url = response.request.url
        try:
            yield
        except httpx.TimeoutException as error:
            raise self._error(
                APITimeoutError,
                f"{url} sent no next event within timeout={self._timeout} s",
            ) from error
        except SSEError as error:  # before TransportError, its base class
            raise self._error(
                MalformedResponseError,
                f"{url} answered without an event stream: {error}",
            ) from error
        except httpx.TransportError as error:
            raise self._error(
                StreamInterruptedError,
                f"The answer of {url} ended early ({error}); it is incomplete. "
                "Try again; if this persists, check the server's logs",
            ) from error

    @contextmanager
    def _redacting(self) -> Iterator[None]:
        """Remove the secret from the message of an ``APIError`` raised inside."""
        try:
            yield
        except APIError as error:
            error.args = tuple(self._redact(str(arg)) for arg in error.args)
            raise

    def _json(self, response: httpx.Response) -> Any:
        """Decode a JSON body; anything else is a malformed response."""
        try:
            return json.loads(response.content)
        except ValueError as error:
            start = response.content[:80].decode(errors="replace")
            raise self._error(
                MalformedResponseError,
                f"{response.request.url} answered with something that is not JSON "
                f"({error}): {start!r}",
            ) from error

    def _status_error(self, response: httpx.Response) -> APIError:
        """The exception for an unsuccessful response, its body already read."""
        status = response.status_code
        error = self._error(
            error_class_of(status),
            f"{response.request.url} answered HTTP {status}: {error_detail(response)}",
        )
        error.status_code = status
        error.retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return error

    def _error(self, error_class: type[APIError], what: str) -> APIError:
        """An exception saying what happened and what to do, without the secret."""
        advice = self._advice.get(error_class)
        message = f"{what}. {advice}" if advice else what
        return error_class(self._redact(message))

    def _redact(self, text: str) -> str:
        """``text`` without the secret, whatever the server or httpx put in it."""
        return self._secret.sub("***", text) if self._secret else text


def _log_retry(state: RetryCallState) -> None:
    """Say which failure is retried, and when."""
    error = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else 0.0
    logger.info("Retrying in %.2f s: %s", wait, error)


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
