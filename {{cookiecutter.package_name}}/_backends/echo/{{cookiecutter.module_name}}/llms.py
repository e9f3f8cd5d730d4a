"""{{ cookiecutter.__provider_name_py }} text-completion models."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import LangSmithParams, LanguageModelInput
from langchain_core.outputs import Generation, LLMResult
from langchain_core.runnables import RunnableConfig
from pydantic import ConfigDict, Field

from {{ cookiecutter.module_name }} import _batching
from {{ cookiecutter.module_name }}._credentials import (
    Credentials,
)
from {{ cookiecutter.module_name }}._stop import (
    StopScanner,
)
from {{ cookiecutter.module_name }}._streaming import (
    TokenStreaming,
)


class {{ cookiecutter.class_name }}(
    Credentials,
    TokenStreaming,
):
    """{{ cookiecutter.__provider_name_py }} text-completion model.

    This class echoes the first ``n`` characters of the prompt: an offline,
    deterministic model with every part of LangChain's ``LLM`` interface in place.
    Replace ``_complete`` with a call to the
    {{ cookiecutter.__provider_name_py }} API, documented at
    {{ cookiecutter.api_docs_url }}.

    Example:
        .. code-block:: python

            from {{ cookiecutter.module_name }} import (
                {{ cookiecutter.class_name }},
            )

            llm = {{ cookiecutter.class_name }}(n=5)
            assert llm.invoke("hello world") == "hello"
            assert llm.invoke("hello world", stop=["l"]) == "hel"
    """

    model_config = ConfigDict(populate_by_name=True)

    n: int = Field(ge=0)
    """How many characters of the prompt to echo back."""

    model: str = Field(
        default="{{ cookiecutter.default_model }}",
        alias="model_name",
    )
    """Name of the model, reported to callbacks and tracing."""

    include_stop: bool = True
    """Keep the matched stop sequence at the end of the output (False cuts it off)."""

    max_concurrency: int = Field(default=8, ge=1)
    """How many prompts of one ``batch``/``abatch`` call run at the same time."""

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
        return {"model": self.model, "n": self.n}

    def _get_ls_params(
        self, stop: list[str] | None = None, **kwargs: Any
    ) -> LangSmithParams:
        """Standard parameters for LangSmith tracing."""
        params = super()._get_ls_params(stop=stop, **kwargs)
        params["ls_provider"] = self._llm_type
        return params

    def _complete(self, prompt: str) -> str:
        """The whole raw completion of ``prompt``, before stop sequences."""
        return prompt[: self.n]

    # LangChain's interface: invoke() runs _call and ainvoke() _acall; stream() and
    # astream() run TokenStreaming's _stream and _astream over the pieces below.

    def _call(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> str:
        """Complete ``prompt``, cut at the first of ``stop``."""
        return "".join(self._stream_pieces(prompt, stop))

    async def _acall(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> str:
        """Complete ``prompt`` natively in the event loop, cut at ``stop``."""
        return "".join([piece async for piece in self._astream_pieces(prompt, stop)])

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

        limit = max_concurrency or self.max_concurrency
        texts = _batching.map_concurrently(call, prompts, limit)
        return LLMResult(generations=[[Generation(text=text)] for text in texts])

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

        limit = max_concurrency or self.max_concurrency
        texts = await _batching.amap_concurrently(call, prompts, limit)
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
        call. With ``return_exceptions=True`` a failed prompt's place holds its own
        error (``LLM.batch`` would put the first error of any in every place).
        """
        return _batching.batch(
            self,
            inputs,
            config,
            limit=self.max_concurrency,
            return_exceptions=return_exceptions,
            **kwargs,
        )

    async def abatch(
        self,
        inputs: list[LanguageModelInput],
        config: RunnableConfig | list[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> list[str]:
        """Async twin of ``batch``; a failure cancels the prompts still running."""
        return await _batching.abatch(
            self,
            inputs,
            config,
            limit=self.max_concurrency,
            return_exceptions=return_exceptions,
            **kwargs,
        )

    def _stream_pieces(
        self, prompt: str, stop: list[str] | None, **kwargs: Any
    ) -> Iterator[str]:
        """The completion one character at a time, cut at the first of ``stop``."""
        scanner = StopScanner(stop, include_stop=self.include_stop)
        for character in self._complete(prompt):
            if text := scanner.feed(character):
                yield text
            if scanner.stopped:
                return
        if text := scanner.flush():
            yield text

    async def _astream_pieces(
        self, prompt: str, stop: list[str] | None, **kwargs: Any
    ) -> AsyncIterator[str]:
        """Async twin of ``_stream_pieces``: the echo has nothing to wait for."""
        for piece in self._stream_pieces(prompt, stop):
            yield piece
