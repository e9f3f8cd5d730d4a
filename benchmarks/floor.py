"""The floor: the least a LangChain model can do against a completions server.

One POST per prompt with a reused bare ``httpx.Client`` (``httpx.AsyncClient`` for
the async methods), the text taken from the first choice: no retries, no error
mapping, no stop handling, no usage. Streaming parses the ``data:`` lines and tells
the callback manager about each token, as every correct ``_stream`` must. Batches run
one prompt after another: ``LLM``'s default ``_generate``/``_agenerate``, so this
class is also "LangChain's default behaviour" in the concurrency figures, and
``BareBatch`` (no LangChain at all) their floor.

``FloorChat`` is the same for ``POST /chat/completions`` (a ``BaseChatModel``; the
core reports streamed tokens to callbacks itself), and ``BareChatBatch`` the bare
batch of chat requests. A chat model's batch is ``Runnable``'s default, which
already runs the inputs concurrently.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.language_models.llms import LLM
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult, GenerationChunk
from pydantic import BaseModel, PrivateAttr

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


def texts(lines: Iterable[str], text_of: Callable[[str], str | None]) -> Iterator[str]:
    """The text of each event line of a stream, up to ``data: [DONE]``."""
    for line in lines:
        if line == DONE:
            break
        if (text := text_of(line)) is not None:
            yield text


async def atexts(
    lines: AsyncIterable[str], text_of: Callable[[str], str | None]
) -> AsyncIterator[str]:
    """Async twin of ``texts``."""
    async for line in lines:
        if line == DONE:
            break
        if (text := text_of(line)) is not None:
            yield text


# Chat roles of LangChain's message types, as far as the benchmarks send them.
ROLES = {"human": "user", "ai": "assistant", "system": "system"}


def chat_text(answer: dict[str, Any]) -> str:
    """The text of the first choice of a JSON chat answer."""
    return str(answer["choices"][0]["message"]["content"])


def chat_event_text(line: str) -> str | None:
    """The text of one chat event line; None for other lines, no choice or no text."""
    if not line.startswith("data: "):
        return None
    choices = json.loads(line[6:])["choices"]
    return choices[0]["delta"].get("content") if choices else None


class BareBatch:
    """A batch with no LangChain at all: bare httpx, threads or a semaphore.

    The floor of the concurrency figures: what the same requests at the same
    concurrency cost without any LLM class around them.
    """

    path = "/completions"

    def __init__(self, base_url: str, concurrency: int) -> None:
        self.url = f"{base_url}{self.path}"
        self.concurrency = concurrency
        self.client = httpx.Client()
        self.aclient = httpx.AsyncClient()

    def body(self, prompt: str) -> dict[str, Any]:
        return {"model": "bench", "prompt": prompt}

    def text(self, answer: dict[str, Any]) -> str:
        return first_text(answer)

    def _one(self, prompt: str) -> str:
        return self.text(self.client.post(self.url, json=self.body(prompt)).json())

    def batch(self, prompts: list[str], config: object = None) -> list[str]:
        with ThreadPoolExecutor(self.concurrency) as pool:
            return list(pool.map(self._one, prompts))

    async def abatch(self, prompts: list[str], config: object = None) -> list[str]:
        semaphore = asyncio.Semaphore(self.concurrency)

        async def one(prompt: str) -> str:
            async with semaphore:
                response = await self.aclient.post(self.url, json=self.body(prompt))
                return self.text(response.json())

        return list(await asyncio.gather(*(one(prompt) for prompt in prompts)))


class BareChatBatch(BareBatch):
    """``BareBatch`` of chat requests: one user message each."""

    path = "/chat/completions"

    def body(self, prompt: str) -> dict[str, Any]:
        return {"model": "bench", "messages": [{"role": "user", "content": prompt}]}

    def text(self, answer: dict[str, Any]) -> str:
        return chat_text(answer)


class BareClients(BaseModel):
    """What every floor model holds: the server, a model name, two bare clients."""

    base_url: str
    model: str = "bench"

    _client: httpx.Client = PrivateAttr(default_factory=httpx.Client)
    _aclient: httpx.AsyncClient = PrivateAttr(default_factory=httpx.AsyncClient)


class FloorLLM(LLM, BareClients):
    """Bare-httpx ``LLM`` for ``POST {base_url}/completions``."""

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
            for text in texts(response.iter_lines(), event_text):
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
            async for text in atexts(response.aiter_lines(), event_text):
                chunk = GenerationChunk(text=text)
                if run_manager:
                    await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                yield chunk


class FloorChat(BaseChatModel, BareClients):
    """Bare-httpx ``BaseChatModel`` for ``POST {base_url}/chat/completions``."""

    @property
    def _llm_type(self) -> str:
        return "floor-chat"

    def _body(self, messages: list[BaseMessage], stream: bool = False) -> dict[str, Any]:
        turns = [{"role": ROLES[m.type], "content": m.content} for m in messages]
        return {"model": self.model, "messages": turns, "stream": stream}

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        url = f"{self.base_url}/chat/completions"
        answer = self._client.post(url, json=self._body(messages)).json()
        return _chat_result(answer)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        url = f"{self.base_url}/chat/completions"
        answer = (await self._aclient.post(url, json=self._body(messages))).json()
        return _chat_result(answer)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        url = f"{self.base_url}/chat/completions"
        with self._client.stream("POST", url, json=self._body(messages, True)) as response:
            for text in texts(response.iter_lines(), chat_event_text):
                yield ChatGenerationChunk(message=AIMessageChunk(content=text))

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        url = f"{self.base_url}/chat/completions"
        body = self._body(messages, True)
        async with self._aclient.stream("POST", url, json=body) as response:
            async for text in atexts(response.aiter_lines(), chat_event_text):
                yield ChatGenerationChunk(message=AIMessageChunk(content=text))


def _chat_result(answer: dict[str, Any]) -> ChatResult:
    message = AIMessage(content=chat_text(answer))
    return ChatResult(generations=[ChatGeneration(message=message)])
