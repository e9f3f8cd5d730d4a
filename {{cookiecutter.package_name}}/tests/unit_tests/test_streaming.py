"""Checklist: streaming calls on_llm_new_token, before yielding each chunk."""

from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.prompts import ChatPromptTemplate

from {{ cookiecutter.module_name }} import {{ cookiecutter.class_name }}


class TokenRecorder(BaseCallbackHandler):
    """Records every token the model reports."""

    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(self, token: Any, **kwargs: Any) -> None:
        self.tokens.append(token)


def test_streams_in_several_chunks(llm: {{ cookiecutter.class_name }}) -> None:
    assert len(list(llm.stream("hello world"))) > 1


def test_stream_reports_every_chunk_before_yielding_it(
    llm: {{ cookiecutter.class_name }},
) -> None:
    recorder = TokenRecorder()
    received: list[str] = []
    for chunk in llm.stream("hello world", config={"callbacks": [recorder]}):
        received.append(chunk)
        # the handler saw chunk k before the consumer received chunk k
        assert recorder.tokens == received
    assert "".join(received) == "hello world"


async def test_astream_reports_every_chunk_before_yielding_it(
    llm: {{ cookiecutter.class_name }},
) -> None:
    recorder = TokenRecorder()
    received: list[str] = []
    async for chunk in llm.astream("hello world", config={"callbacks": [recorder]}):
        received.append(chunk)
        assert recorder.tokens == received
    assert "".join(received) == "hello world"


def test_tokens_after_a_stop_are_not_reported(
    llm: {{ cookiecutter.class_name }},
) -> None:
    recorder = TokenRecorder()
    chunks = list(
        llm.stream("hello world", stop=["o w"], config={"callbacks": [recorder]})
    )
    assert recorder.tokens == chunks
    assert "".join(recorder.tokens) == "hello w"


async def test_chain_astream_events_v2_emits_every_token(
    llm: {{ cookiecutter.class_name }},
) -> None:
    prompt = ChatPromptTemplate.from_messages([("human", "{input}")])
    chunks = [chunk async for chunk in llm.astream("Human: hello there!")]
    streamed = [
        event["data"]["chunk"].text
        async for event in (prompt | llm).astream_events(
            {"input": "hello there!"}, version="v2"
        )
        if event["event"] == "on_llm_stream"
    ]
    assert streamed == chunks
    assert "".join(chunks) == "Human: hello there!"
