"""Checklist: stop tokens are respected, and included in the response."""

from collections.abc import Callable

import pytest

from {{ cookiecutter.module_name }} import (
    {{ cookiecutter.class_name }},
)

MakeLLM = Callable[..., {{ cookiecutter.class_name }}]
PROMPT = "hello world, hello moon"


@pytest.mark.parametrize(
    ("stop", "expected"),
    [
        (["o w"], "hello w"),  # one stop, spanning two streamed chunks
        (["moon", "world"], "hello world"),  # the first to appear wins
        (["lo w", "o"], "hello"),  # the first to complete wins
        (["absent"], PROMPT),  # no match: the whole text
        ([], PROMPT),
    ],
)
def test_invoke_ends_at_first_stop(
    llm: {{ cookiecutter.class_name }},
    stop: list[str],
    expected: str,
) -> None:
    assert llm.invoke(PROMPT, stop=stop) == expected


async def test_ainvoke_ends_at_first_stop(
    llm: {{ cookiecutter.class_name }},
) -> None:
    assert await llm.ainvoke(PROMPT, stop=["o w"]) == "hello w"


def test_stream_ends_at_stop_split_across_chunks(
    llm: {{ cookiecutter.class_name }},
) -> None:
    chunks = list(llm.stream(PROMPT, stop=["o w"]))
    assert "".join(chunks) == "hello w"


async def test_astream_ends_at_stop_split_across_chunks(
    llm: {{ cookiecutter.class_name }},
) -> None:
    chunks = [chunk async for chunk in llm.astream(PROMPT, stop=["o w"])]
    assert "".join(chunks) == "hello w"


def test_batch_applies_stop_to_every_prompt(
    llm: {{ cookiecutter.class_name }},
) -> None:
    assert llm.batch(["one two", "two one"], stop=[" "]) == ["one ", "two "]


def test_stop_sequence_is_included_in_response(
    llm: {{ cookiecutter.class_name }},
) -> None:
    for stop in (["world"], ["o w"], [", "]):
        assert llm.invoke(PROMPT, stop=stop).endswith(stop[0])


def test_include_stop_false_cuts_before_the_stop(
    make_llm: MakeLLM,
) -> None:
    llm = make_llm(include_stop=False)
    assert llm.invoke(PROMPT, stop=["o w"]) == "hell"
    assert "".join(llm.stream(PROMPT, stop=["o w"])) == "hell"


def test_bound_stop_applies(
    llm: {{ cookiecutter.class_name }},
) -> None:
    assert llm.bind(stop=["world"]).invoke(PROMPT) == "hello world"
