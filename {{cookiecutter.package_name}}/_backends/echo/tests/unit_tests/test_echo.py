"""The echo model itself: the seed notebook's first-n-characters model."""

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun
from pydantic import ValidationError

from {{ cookiecutter.module_name }} import (
    {{ cookiecutter.class_name }},
)

MakeLLM = Callable[..., {{ cookiecutter.class_name }}]


def test_echoes_first_n_characters(make_llm: MakeLLM) -> None:
    llm = make_llm(n=5)
    assert llm.invoke("This is a foobar thing") == "This "
    assert llm.batch(["woof woof woof", "meow meow meow"]) == ["woof ", "meow "]
    assert "".join(llm.stream("hello world")) == "hello"


def test_stop_applies_within_first_n(make_llm: MakeLLM) -> None:
    assert make_llm(n=5).invoke("hello world", stop=["o w"]) == "hello"
    assert make_llm(n=7).invoke("hello world", stop=["o w"]) == "hello w"


def test_negative_n_is_refused(make_llm: MakeLLM) -> None:
    with pytest.raises(ValidationError, match="n"):
        make_llm(n=-1)


def test_batch_runs_prompts_concurrently() -> None:
    """Four prompts meet at a barrier: run one after another, they would time out."""
    barrier = threading.Barrier(4, timeout=5)

    class Meeting({{ cookiecutter.class_name }}):
        def _complete(self, prompt: str) -> str:
            barrier.wait()
            return super()._complete(prompt)

    llm = Meeting(n=10, max_concurrency=4)
    assert llm.batch(["a", "b", "c", "d"]) == ["a", "b", "c", "d"]


class Refusing({{ cookiecutter.class_name }}):
    """Refuses the prompt "bad"."""

    def _complete(self, prompt: str) -> str:
        if prompt == "bad":
            msg = "bad prompt"
            raise ValueError(msg)
        return super()._complete(prompt)


class Picky(Refusing):
    """Refuses the prompt "bad"; the async path waits forever for other prompts."""

    async def _acall(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> str:
        if prompt != "bad":
            await asyncio.Event().wait()
        return self._complete(prompt)


def test_batch_keeps_each_prompts_own_error() -> None:
    results = Refusing(n=10).batch(["a", "bad", "c"], return_exceptions=True)
    assert results[0::2] == ["a", "c"]
    assert isinstance(results[1], ValueError)


async def test_abatch_keeps_each_prompts_own_error() -> None:
    results = await Refusing(n=10).abatch(["a", "bad", "c"], return_exceptions=True)
    assert results[0::2] == ["a", "c"]
    assert isinstance(results[1], ValueError)


def test_batch_raises_the_first_error() -> None:
    with pytest.raises(ValueError, match="bad prompt"):
        Refusing(n=10, max_concurrency=2).batch(["a", "bad", "c", "d"])


async def test_abatch_raises_the_first_error_and_leaves_nothing_running() -> None:
    with pytest.raises(ValueError, match="bad prompt"):
        await Picky(n=10, max_concurrency=4).abatch(["bad", "a", "b", "c", "d"])
    assert asyncio.all_tasks() == {asyncio.current_task()}
