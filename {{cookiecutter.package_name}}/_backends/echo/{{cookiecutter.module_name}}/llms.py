"""{{ cookiecutter.__provider_name_py }} text-completion models."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import LangSmithParams
from pydantic import ConfigDict, Field

from {{ cookiecutter.module_name }}._batching import (
    ConcurrentPrompts,
)
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
    ConcurrentPrompts,
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
