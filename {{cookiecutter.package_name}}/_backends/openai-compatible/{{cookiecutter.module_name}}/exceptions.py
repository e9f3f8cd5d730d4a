"""Errors of the {{ cookiecutter.__provider_name_py }} API client.

There is one class per kind of failure, all under ``APIError``. Each message says
what happened and what to do about it; none contains the API key.
"""

from __future__ import annotations


class APIError(Exception):
    """A call to the API failed."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        """Create the error with its message and what the server said, if anything."""
        super().__init__(message)
        self.status_code = status_code
        """HTTP status of the failed response; None when there was no response."""
        self.retry_after = retry_after
        """Seconds the server asked the client to wait (``Retry-After``), if it did."""


class AuthenticationError(APIError):
    """The server refused the credentials (HTTP 401 or 403). Never retried."""


class BadRequestError(APIError):
    """The server rejected the request (any other HTTP 4xx). Never retried."""


class RateLimitError(APIError):
    """The server kept answering HTTP 429 (too many requests) until retries ran out."""


class ServerError(APIError):
    """The server failed (HTTP 5xx, or an error event in a stream)."""


class APITimeoutError(APIError):
    """The server did not answer, or stopped sending, within ``timeout`` seconds.

    Retried like a server error when no answer came; a stream that stalls after its
    first tokens is not, since they have been returned already.
    """


class APIConnectionError(APIError):
    """The server could not be reached, or hung up, until retries ran out."""


class MalformedResponseError(APIError):
    """The response is not the JSON, or the event stream, the protocol specifies."""


class StreamInterruptedError(APIError):
    """The response ended early: a cut body, or a stream without its last event."""
