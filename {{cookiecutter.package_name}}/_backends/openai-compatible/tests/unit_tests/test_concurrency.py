"""batch and abatch overlap their requests, up to max_concurrency at once.

Shown by what the server observed: the order in which it received and answered the
requests. Answers are held until the expected number of requests overlap (see
``Reply.hold_until``), so a slow machine takes longer but does not fail.
"""

from collections.abc import Callable

from {{ cookiecutter.module_name }} import (
    {{ cookiecutter.class_name }},
)

from .completions_server import CompletionsServer, ReceivedRequest, Reply

MakeLLM = Callable[..., {{ cookiecutter.class_name }}]
PROMPTS = [f"prompt {n}" for n in range(6)]
LIMIT = 3


def most_at_once(requests: list[ReceivedRequest]) -> int:
    """The largest number of requests waiting for their answers at the same time.

    A request waits from its arrival until the server begins to answer it: within the
    time the client has it under way. (The end of the answer would not do: a client
    that hung up at a stop sequence may send its next request while the server is
    still writing the rest.)
    """
    starts = [(request.started, 1) for request in requests]
    ends = [(request.answered or request.started, -1) for request in requests]
    running = peak = 0
    for _, change in sorted(starts + ends):  # an end before a start at a tie
        running += change
        peak = max(peak, running)
    return peak


def assert_overlapped(server: CompletionsServer) -> None:
    """LIMIT requests at a time, never more."""
    server.wait_idle()  # the answers are sent; let the server note their times
    assert len(server.requests) == len(PROMPTS)
    assert most_at_once(server.requests) == LIMIT


def assert_one_window(server: CompletionsServer) -> None:
    """Two at a time, and the third prompt started while the held first one ran."""
    server.wait_idle()  # the answers are sent; let the server note their times
    first, _, third, _ = server.requests
    assert most_at_once(server.requests) == 2
    assert third.started < (first.ended or third.started)


def test_batch_overlaps_up_to_max_concurrency(
    make_llm: MakeLLM,
    server: CompletionsServer,
) -> None:
    server.default = Reply(hold_until=LIMIT)
    assert make_llm(max_concurrency=LIMIT).batch([*PROMPTS]) == PROMPTS
    assert_overlapped(server)


async def test_abatch_overlaps_up_to_max_concurrency(
    make_llm: MakeLLM,
    server: CompletionsServer,
) -> None:
    server.default = Reply(hold_until=LIMIT)
    assert await make_llm(max_concurrency=LIMIT).abatch([*PROMPTS]) == PROMPTS
    assert_overlapped(server)


async def test_abatch_with_stop_streams_concurrently(
    make_llm: MakeLLM,
    server: CompletionsServer,
) -> None:
    server.default = Reply(hold_until=LIMIT)
    llm = make_llm(max_concurrency=LIMIT)
    assert await llm.abatch([*PROMPTS], stop=[" "]) == ["prompt "] * len(PROMPTS)
    assert_overlapped(server)


def test_batch_config_max_concurrency_is_one_window(
    make_llm: MakeLLM,
    server: CompletionsServer,
) -> None:
    # config's max_concurrency bounds one rolling window: a slow prompt holds one
    # slot, the others go on in the rest (LangChain's own batch runs groups of that
    # size one after another, each waiting for its slowest prompt)
    server.reply(Reply(hold_until=3))  # the first answer waits for the third prompt
    prompts = PROMPTS[:4]
    llm = make_llm(max_concurrency=8)
    assert llm.batch([*prompts], config={"max_concurrency": 2}) == prompts
    assert_one_window(server)


async def test_abatch_config_max_concurrency_is_one_window(
    make_llm: MakeLLM,
    server: CompletionsServer,
) -> None:
    server.reply(Reply(hold_until=3))  # the first answer waits for the third prompt
    prompts = PROMPTS[:4]
    llm = make_llm(max_concurrency=8)
    assert await llm.abatch([*prompts], config={"max_concurrency": 2}) == prompts
    assert_one_window(server)
