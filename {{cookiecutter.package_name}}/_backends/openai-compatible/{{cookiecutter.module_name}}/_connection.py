"""What every model class of the package needs to reach the server.

The URL, key, timeout and retries of a model, and the pooled transport made from
them on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import ClassVar

from langchain_core.utils import from_env
from pydantic import Field, PrivateAttr

from {{ cookiecutter.module_name }}._credentials import (
    AUTHENTICATION_ADVICE,
    Credentials,
)
from {{ cookiecutter.module_name }}._transport import (
    Transport,
)
from {{ cookiecutter.module_name }}.exceptions import (
    APIError,
    AuthenticationError,
)

# Making a model's transport is rare and quick; the lock keeps the threads of a
# batch from each making one.
_TRANSPORT_LOCK = threading.Lock()


class Connection(Credentials):
    """The server fields of a model class, and its transport.

    A model class sets ``_advice``: what to do about each kind of failure of its
    endpoint, from its protocol module.
    """

    _advice: ClassVar[Mapping[type[APIError], str]] = {}

    base_url: str = Field(
        default_factory=from_env(
            "{{ cookiecutter.__env_prefix }}_BASE_URL",
            default="{{ cookiecutter.api_base_url }}",
        ),
    )
    """URL of the API, the part before the endpoint (often ending in ``/v1``)."""

    timeout: float | None = Field(default=60.0, gt=0)
    """Seconds to wait to connect, for an answer and between streamed pieces.

    None waits forever.
    """

    max_retries: int = Field(default=2, ge=0)
    """How many times to retry after a 429, a 5xx or a failed connection."""

    retry_backoff: float = Field(default=0.5, ge=0)
    """Seconds before the first retry, doubling for each next one (with jitter).

    A ``Retry-After`` header from the server takes precedence.
    """

    # HTTP clients and their connection pools, made on first use and then reused
    _transport: Transport | None = PrivateAttr(default=None)

    def close(self) -> None:
        """Close the pooled connections of sync calls; a later call opens new ones."""
        if self._transport is not None:
            self._transport.close()

    async def aclose(self) -> None:
        """Close the pooled connections of async and sync calls.

        Call it in the event loop of the async calls, before the loop ends.
        """
        if self._transport is not None:
            await self._transport.aclose()

    def _transport_of_model(self) -> Transport:
        """The transport of this model, made on first use and then reused.

        It reads the fields it needs (URL, timeout, retries, key) once, here.
        """
        with _TRANSPORT_LOCK:
            if self._transport is None:
                self._transport = Transport(
                    self.base_url,
                    timeout=self.timeout,
                    max_retries=self.max_retries,
                    retry_backoff=self.retry_backoff,
                    api_key=self._api_key_value(),
                    advice={**self._advice, AuthenticationError: AUTHENTICATION_ADVICE},
                )
            return self._transport
