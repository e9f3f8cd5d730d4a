"""The floor: the least a LangChain ``LLM`` can do against a completions server.

One POST per prompt with a reused bare ``httpx.Client`` (``httpx.AsyncClient`` for
the async methods), the text taken from the first choice: no retries, no error
mapping, no stop handling, no usage. Streaming parses the ``data:`` lines and tells
the callback manager about each token, as every correct ``_stream`` must. Batches run
one prompt after another: ``LLM``'s default ``_generate``/``_agenerate``, so this
class is also "LangChain's default behaviour" in the concurrency figures, and
``BareBatch`` (no LangChain at all) their floor.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models.llms import LLM
from langchain_core.outputs import GenerationChunk
from pydantic import PrivateAttr

DONE = "data: [DONE]"  # the last line of a stream


def first_text(answer: dict[str, Any]) -> str:
    """The text of the first choice of a JSON answer."""
    return str(answer["choices"][0]["text"])


def event_text(line: str) -> str | None:
    """The text of one server-sent event line; None for other lines or no choice."""
    if not line.startswith("data: "):
        return None
    choices = json.loads(line[6:])["choices"]
    return str(choices[0]["text"]) if choices else None


class BareBatch:
    """A batch with no LangChain at all: bare httpx, threads or a semaphore.

    The floor of the concurrency figures: what the same requests at the same
    concurrency cost without any LLM class around them.
    """

    def __init__(self, base_url: str, concurrency: int) -> None:
        self.url = f"{base_url}/completions"
        self.concurrency = concurrency
        self.client = httpx.Client()
        self.aclient = httpx.AsyncClient()

    def _one(self, prompt: str) -> str:
        body = {"model": "bench", "prompt": prompt}
        return first_text(self.client.post(self.url, json=body).json())

    def batch(self, prompts: list[str], config: object = None) -> list[str]:
        with ThreadPoolExecutor(self.concurrency) as pool:
            return list(pool.map(self._one, prompts))

    async def abatch(self, prompts: list[str], config: object = None) -> list[str]:
        semaphore = asyncio.Semaphore(self.concurrency)

        async def one(prompt: str) -> str:
            async with semaphore:
                body = {"model": "bench", "prompt": prompt}
                return first_text((await self.aclient.post(self.url, json=body)).json())

        return list(await asyncio.gather(*(one(prompt) for prompt in prompts)))


class FloorLLM(LLM):
    """Bare-httpx ``LLM`` for ``POST {base_url}/completions``."""

    base_url: str
    model: str = "bench"

    _client: httpx.Client = PrivateAttr(default_factory=httpx.Client)
    _aclient: httpx.AsyncClient = PrivateAttr(default_factory=httpx.AsyncClient)

    @property
    def _llm_type(self) -> str:
        return "floor"

    def _body(self, prompt: str, stream: bool = False) -> dict[str, Any]:
        return {"model": self.model, "prompt": prompt, "stream": stream}

    def _call(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> str:
        response = self._client.post(f"{self.base_url}/completions", json=self._body(prompt))
        return first_text(response.json())

    async def _acall(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> str:
        response = await self._aclient.post(f"{self.base_url}/completions", json=self._body(prompt))
        return first_text(response.json())

    def _stream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[GenerationChunk]:
        url = f"{self.base_url}/completions"
        with self._client.stream("POST", url, json=self._body(prompt, True)) as response:
            for line in response.iter_lines():
                if line == DONE:
                    break
                if (text := event_text(line)) is None:
                    continue
                chunk = GenerationChunk(text=text)
                if run_manager:
                    run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                yield chunk

    async def _astream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[GenerationChunk]:
        url = f"{self.base_url}/completions"
        body = self._body(prompt, True)
        async with self._aclient.stream("POST", url, json=body) as response:
            async for line in response.aiter_lines():
                if line == DONE:
                    break
                if (text := event_text(line)) is None:
                    continue
                chunk = GenerationChunk(text=text)
                if run_manager:
                    await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                yield chunk
