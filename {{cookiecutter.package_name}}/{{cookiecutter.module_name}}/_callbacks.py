"""Streamed chunks, reported to callbacks before the caller receives them.

LangChain's ``stream`` does not call ``on_llm_new_token`` itself; without this,
``astream_events`` of a chain shows no ``on_llm_stream`` events for the model.
"""

from __future__ import annotations

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.outputs import GenerationChunk


def new_chunk(
    text: str,
    run_manager: CallbackManagerForLLMRun | None,
    generation_info: dict[str, object] | None = None,
) -> GenerationChunk:
    """Make a chunk and report its token to callbacks before it is yielded."""
    chunk = GenerationChunk(text=text, generation_info=generation_info)
    if run_manager:
        run_manager.on_llm_new_token(text, chunk=chunk)
    return chunk


async def anew_chunk(
    text: str,
    run_manager: AsyncCallbackManagerForLLMRun | None,
    generation_info: dict[str, object] | None = None,
) -> GenerationChunk:
    """Async twin of ``new_chunk``."""
    chunk = GenerationChunk(text=text, generation_info=generation_info)
    if run_manager:
        await run_manager.on_llm_new_token(text, chunk=chunk)
    return chunk
