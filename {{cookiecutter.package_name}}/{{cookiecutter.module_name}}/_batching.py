"""Run the prompts of one batch concurrently, at most ``limit`` at a time.

LangChain's default ``LLM._generate`` and ``_agenerate`` run a batch's prompts one
after another; an API client should overlap their network waits instead.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from langchain_core.outputs import Generation, LLMResult
from langchain_core.runnables.config import ContextThreadPoolExecutor
from langchain_core.runnables.utils import gather_with_concurrency


def generate_all(
    complete: Callable[[str], Generation], prompts: Sequence[str], limit: int
) -> LLMResult:
    """Call ``complete`` on every prompt in threads, keeping the prompts' order."""
    if len(prompts) == 1:  # invoke(): no thread to start
        return LLMResult(generations=[[complete(prompts[0])]])
    with ContextThreadPoolExecutor(max_workers=min(limit, len(prompts))) as pool:
        generations = list(pool.map(complete, prompts))
    return LLMResult(generations=[[generation] for generation in generations])


async def agenerate_all(
    complete: Callable[[str], Coroutine[Any, Any, Generation]],
    prompts: Sequence[str],
    limit: int,
) -> LLMResult:
    """Await ``complete`` on every prompt concurrently, keeping the prompts' order."""
    generations = await gather_with_concurrency(
        limit, *(complete(prompt) for prompt in prompts)
    )
    return LLMResult(generations=[[generation] for generation in generations])
