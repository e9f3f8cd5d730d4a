"""{{ cookiecutter.__provider_name_py }} text-completion models."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import LangSmithParams, LanguageModelInput
from langchain_core.language_models.llms import LLM
{%- if cookiecutter.streaming %}
from langchain_core.outputs import Generation, GenerationChunk, LLMResult
{%- else %}
from langchain_core.outputs import Generation, LLMResult
{%- endif %}
from langchain_core.runnables import RunnableConfig
from langchain_core.runnables.config import get_config_list
{%- if cookiecutter.use_api_key %}
from langchain_core.utils import from_env, secret_from_env
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr
{%- else %}
from langchain_core.utils import from_env
from pydantic import ConfigDict, Field, PrivateAttr
{%- endif %}

from {{ cookiecutter.module_name }}._batching import agenerate_all, generate_all
{%- if cookiecutter.streaming %}
from {{ cookiecutter.module_name }}._callbacks import anew_chunk, new_chunk
{%- endif %}
from {{ cookiecutter.module_name }}._client import Transport
from {{ cookiecutter.module_name }}._stop import StopScanner

COMPLETIONS_PATH = "/completions"
"""The endpoint that completes prompts, relative to ``base_url``."""

# Making a model's transport is rare and quick; the lock keeps the threads of a
# batch from each making one.
_TRANSPORT_LOCK = threading.Lock()

# The max_concurrency of the batch/abatch call running in this context, if it set one.
_CALL_CONCURRENCY: ContextVar[int | None] = ContextVar("call_concurrency", default=None)


class {{ cookiecutter.class_name }}(LLM):
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
{%- if cookiecutter.use_api_key %}
            export {{ cookiecutter.api_key_env_var }}="your-api-key"

        or pass ``base_url`` and ``api_key`` to the class.
{%- else %}

        or pass ``base_url`` to the class.
{%- endif %}

    Example:
        .. code-block:: python

            from {{ cookiecutter.module_name }} import {{ cookiecutter.class_name }}

            llm = {{ cookiecutter.class_name }}(max_tokens=64, temperature=0.7)
            text = llm.invoke("The capital of France is", stop=["."])

            result = llm.generate(["Tell me a joke.", "Write a haiku."])
            usage = result.llm_output["token_usage"]  # summed over both prompts
            llm.close()  # release the pooled connections (aclose() for async)
    """

    model_config = ConfigDict(populate_by_name=True)

    base_url: str = Field(
        default_factory=from_env(
            "{{ cookiecutter.__env_prefix }}_BASE_URL",
            default="{{ cookiecutter.api_base_url }}",
        ),
    )
    """URL of the API, the part before ``/completions`` (often ending in ``/v1``)."""

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
{%- if cookiecutter.use_api_key %}

    api_key: SecretStr = Field(
        alias="api_key",
        default_factory=secret_from_env(
            "{{ cookiecutter.api_key_env_var }}",
            error_message=(
                "{{ cookiecutter.class_name }} needs an API key: set the "
                "{{ cookiecutter.api_key_env_var }} environment variable "
                "or pass api_key=..."
            ),
        ),
    )
    """API key, sent as a bearer token.

    Read from ``{{ cookiecutter.api_key_env_var }}`` if not passed.
    """
{%- endif %}

    timeout: float | None = Field(default=60.0, gt=0)
    """Seconds to wait to connect, for an answer and between streamed tokens.

    None waits forever.
    """

    max_retries: int = Field(default=2, ge=0)
    """How many times to retry after a 429, a 5xx or a failed connection."""

    retry_backoff: float = Field(default=0.5, ge=0)
    """Seconds before the first retry, doubling for each next one (with jitter).

    A ``Retry-After`` header from the server takes precedence.
    """

    include_stop: bool = True
    """Keep the matched stop sequence at the end of the output (False cuts it off)."""

    max_concurrency: int = Field(default=8, ge=1)
    """How many prompts of one ``batch``/``abatch`` call run at the same time."""

    # HTTP clients and their connection pools, made on first use and then reused
    _transport: Transport | None = PrivateAttr(default=None)
{%- if cookiecutter.use_api_key %}

    @property
    def lc_secrets(self) -> dict[str, str]:
        """Map the secret field to its environment variable for serialization."""
        return {"api_key": "{{ cookiecutter.api_key_env_var }}"}
{%- endif %}

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """Allow ``dumpd``/``load`` round trips (the key is never serialized)."""
        return True

    @property
    def _llm_type(self) -> str:
        """Name of this kind of model, used in logs and traces."""
        return "{{ cookiecutter.__provider_slug }}"

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
        params["ls_provider"] = "{{ cookiecutter.__provider_slug }}"
        return params

    def close(self) -> None:
        """Close the pooled connections of sync calls; a later call opens new ones."""
        if self._transport is not None:
            self._transport.close()

    async def aclose(self) -> None:
        """Close the pooled connections of async and sync calls.

        Call it in the event loop of the async calls, before the loop ends.
        """
        if self._transport is not None:
            await self._transport.aclose()

    # The protocol: how a request is built and an answer read. A provider whose API
    # differs changes these three methods, COMPLETIONS_PATH and, for another way to
    # authenticate, _new_transport.

    def _request_payload(
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
        payload: dict[str, Any] = {"model": self.model, "prompt": prompt}
        payload.update(
            (key, value) for key, value in params.items() if value is not None
        )
        if stream:
            # the token usage comes in a last event, whose list of choices is empty
            payload.update(stream=True, stream_options={"include_usage": True})
        return payload

    def _parse_completion(self, body: Any) -> tuple[str, dict[str, Any]]:
        """The text and generation info of a JSON completion.

        Missing fields raise ``KeyError`` or ``IndexError``, which become a
        ``MalformedResponseError``.
        """
        choice = body["choices"][0]
        info = {
            "finish_reason": choice.get("finish_reason"),
            "token_usage": body.get("usage"),
            "model_name": body.get("model"),
        }
        return _text(choice), info

    def _parse_chunk(self, event: Any) -> tuple[str, dict[str, Any]]:
        """The text and generation info of one streamed event."""
        info = {"token_usage": event.get("usage"), "model_name": event.get("model")}
        if not event["choices"]:  # the usage event
            return "", info
        choice = event["choices"][0]
        return _text(choice), {**info, "finish_reason": choice.get("finish_reason")}

    # Completing one prompt.

    def _transport_of_model(self) -> Transport:
        """The transport of this model, made on first use and then reused.

        It reads the fields it needs (URL, timeout, retries, key) once, here.
        """
        with _TRANSPORT_LOCK:
            if self._transport is None:
                self._transport = self._new_transport()
            return self._transport
{%- if cookiecutter.use_api_key %}

    def _new_transport(self) -> Transport:
        """Make the transport from the fields; the key goes in a bearer header."""
        key = self.api_key.get_secret_value()
        return Transport(
            self.base_url,
            timeout=self.timeout,
            max_retries=self.max_retries,
            retry_backoff=self.retry_backoff,
            headers={"Authorization": f"Bearer {key}"},
            secret=key,
        )
{%- else %}

    def _new_transport(self) -> Transport:
        """Make the transport from the fields."""
        return Transport(
            self.base_url,
            timeout=self.timeout,
            max_retries=self.max_retries,
            retry_backoff=self.retry_backoff,
        )
{%- endif %}

    def _complete(
        self, prompt: str, stop: list[str] | None, **kwargs: Any
    ) -> Generation:
        """Complete ``prompt`` in one JSON answer, or streamed when cut at ``stop``."""
        if stop:
            return _join(self._stream_pieces(prompt, stop, **kwargs))
        transport = self._transport_of_model()
        payload = self._request_payload(prompt, stream=False, **kwargs)
        body = transport.post(COMPLETIONS_PATH, payload)
        with transport.parsing():
            text, info = self._parse_completion(body)
        return Generation(text=text, generation_info=_present(info) or None)

    async def _acomplete(
        self, prompt: str, stop: list[str] | None, **kwargs: Any
    ) -> Generation:
        """Async twin of ``_complete``."""
        if stop:
            pieces = self._astream_pieces(prompt, stop, **kwargs)
            return _join([piece async for piece in pieces])
        transport = self._transport_of_model()
        payload = self._request_payload(prompt, stream=False, **kwargs)
        body = await transport.apost(COMPLETIONS_PATH, payload)
        with transport.parsing():
            text, info = self._parse_completion(body)
        return Generation(text=text, generation_info=_present(info) or None)

    def _stream_pieces(
        self, prompt: str, stop: list[str] | None, **kwargs: Any
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Stream the completion as (text, {}) pieces cut at ``stop``, then ("", info).

        At a stop sequence the response is closed: the server stops generating.
        """
        scanner = StopScanner(stop, include_stop=self.include_stop)
        info: dict[str, Any] = {}
        transport = self._transport_of_model()
        payload = self._request_payload(prompt, stream=True, **kwargs)
        with transport.stream(COMPLETIONS_PATH, payload) as events:
            for event in events:
                with transport.parsing():
                    text, event_info = self._parse_chunk(event)
                info.update(_present(event_info))
                if text := scanner.feed(text):
                    yield text, {}
                if scanner.stopped:
                    info["finish_reason"] = "stop"
                    break
        if text := scanner.flush():
            yield text, {}
        if info:
            yield "", info

    async def _astream_pieces(
        self, prompt: str, stop: list[str] | None, **kwargs: Any
    ) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        """Async twin of ``_stream_pieces``."""
        scanner = StopScanner(stop, include_stop=self.include_stop)
        info: dict[str, Any] = {}
        transport = self._transport_of_model()
        payload = self._request_payload(prompt, stream=True, **kwargs)
        async with transport.astream(COMPLETIONS_PATH, payload) as events:
            async for event in events:
                with transport.parsing():
                    text, event_info = self._parse_chunk(event)
                info.update(_present(event_info))
                if text := scanner.feed(text):
                    yield text, {}
                if scanner.stopped:
                    info["finish_reason"] = "stop"
                    break
        if text := scanner.flush():
            yield text, {}
        if info:
            yield "", info

    # LangChain's interface.

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
        call. LangChain's own ``batch`` would split the inputs into groups of that
        size and run the groups one after another, each waiting for its slowest
        prompt; here a new prompt starts as soon as one finishes.
        """
        with _one_window(config, len(inputs)) as configs:
            return super().batch(
                inputs, configs, return_exceptions=return_exceptions, **kwargs
            )

    async def abatch(
        self,
        inputs: list[LanguageModelInput],
        config: RunnableConfig | list[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> list[str]:
        """Async twin of ``batch``."""
        with _one_window(config, len(inputs)) as configs:
            return await super().abatch(
                inputs, configs, return_exceptions=return_exceptions, **kwargs
            )

    def _concurrency(self) -> int:
        """How many prompts of the current batch may run at once."""
        return _CALL_CONCURRENCY.get() or self.max_concurrency

    def _call(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> str:
        """Complete ``prompt``, cut at the first of ``stop``."""
        return self._complete(prompt, stop, **kwargs).text

    async def _acall(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> str:
        """Complete ``prompt`` natively in the event loop, cut at ``stop``."""
        generation = await self._acomplete(prompt, stop, **kwargs)
        return generation.text

    def _generate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        """Complete a batch of prompts concurrently; sum their token usage."""

        def complete(prompt: str) -> Generation:
            return self._complete(prompt, stop, **kwargs)

        result = generate_all(complete, prompts, self._concurrency())
        result.llm_output = self._llm_output(result)
        return result

    async def _agenerate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        """Complete a batch of prompts concurrently in the event loop."""

        async def complete(prompt: str) -> Generation:
            return await self._acomplete(prompt, stop, **kwargs)

        result = await agenerate_all(complete, prompts, self._concurrency())
        result.llm_output = self._llm_output(result)
        return result

    def _llm_output(self, result: LLMResult) -> dict[str, Any]:
        """The token usage summed over a batch, and the model that answered."""
        usage: Counter[str] = Counter()
        model_name = self.model
        for generations in result.generations:
            info = generations[0].generation_info or {}
            counts = info.get("token_usage", {})
            usage.update({k: v for k, v in counts.items() if isinstance(v, int)})
            model_name = info.get("model_name", model_name)
        return {"token_usage": dict(usage), "model_name": model_name}
{%- if cookiecutter.streaming %}

    def _stream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[GenerationChunk]:
        """Stream the completion as the server sends it, cut at ``stop``."""
        for text, info in self._stream_pieces(prompt, stop, **kwargs):
            yield new_chunk(text, run_manager, info or None)

    async def _astream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[GenerationChunk]:
        """Stream the completion natively in the event loop, cut at ``stop``."""
        async for text, info in self._astream_pieces(prompt, stop, **kwargs):
            yield await anew_chunk(text, run_manager, info or None)
{%- endif %}


@contextmanager
def _one_window(
    config: RunnableConfig | list[RunnableConfig] | None, count: int
) -> Iterator[list[RunnableConfig]]:
    """Give the configs of a batch without their ``max_concurrency``.

    That limit holds for the batch's prompts instead, as one rolling window, until
    the ``with`` block ends.
    """
    configs = get_config_list(config, count)  # fresh copies
    limit = configs[0].get("max_concurrency") if configs else None
    for one in configs:
        one["max_concurrency"] = None
    token = _CALL_CONCURRENCY.set(limit)
    try:
        yield configs
    finally:
        _CALL_CONCURRENCY.reset(token)


def _text(choice: Any) -> str:
    """The text of one choice, which must be a string."""
    text = choice["text"]
    if not isinstance(text, str):
        msg = f"choices[0].text is {type(text).__name__}, not a string"
        raise TypeError(msg)
    return text


def _present(info: dict[str, Any]) -> dict[str, Any]:
    """``info`` without the entries the server left out (None)."""
    return {key: value for key, value in info.items() if value is not None}


def _join(pieces: Iterable[tuple[str, dict[str, Any]]]) -> Generation:
    """One generation from streamed pieces: their text, and the info of the last."""
    text, info = "", {}
    for piece, piece_info in pieces:
        text += piece
        info.update(piece_info)
    return Generation(text=text, generation_info=info or None)
