"""The completions protocol: ``POST /completions``, answered in JSON or as a stream.

The OpenAI-compatible text-completion API, as vLLM, llama.cpp's server, TGI, Ollama
and hosted providers serve it. This module knows its request body, its answers, how
a stream ends and how it reports an error; ``_transport.py`` carries them.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from httpx_sse import ServerSentEvent

from {{ cookiecutter.module_name }}._transport import (
    error_class_of,
    error_message,
    shorten,
)
from {{ cookiecutter.module_name }}.exceptions import (
    APIError,
    APITimeoutError,
    BadRequestError,
    MalformedResponseError,
    RateLimitError,
    ServerError,
    StreamInterruptedError,
)

PATH = "/completions"
"""The endpoint, relative to the API's base URL."""

END_OF_STREAM = "[DONE]"
"""The data of the event that ends a stream; a stream without it is incomplete."""

ADVICE: dict[type[APIError], str] = {
    BadRequestError: (
        "Check base_url (the part before /completions, often ending in /v1), "
        "the model name and the request parameters"
    ),
    RateLimitError: (
        "The server limits the request rate: lower max_concurrency, "
        "raise max_retries or try again later"
    ),
    ServerError: "The server failed; if this persists, check its status or logs",
    APITimeoutError: "Raise timeout, or ask for fewer tokens with max_tokens",
    MalformedResponseError: (
        "Check that base_url points at an OpenAI-compatible API "
        "(the part before /completions)"
    ),
}
"""What to do about each failure, for the exception messages."""


class Completion(str):
    """The text of a completion, with what the server said about it."""

    info: dict[str, Any]
    """Finish reason, token usage and model name, as far as the server sent them."""

    def __new__(cls, text: str, info: Mapping[str, Any] | None = None) -> Completion:
        """Make the completion ``text``; ``info`` drops what the server left out."""
        completion = super().__new__(cls, text)
        completion.info = _present(info or {})
        return completion


def request_body(
    model: str, prompt: str, params: Mapping[str, Any], *, stream: bool
) -> dict[str, Any]:
    """The JSON body that asks ``model`` to complete ``prompt``.

    Parameters set to None are left out, to the server's defaults.
    """
    body: dict[str, Any] = {"model": model, "prompt": prompt}
    body.update((key, value) for key, value in params.items() if value is not None)
    if stream:
        # the token usage comes in a last event, whose list of choices is empty
        body.update(stream=True, stream_options={"include_usage": True})
    return body


def parse_completion(body: Any) -> Completion:
    """The completion in a JSON answer."""
    with reading("answer"):
        choice = body["choices"][0]
        info = {
            "finish_reason": choice.get("finish_reason"),
            "token_usage": body.get("usage"),
            "model_name": body.get("model"),
        }
        return Completion(_text(choice), info)


def parse_chunk(data: Any) -> Completion:
    """The piece of completion in one streamed event; the usage event has no text."""
    with reading("event"):
        info = {"token_usage": data.get("usage"), "model_name": data.get("model")}
        if not data["choices"]:
            return Completion("", info)
        choice = data["choices"][0]
        info["finish_reason"] = choice.get("finish_reason")
        return Completion(_text(choice), info)


def events_data(events: Iterable[ServerSentEvent]) -> Iterator[Any]:
    """The JSON data of each event of a stream, up to the end of stream."""
    ended = False
    for event in events:  # to the end of the body, so the connection is reused
        if event.data == END_OF_STREAM:
            ended = True
        elif not ended:
            yield _event_data(event)
    if not ended:
        raise _incomplete()


async def aevents_data(
    events: AsyncIterable[ServerSentEvent],
) -> AsyncIterator[Any]:
    """Async twin of ``events_data``."""
    ended = False
    async for event in events:
        if event.data == END_OF_STREAM:
            ended = True
        elif not ended:
            yield _event_data(event)
    if not ended:
        raise _incomplete()


def _event_data(event: ServerSentEvent) -> Any:
    """The JSON data of one event; an error event raises the error it reports."""
    with reading("event"):
        data = event.json()
    if event.event == "error" or (
        isinstance(data, dict)
        and (data.get("error") is not None or data.get("object") == "error")
    ):
        raise _reported_error(data)
    return data


def _reported_error(data: Any) -> APIError:
    """The exception for an error event in the middle of a stream."""
    error = data.get("error", data) if isinstance(data, dict) else data
    code = error.get("code") if isinstance(error, dict) else None
    status = code if isinstance(code, int) and 400 <= code < 600 else None
    error_class = error_class_of(status) if status else ServerError
    return error_class(
        "The server reported an error in the middle of the stream: "
        f"{shorten(error_message(data))}. {ADVICE[error_class]}",
        status_code=status,
    )


def _incomplete() -> StreamInterruptedError:
    return StreamInterruptedError(
        f"The stream ended without data: {END_OF_STREAM}; the text is incomplete. "
        "Try again; if this persists, check the server's logs"
    )


@contextmanager
def reading(
    what: str,
    protocol: str = "completions",
    advice: str = ADVICE[MalformedResponseError],
) -> Iterator[None]:
    """Turn an answer that lacks what the protocol promises into an error."""
    try:
        yield
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as error:
        message = (
            f"The server's {what} lacks what the {protocol} protocol promises "
            f"({type(error).__name__}: {error}). {advice}"
        )
        raise MalformedResponseError(message) from error


def _text(choice: Any) -> str:
    """The text of one choice, which must be a string."""
    text = choice["text"]
    if not isinstance(text, str):
        msg = f"choices[0].text is {type(text).__name__}, not a string"
        raise TypeError(msg)
    return text


def _present(info: Mapping[str, Any]) -> dict[str, Any]:
    """``info`` without the entries the server left out (None)."""
    return {key: value for key, value in info.items() if value is not None}
