"""Run the prompts of one call concurrently, a bounded number at a time.

LangChain's ``LLM`` completes the prompts of one ``generate`` call one after
another, and its ``batch`` puts the first error of any prompt in every place; an
API client overlaps their network waits instead, and keeps each prompt's own result.
``ConcurrentPrompts`` is that ``LLM``; the embeddings class maps its chunks of texts
with the same two functions.

A batch is one ``generate`` call where it can be: LangChain then sets the runs'
callbacks up once for the call, where an ``invoke`` per prompt costs about four
times as much of its time per prompt (async: 210 against 60 microseconds).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import CancelledError
from typing import Any, TypeVar

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import LLM, LanguageModelInput
from langchain_core.outputs import Generation, LLMResult
from langchain_core.runnables import RunnableConfig
from langchain_core.runnables.config import ContextThreadPoolExecutor, get_config_list
from pydantic import Field

T = TypeVar("T")
R = TypeVar("R")


def map_concurrently(
    function: Callable[[T], R], items: Sequence[T], limit: int
) -> list[R]:
    """``function`` of every item in threads, ``limit`` at a time, in order.

    The first failure is raised once the calls under way have ended; the calls not
    started yet never start.
    """
    if len(items) <= 1:  # invoke(): no thread to start
        return [function(item) for item in items]
    # Set by the first failure, in its own thread: a thread it freed must not start
    # the next call before the caller has seen the failure and cancelled the rest.
    failed = threading.Event()

    def call(item: T) -> R:
        if failed.is_set():
            raise CancelledError  # never seen: the failure comes first, in order
        try:
            return function(item)
        except BaseException:
            failed.set()
            raise

    with ContextThreadPoolExecutor(max_workers=min(limit, len(items))) as pool:
        return list(pool.map(call, items))


async def amap_concurrently(
    function: Callable[[T], Awaitable[R]], items: Sequence[T], limit: int
) -> list[R]:
    """``function`` of every item in the event loop, ``limit`` at a time, in order.

    The first failure cancels the calls under way before it is raised, so nothing
    of the call goes on running after it.
    """
    if len(items) <= 1:  # ainvoke(): no task to start
        return [await function(item) for item in items]
    slots = asyncio.Semaphore(limit)

    async def bounded(item: T) -> R:
        async with slots:
            return await function(item)

    tasks = [asyncio.ensure_future(bounded(item)) for item in items]
    try:
        return await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class ConcurrentPrompts(LLM):
    """An ``LLM`` whose calls run their prompts concurrently, each through ``_call``.

    ``_generate`` runs ``_call`` (``_agenerate`` runs ``_acall``) for every prompt,
    ``max_concurrency`` at a time, so ``invoke`` and ``ainvoke`` still run ``_call``
    and ``_acall``; ``batch`` and ``abatch`` keep each prompt's own result.
    """

    max_concurrency: int = Field(default=8, ge=1)
    """How many prompts of one ``batch``/``abatch`` call run at the same time."""

    def _generate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        max_concurrency: int | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        """Complete the prompts with ``_call``, concurrently.

        ``max_concurrency`` (from ``batch``'s config) overrides the field.
        """

        def call(prompt: str) -> str:
            return self._call(prompt, stop, run_manager, **kwargs)

        limit = self._limit(max_concurrency)
        return self._result(map_concurrently(call, prompts, limit))

    async def _agenerate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        max_concurrency: int | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        """Complete the prompts with ``_acall``, concurrently in the event loop."""

        async def call(prompt: str) -> str:
            return await self._acall(prompt, stop, run_manager, **kwargs)

        limit = self._limit(max_concurrency)
        return self._result(await amap_concurrently(call, prompts, limit))

    def _limit(self, max_concurrency: int | None) -> int:
        """The call's ``max_concurrency`` when it gave one, else the field."""
        return max_concurrency or self.max_concurrency

    def _result(self, texts: list[str]) -> LLMResult:
        """The result of completed prompts: a generation each."""
        return LLMResult(generations=[[Generation(text=text)] for text in texts])

    def batch(
        self,
        inputs: list[LanguageModelInput],
        config: RunnableConfig | list[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> list[str]:
        """Complete ``inputs`` concurrently, ``max_concurrency`` at a time.

        ``config["max_concurrency"]``, when given, overrides the field for this
        call. One ``generate`` call, whose ``_generate`` runs the inputs
        concurrently; with ``return_exceptions=True`` an ``invoke`` per input, so
        that a failed input's place holds its own error (``LLM.batch`` would put the
        first error of any in every place).
        """
        if not inputs:
            return []
        configs = get_config_list(config, len(inputs))
        limit = self._limit(configs[0].get("max_concurrency"))
        if not return_exceptions:
            prompts = [self._convert_input(item) for item in inputs]
            options = _run_options(configs)
            result = self.generate_prompt(
                prompts, max_concurrency=limit, **options, **kwargs
            )
            return _texts(result)

        def invoke(index: int) -> Any:
            try:
                return self.invoke(inputs[index], configs[index], **kwargs)
            except Exception as error:
                return error

        return map_concurrently(invoke, range(len(inputs)), limit)

    async def abatch(
        self,
        inputs: list[LanguageModelInput],
        config: RunnableConfig | list[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> list[str]:
        """Async twin of ``batch``; a failure cancels the prompts still running."""
        if not inputs:
            return []
        configs = get_config_list(config, len(inputs))
        limit = self._limit(configs[0].get("max_concurrency"))
        if not return_exceptions:
            prompts = [self._convert_input(item) for item in inputs]
            options = _run_options(configs)
            result = await self.agenerate_prompt(
                prompts, max_concurrency=limit, **options, **kwargs
            )
            return _texts(result)

        async def ainvoke(index: int) -> Any:
            try:
                return await self.ainvoke(inputs[index], configs[index], **kwargs)
            except Exception as error:
                return error

        return await amap_concurrently(ainvoke, range(len(inputs)), limit)


RUN_OPTIONS = ("callbacks", "tags", "metadata", "run_name")
"""What each input's config says about its run, for ``generate``."""


def _run_options(configs: list[RunnableConfig]) -> dict[str, Any]:
    """The callbacks, tags, metadata and run name of the inputs' runs.

    Given once when every input has the same (one config for the call), so that
    LangChain sets the callbacks up once; else as lists, one entry per input.
    """
    options = {key: [config.get(key) for config in configs] for key in RUN_OPTIONS}
    if all(value == values[0] for values in options.values() for value in values):
        return {key: values[0] for key, values in options.items()}
    return options


def _texts(result: LLMResult) -> list[str]:
    """The text of each prompt's first generation."""
    return [generations[0].text for generations in result.generations]
