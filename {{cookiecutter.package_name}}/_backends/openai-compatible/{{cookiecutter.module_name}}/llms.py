"""{{ cookiecutter.__provider_name_py }} text-completion models."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import LangSmithParams
from langchain_core.outputs import Generation, LLMResult
from pydantic import ConfigDict, Field

from {{ cookiecutter.module_name }} import (
    _completions,
)
from {{ cookiecutter.module_name }}._batching import (
    ConcurrentPrompts,
)
from {{ cookiecutter.module_name }}._completions import (
    Completion,
)
from {{ cookiecutter.module_name }}._connection import (
    Connection,
)
from {{ cookiecutter.module_name }}._stop import (
    StopScanner,
)
from {{ cookiecutter.module_name }}._streaming import (
    TokenStreaming,
)


class {{ cookiecutter.class_name }}(
    Connection,
    TokenStreaming,
    ConcurrentPrompts,
):
    """{{ cookiecutter.__provider_name_py }} text-completion model.

    Completes prompts with ``POST {base_url}/completions``, the OpenAI-compatible
    completions API of {{ cookiecutter.__provider_name_py }}, documented at
    {{ cookiecutter.api_docs_url }}.
    Any server speaking this protocol works: vLLM, llama.cpp's server, TGI and
    Ollama (``base_url="http://localhost:11434/v1"``).

    Setup:
        Install the package and say which server to use, unless it is
        {{ cookiecutter.api_base_url }} ::

            pip install {{ cookiecutter.package_name }}
            export {{ cookiecutter.__env_prefix }}_BASE_URL="http://localhost:8000/v1"

        or pass ``base_url`` to the class.

    Example:
        .. code-block:: python

            from {{ cookiecutter.module_name }} import (
                {{ cookiecutter.class_name }},
            )

            llm = {{ cookiecutter.class_name }}(
                max_tokens=64,
                temperature=0.7,
            )
            text = llm.invoke("The capital of France is", stop=["."])

            result = llm.generate(["Tell me a joke.", "Write a haiku."])
            usage = result.llm_output["token_usage"]  # summed over both prompts
            llm.close()  # release the pooled connections (aclose() for async)
    """

    model_config = ConfigDict(populate_by_name=True)
    _advice = _completions.ADVICE

    model: str = Field(
        default="{{ cookiecutter.default_model }}",
        alias="model_name",
    )
    """Name of the model the server should run."""

    temperature: float | None = None
    """Sampling temperature; None leaves it to the server."""

    max_tokens: int | None = Field(default=256, ge=1)
    """Most tokens to generate; None leaves it to the server (often 16)."""

    top_p: float | None = None
    """Nucleus sampling: sample from the tokens of this top probability mass."""

    seed: int | None = None
    """Random seed, for repeatable sampling on servers that support it."""

    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """More parameters for the request body, e.g. ``{"presence_penalty": 0.5}``."""

    include_stop: bool = True
    """Keep the matched stop sequence at the end of the output (False cuts it off)."""

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """Allow ``dumpd``/``load`` round trips (the key is never serialized)."""
        return True

    @property
    def _llm_type(self) -> str:
        """Name of this kind of model, used in logs and traces."""
        return "{{ cookiecutter.provider_id }}"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        """Parameters that identify this model in ``print(llm)`` and caches."""
        return {
            "model": self.model,
            "base_url": self.base_url,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "top_p": self.top_p,
            "seed": self.seed,
            "model_kwargs": self.model_kwargs,
        }

    def _get_ls_params(
        self, stop: list[str] | None = None, **kwargs: Any
    ) -> LangSmithParams:
        """Standard parameters for LangSmith tracing."""
        params = super()._get_ls_params(stop=stop, **kwargs)
        params["ls_provider"] = self._llm_type
        return params

    # LangChain's interface: invoke() runs _call and ainvoke() _acall; stream() and
    # astream() run TokenStreaming's _stream and _astream over the pieces below.

    def _call(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> str:
        """Complete ``prompt``, cut at the first of ``stop``.

        Returns a ``Completion``: the text, with the finish reason and token usage
        the server reported, which ``_generate`` passes on (a plain ``str`` works
        too). With a stop sequence the answer is streamed, so that the connection
        closes at the stop and the server stops generating.
        """
        if stop:
            return _joined(self._stream_pieces(prompt, stop, **kwargs))
        payload = self._request_body(prompt, stream=False, **kwargs)
        body = self._transport_of_model().post(_completions.PATH, payload)
        return _completions.parse_completion(body)

    async def _acall(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> str:
        """Complete ``prompt`` natively in the event loop, cut at ``stop``."""
        if stop:
            pieces = self._astream_pieces(prompt, stop, **kwargs)
            return _joined([piece async for piece in pieces])
        payload = self._request_body(prompt, stream=False, **kwargs)
        body = await self._transport_of_model().apost(_completions.PATH, payload)
        return _completions.parse_completion(body)

    # The protocol and the transport under it.

    def _request_body(
        self, prompt: str, *, stream: bool, **kwargs: Any
    ) -> dict[str, Any]:
        """The JSON body of a completion request for ``prompt``.

        Keyword arguments of the call (``llm.invoke(prompt, temperature=0)``)
        override the fields. Stop sequences are not sent: servers strip the
        matched stop, or ignore it, so the client enforces them itself.
        """
        params = {
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "top_p": self.top_p,
            "seed": self.seed,
            **self.model_kwargs,
            **kwargs,
        }
        return _completions.request_body(self.model, prompt, params, stream=stream)

    def _stream_pieces(
        self, prompt: str, stop: list[str] | None, **kwargs: Any
    ) -> Iterator[Completion]:
        """Stream the completion in pieces cut at ``stop``; a last piece has the info.

        At a stop sequence the response is closed: the server stops generating.
        """
        scanner = StopScanner(stop, include_stop=self.include_stop)
        info: dict[str, Any] = {}
        payload = self._request_body(prompt, stream=True, **kwargs)
        with self._transport_of_model().stream(_completions.PATH, payload) as events:
            for data in _completions.events_data(events):
                chunk = _completions.parse_chunk(data)
                info.update(chunk.info)
                if text := scanner.feed(chunk):
                    yield Completion(text)
                if scanner.stopped:
                    info["finish_reason"] = "stop"
                    break
        yield from _last_pieces(scanner, info)

    async def _astream_pieces(
        self, prompt: str, stop: list[str] | None, **kwargs: Any
    ) -> AsyncIterator[Completion]:
        """Async twin of ``_stream_pieces``."""
        scanner = StopScanner(stop, include_stop=self.include_stop)
        info: dict[str, Any] = {}
        payload = self._request_body(prompt, stream=True, **kwargs)
        transport = self._transport_of_model()
        async with transport.astream(_completions.PATH, payload) as events:
            async for data in _completions.aevents_data(events):
                chunk = _completions.parse_chunk(data)
                info.update(chunk.info)
                if text := scanner.feed(chunk):
                    yield Completion(text)
                if scanner.stopped:
                    info["finish_reason"] = "stop"
                    break
        for piece in _last_pieces(scanner, info):
            yield piece

    def _result(self, texts: list[str]) -> LLMResult:
        """The result of completed prompts, with their token usage summed."""
        generations, usage, model_name = [], Counter[str](), self.model
        for text in texts:
            # the info of a Completion; an edited _call may return a plain str
            info = getattr(text, "info", {})
            generation = Generation(text=str(text), generation_info=info or None)
            generations.append([generation])
            counts = info.get("token_usage", {})
            usage.update({k: v for k, v in counts.items() if isinstance(v, int)})
            model_name = info.get("model_name", model_name)
        llm_output = {"token_usage": dict(usage), "model_name": model_name}
        return LLMResult(generations=generations, llm_output=llm_output)


def _last_pieces(scanner: StopScanner, info: dict[str, Any]) -> Iterator[Completion]:
    """The text a stream's scanner held back, then a piece with the stream's info."""
    if text := scanner.flush():
        yield Completion(text)
    if info:
        yield Completion("", info)


def _joined(pieces: Iterable[Completion]) -> Completion:
    """One completion from streamed pieces: their text, and the info of the last."""
    text, info = "", {}
    for piece in pieces:
        text += piece
        info.update(piece.info)
    return Completion(text, info)
