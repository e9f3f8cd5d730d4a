"""A batch loses nothing: each prompt keeps its own answer or its own error.

LangChain's ``BaseLLM`` gives every prompt of a batch the first error of any; here
a failed prompt's place holds its error and every other answer is kept, even when a
fifth of the requests fail.
"""

import asyncio
import random
import threading
from collections.abc import Callable, Sequence

import pytest

from {{ cookiecutter.module_name }} import (
    {{ cookiecutter.class_name }},
)
from {{ cookiecutter.module_name }}.exceptions import (
    APIError,
    BadRequestError,
)

from .completions_server import CompletionsServer, ReceivedRequest, Reply

MakeLLM = Callable[..., {{ cookiecutter.class_name }}]
PROMPTS = [f"prompt {n}" for n in range(12)]
TIMEOUT = 0.2  # of the models under chaos: a stalled answer times out
FAULTS = [
    Reply(status=500),
    Reply(status=429, headers={"Retry-After": "0"}),
    Reply(fault="drop"),
    Reply(fault="truncate"),
    Reply(latency=TIMEOUT * 3),
]


def refuse_bad_prompts(good: Reply) -> Callable[[ReceivedRequest], Reply]:
    """Answer HTTP 400 to prompts with "bad" in them, and ``good`` to the others."""

    def reply(request: ReceivedRequest) -> Reply:
        return Reply(status=400) if "bad" in request.payload["prompt"] else good

    return reply


def chaos(seed: int) -> Callable[[ReceivedRequest], Reply]:
    """Fail a fifth of the requests, in each of the five ways equally often."""
    draw, lock = random.Random(seed), threading.Lock()

    def reply(request: ReceivedRequest) -> Reply:
        with lock:
            roll = draw.random()
        return FAULTS[int(roll * 25)] if roll < 0.2 else Reply()

    return reply


def assert_nothing_lost(prompts: list[str], results: Sequence[object]) -> None:
    """Each place holds its prompt's answer or an API error; at most 5 in 1000 fail."""
    assert len(results) == len(prompts)
    errors = [result for result in results if not isinstance(result, str)]
    assert all(isinstance(error, APIError) for error in errors), errors
    assert len(errors) <= len(prompts) // 200
    assert [r for r in results if isinstance(r, str)] == [
        prompt for prompt, r in zip(prompts, results, strict=True) if isinstance(r, str)
    ]


def test_batch_keeps_each_prompts_own_error(
    make_llm: MakeLLM, server: CompletionsServer
) -> None:
    server.script = refuse_bad_prompts(Reply())
    results = make_llm().batch(["good", "bad", "fine"], return_exceptions=True)
    assert results[0::2] == ["good", "fine"]
    assert isinstance(results[1], BadRequestError)


async def test_abatch_keeps_each_prompts_own_error(
    make_llm: MakeLLM, server: CompletionsServer
) -> None:
    server.script = refuse_bad_prompts(Reply())
    results = await make_llm().abatch(["good", "bad", "fine"], return_exceptions=True)
    assert results[0::2] == ["good", "fine"]
    assert isinstance(results[1], BadRequestError)


def test_batch_raises_the_first_error_and_starts_nothing_after_it(
    make_llm: MakeLLM, server: CompletionsServer
) -> None:
    # The first prompt's answer is held (HOLD_LIMIT), so batch sees the failure of
    # the second only then: all that time, the thread that "bad" freed must start
    # nothing. (Were "bad" first, batch could cancel the rest before that thread
    # took the next prompt, and a thread that ignores the failure would go unseen.)
    server.script = refuse_bad_prompts(Reply(gate=threading.Event()))
    with pytest.raises(BadRequestError):
        make_llm(max_concurrency=2).batch([PROMPTS[0], "bad", *PROMPTS[1:]])
    started = sorted(request.payload["prompt"] for request in server.requests)
    assert started == sorted([PROMPTS[0], "bad"])


async def test_abatch_raises_the_first_error_and_leaves_nothing_running(
    make_llm: MakeLLM, server: CompletionsServer
) -> None:
    answers = threading.Event()  # the good answers wait until the batch has failed
    server.script = refuse_bad_prompts(Reply(gate=answers))
    with pytest.raises(BadRequestError):
        await make_llm(max_concurrency=4).abatch(["bad", *PROMPTS])
    answers.set()
    assert asyncio.all_tasks() == {asyncio.current_task()}  # nothing left running
    # the four first prompts, and at most the one whose turn came as "bad" failed
    assert len(server.requests) <= 5


async def test_abatch_of_1000_prompts_under_chaos_loses_nothing(
    make_llm: MakeLLM, server: CompletionsServer
) -> None:
    server.script = chaos(seed=1)
    prompts = [f"prompt {n}" for n in range(1000)]
    llm = make_llm(max_retries=6, timeout=TIMEOUT, max_concurrency=32)
    results = await llm.abatch([*prompts], return_exceptions=True)
    assert_nothing_lost(prompts, results)
    assert len(server.requests) > len(prompts)  # the faults happened, and were retried


def test_batch_of_200_prompts_under_chaos_loses_nothing(
    make_llm: MakeLLM, server: CompletionsServer
) -> None:
    server.script = chaos(seed=2)
    prompts = [f"prompt {n}" for n in range(200)]
    llm = make_llm(max_retries=6, timeout=TIMEOUT, max_concurrency=16)
    results = llm.batch([*prompts], return_exceptions=True)
    assert_nothing_lost(prompts, results)
    assert len(server.requests) > len(prompts)
