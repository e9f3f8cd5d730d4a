"""The transport knows HTTP and event streams, not the protocol on top of them.

It reads a stream to its end whatever its last event, and leaves ``data: [DONE]``
to the completions protocol (see test_faults.py for that protocol's rule).
"""

from collections.abc import AsyncIterator, Iterator

import pytest

from {{ cookiecutter.module_name }}._transport import (
    Transport,
)
from {{ cookiecutter.module_name }}.exceptions import (
    AuthenticationError,
    MalformedResponseError,
)

from .completions_server import CompletionsServer, Reply

PATH = "/completions"
STREAM = {"model": "any", "prompt": "hello world", "stream": True}


@pytest.fixture
def transport(server: CompletionsServer) -> Iterator[Transport]:
    """A transport to the test server, without retries."""
    made = Transport(server.url, timeout=5.0, max_retries=0, retry_backoff=0.0)
    yield made
    made.close()


@pytest.fixture
async def async_transport(server: CompletionsServer) -> AsyncIterator[Transport]:
    """A transport to the test server, closed in the test's event loop."""
    made = Transport(server.url, timeout=5.0, max_retries=0, retry_backoff=0.0)
    yield made
    await made.aclose()


def test_stream_without_an_end_event_is_read_to_its_end(
    transport: Transport, server: CompletionsServer
) -> None:
    server.default = Reply(ending="eof")
    with transport.stream(PATH, STREAM) as events:
        texts = [event.json()["choices"][0]["text"] for event in events]
    assert texts == ["hello", " world"]


async def test_async_stream_without_an_end_event_is_read_to_its_end(
    async_transport: Transport, server: CompletionsServer
) -> None:
    server.default = Reply(ending="eof")
    async with async_transport.astream(PATH, STREAM) as events:
        texts = [event.json()["choices"][0]["text"] async for event in events]
    assert texts == ["hello", " world"]


def test_an_answer_that_is_not_an_event_stream_is_malformed(
    transport: Transport, server: CompletionsServer
) -> None:
    server.default = Reply(body=b'{"choices": []}')
    with (
        pytest.raises(MalformedResponseError, match="without an event stream"),
        transport.stream(PATH, STREAM) as events,
    ):
        list(events)


@pytest.mark.parametrize("key", ["sk-do-not-leak-4f8a2c", "e"])
def test_the_key_is_sent_and_never_repeated_in_an_error(
    server: CompletionsServer, key: str
) -> None:
    server.default = Reply(status=401)  # its message repeats the key it was sent
    transport = Transport(
        server.url, timeout=5.0, max_retries=0, retry_backoff=0.0, api_key=key
    )
    with pytest.raises(AuthenticationError) as refused:
        transport.post(PATH, STREAM)
    transport.close()
    assert server.requests[0].headers["Authorization"] == f"Bearer {key}"
    # the key is gone as a word; the words that contain its letters are not
    assert str(refused.value).endswith("answered HTTP 401: invalid key Bearer ***")
