"""One test per fault: the exception raised, the attempts the server saw, no key shown.

Each test runs the sync and the async code path (``how``). Calls with a stop
sequence read the answer as a stream, so stream faults are tested through them.
"""

import logging
import re
import socket
import time
from collections.abc import Callable
from email.utils import formatdate
from typing import Any

import pytest

from {{ cookiecutter.module_name }} import (
    {{ cookiecutter.class_name }},
    _transport,
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

from .completions_server import CompletionsServer, Reply

MakeLLM = Callable[..., {{ cookiecutter.class_name }}]
STREAMED = {"stop": ["absent"]}  # a stop sequence: the answer comes as a stream


@pytest.fixture(params=["invoke", "ainvoke"])
def how(request: pytest.FixtureRequest) -> str:
    """Which code path a test goes through: sync or async."""
    return str(request.param)


async def complete(
    llm: {{ cookiecutter.class_name }},
    how: str,
    prompt: str = "hello",
    **kwargs: Any,
) -> str:
    """Complete ``prompt`` through the sync or the async code path."""
    if how == "invoke":
        return llm.invoke(prompt, **kwargs)
    return await llm.ainvoke(prompt, **kwargs)


async def fail(
    llm: {{ cookiecutter.class_name }},
    how: str,
    expected: type[APIError],
    **kwargs: Any,
) -> APIError:
    """Complete a prompt, expecting ``expected``; check no API key shows in it."""
    with pytest.raises(expected) as caught:
        await complete(llm, how, **kwargs)
    key = getattr(llm, "api_key", None)
    error: BaseException | None = caught.value
    while key is not None and error is not None:  # the message and its causes
        assert key.get_secret_value() not in f"{error} {error!r}"
        error = error.__cause__
    return caught.value


def free_port() -> int:
    """A port of 127.0.0.1 where nothing listens: connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def waits(caplog: pytest.LogCaptureFixture) -> list[float]:
    """The seconds the client said it would wait before each retry."""
    said = [
        re.match(r"Retrying in ([0-9.]+) s", r.getMessage()) for r in caplog.records
    ]
    return [float(match[1]) for match in said if match]


@pytest.fixture
def caplog(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """The log, retries included."""
    caplog.set_level(logging.INFO)
    return caplog


@pytest.mark.parametrize("status", [401, 403])
async def test_refused_credentials_raise_authentication_error_at_once(
    make_llm: MakeLLM, server: CompletionsServer, how: str, status: int
) -> None:
    server.default = Reply(status=status)
    error = await fail(make_llm(max_retries=3), how, AuthenticationError)
    assert error.status_code == status
    assert len(server.requests) == 1


@pytest.mark.parametrize("status", [400, 404, 422])
async def test_other_client_errors_raise_bad_request_at_once(
    make_llm: MakeLLM, server: CompletionsServer, how: str, status: int
) -> None:
    server.default = Reply(status=status)
    error = await fail(make_llm(max_retries=3), how, BadRequestError)
    assert error.status_code == status
    assert "scripted failure" in str(error)  # the server's own explanation
    assert len(server.requests) == 1


async def test_429_is_retried_after_the_seconds_of_retry_after(
    make_llm: MakeLLM,
    server: CompletionsServer,
    how: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server.reply(Reply(status=429, headers={"Retry-After": "0.2"}))
    assert await complete(make_llm(), how) == "hello"
    assert len(server.requests) == 2
    assert waits(caplog) == [0.2]  # not the test models' 0.01 s backoff


async def test_429_is_retried_at_the_http_date_of_retry_after(
    make_llm: MakeLLM,
    server: CompletionsServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # the date is 30 s away; the longest wait, cut to 0.2 s here, applies instead
    monkeypatch.setattr(_transport, "MAX_RETRY_AFTER", 0.2)
    when = formatdate(time.time() + 30, usegmt=True)
    server.reply(Reply(status=429, headers={"Retry-After": when}))
    assert await complete(make_llm(), "ainvoke") == "hello"
    assert len(server.requests) == 2
    assert waits(caplog) == [0.2]


def test_retry_after_reads_http_dates() -> None:
    wait = _transport.parse_retry_after(formatdate(time.time() + 30, usegmt=True))
    assert wait is not None
    assert 28 <= wait <= 30
    # RFC 5322's "-0000" zone means UTC too
    wait = _transport.parse_retry_after(formatdate(time.time() + 30)[:-5] + "-0000")
    assert wait is not None
    assert 28 <= wait <= 30


@pytest.mark.parametrize("value", ["soon", "Mon, 99 Foo 2026"])
def test_retry_after_that_is_no_time_is_ignored(value: str) -> None:
    assert _transport.parse_retry_after(value) is None


async def test_429_until_retries_run_out_raises_rate_limit_error(
    make_llm: MakeLLM, server: CompletionsServer, how: str
) -> None:
    server.default = Reply(status=429, headers={"Retry-After": "0"})
    error = await fail(make_llm(max_retries=2), how, RateLimitError)
    assert (error.status_code, error.retry_after) == (429, 0)
    assert len(server.requests) == 3


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_are_retried_then_raised(
    make_llm: MakeLLM, server: CompletionsServer, how: str, status: int
) -> None:
    server.default = Reply(status=status)
    error = await fail(make_llm(max_retries=2), how, ServerError)
    assert error.status_code == status
    assert len(server.requests) == 3


async def test_a_retried_server_error_can_still_succeed(
    make_llm: MakeLLM, server: CompletionsServer, how: str
) -> None:
    server.reply(Reply(status=503), Reply(status=502))
    assert await complete(make_llm(max_retries=2), how) == "hello"
    assert len(server.requests) == 3


async def test_backoff_doubles_from_retry_backoff(
    make_llm: MakeLLM,
    server: CompletionsServer,
    how: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server.default = Reply(status=500)
    await fail(make_llm(max_retries=3, retry_backoff=0.02), how, ServerError)
    # with jitter each wait is half to all of 0.02, 0.04, 0.08 s (logged rounded)
    said = waits(caplog)
    assert len(said) == 3
    for wait, most in zip(said, [0.02, 0.04, 0.08], strict=True):
        assert most / 2 - 0.005 <= wait <= most + 0.005


async def test_no_answer_within_timeout_is_retried_then_raised(
    make_llm: MakeLLM, server: CompletionsServer, how: str
) -> None:
    server.default = Reply(latency=0.5)
    await fail(make_llm(timeout=0.1, max_retries=2), how, APITimeoutError)
    assert len(server.requests) == 3


async def test_a_timed_out_request_can_still_succeed(
    make_llm: MakeLLM, server: CompletionsServer, how: str
) -> None:
    server.reply(Reply(latency=0.5))
    assert await complete(make_llm(timeout=0.1, max_retries=1), how) == "hello"
    assert len(server.requests) == 2


@pytest.mark.parametrize("fault", ["drop", "truncate"])
async def test_answers_cut_off_are_retried(
    make_llm: MakeLLM, server: CompletionsServer, how: str, fault: str
) -> None:
    server.reply(Reply(fault=fault))
    assert await complete(make_llm(max_retries=1), how) == "hello"
    assert len(server.requests) == 2


async def test_a_stalled_stream_raises_timeout(
    make_llm: MakeLLM, server: CompletionsServer, how: str
) -> None:
    server.default = Reply(token_delay=1.0)
    await fail(make_llm(timeout=0.1), how, APITimeoutError, **STREAMED)
    assert len(server.requests) == 1


async def test_refused_connections_are_retried_then_raised(
    make_llm: MakeLLM, how: str, caplog: pytest.LogCaptureFixture
) -> None:
    llm = make_llm(base_url=f"http://127.0.0.1:{free_port()}/v1", max_retries=2)
    error = await fail(llm, how, APIConnectionError)
    assert error.status_code is None
    assert len(waits(caplog)) == 2


async def test_an_answer_that_is_not_json_is_malformed(
    make_llm: MakeLLM, server: CompletionsServer, how: str
) -> None:
    server.default = Reply(body=b"<html>502 Bad Gateway</html>")
    error = await fail(make_llm(), how, MalformedResponseError)
    assert "502 Bad Gateway" in str(error)
    assert len(server.requests) == 1


async def test_an_error_page_that_is_not_json_is_quoted(
    make_llm: MakeLLM, server: CompletionsServer, how: str
) -> None:
    server.default = Reply(status=502, body=b"<html>Bad Gateway</html>")
    error = await fail(make_llm(max_retries=0), how, ServerError)
    assert "<html>Bad Gateway</html>" in str(error)


async def test_a_completion_that_is_not_text_is_malformed(
    make_llm: MakeLLM, server: CompletionsServer, how: str
) -> None:
    server.default = Reply(body=b'{"choices": [{"text": 5}]}')
    error = await fail(make_llm(), how, MalformedResponseError)
    assert "not a string" in str(error)


async def test_json_without_a_completion_is_malformed(
    make_llm: MakeLLM, server: CompletionsServer, how: str
) -> None:
    server.default = Reply(body=b'{"object": "text_completion", "choices": []}')
    await fail(make_llm(), how, MalformedResponseError)
    assert len(server.requests) == 1


async def test_a_stream_ending_without_done_is_interrupted(
    make_llm: MakeLLM, server: CompletionsServer, how: str
) -> None:
    server.default = Reply(cut_after=1, ending="eof")
    await fail(make_llm(), how, StreamInterruptedError, **STREAMED)
    assert len(server.requests) == 1


async def test_a_stream_cut_off_mid_body_is_interrupted(
    make_llm: MakeLLM, server: CompletionsServer, how: str
) -> None:
    server.default = Reply(cut_after=1, ending="hang_up")
    await fail(make_llm(), how, StreamInterruptedError, **STREAMED)
    assert len(server.requests) == 1


async def test_an_error_event_in_a_stream_is_raised(
    make_llm: MakeLLM, server: CompletionsServer, how: str
) -> None:
    server.default = Reply(cut_after=1, ending="error")
    error = await fail(make_llm(), how, ServerError, **STREAMED)
    assert "the model crashed" in str(error)
    assert len(server.requests) == 1


async def test_an_error_event_with_a_status_code_raises_its_class(
    make_llm: MakeLLM, server: CompletionsServer, how: str
) -> None:
    event = {"error": {"message": "slow down", "code": 429}}
    server.default = Reply(cut_after=1, ending="error", error_event=event)
    error = await fail(make_llm(), how, RateLimitError, **STREAMED)
    assert error.status_code == 429


async def test_keep_alive_comments_in_a_stream_are_ignored(
    make_llm: MakeLLM, server: CompletionsServer, how: str
) -> None:
    server.default = Reply(pings=True)
    assert await complete(make_llm(), how, "hello world", **STREAMED) == "hello world"
