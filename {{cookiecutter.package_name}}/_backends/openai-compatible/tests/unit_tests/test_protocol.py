"""The requests the model sends and how it reads the answers."""

from collections.abc import Callable
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import LLMResult

from {{ cookiecutter.module_name }} import (
    {{ cookiecutter.class_name }},
)

from .completions_server import CompletionsServer, Reply

MakeLLM = Callable[..., {{ cookiecutter.class_name }}]


class ResultRecorder(BaseCallbackHandler):
    """Records the results that callbacks receive at the end of each run."""

    def __init__(self) -> None:
        self.results: list[LLMResult] = []

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        self.results.append(response)


def test_posts_json_to_the_completions_endpoint(
    llm: {{ cookiecutter.class_name }},
    server: CompletionsServer,
) -> None:
    llm.invoke("hello")
    [request] = server.requests
    assert (request.method, request.path) == ("POST", "/v1/completions")
    assert request.headers["Content-Type"] == "application/json"


def test_payload_carries_the_fields(
    make_llm: MakeLLM, server: CompletionsServer
) -> None:
    llm = make_llm(
        model="tiny",
        temperature=0.5,
        max_tokens=7,
        top_p=0.9,
        seed=3,
        model_kwargs={"presence_penalty": 0.1},
    )
    llm.invoke("hello")
    assert server.requests[0].payload == {
        "model": "tiny",
        "prompt": "hello",
        "temperature": 0.5,
        "max_tokens": 7,
        "top_p": 0.9,
        "seed": 3,
        "presence_penalty": 0.1,
    }


def test_unset_fields_are_left_to_the_server(
    llm: {{ cookiecutter.class_name }},
    server: CompletionsServer,
) -> None:
    llm.invoke("hello")
    assert set(server.requests[0].payload) == {"model", "prompt", "max_tokens"}


def test_call_arguments_override_the_fields(
    llm: {{ cookiecutter.class_name }},
    server: CompletionsServer,
) -> None:
    llm.invoke("hello", temperature=0, max_tokens=3)
    payload = server.requests[0].payload
    assert (payload["temperature"], payload["max_tokens"]) == (0, 3)


def test_stop_is_enforced_by_the_client_not_sent(
    llm: {{ cookiecutter.class_name }},
    server: CompletionsServer,
) -> None:
    assert llm.invoke("hello world", stop=["o w"]) == "hello w"
    payload = server.requests[0].payload
    assert "stop" not in payload
    assert payload["stream"] is True
    assert payload["stream_options"] == {"include_usage": True}
{%- if cookiecutter.use_api_key %}


def test_sends_the_key_as_a_bearer_token(
    make_llm: MakeLLM, server: CompletionsServer
) -> None:
    make_llm(api_key="sk-abc").invoke("hello")
    assert server.requests[0].headers["Authorization"] == "Bearer sk-abc"
{%- else %}


def test_sends_no_authorization_header(
    llm: {{ cookiecutter.class_name }},
    server: CompletionsServer,
) -> None:
    llm.invoke("hello")
    assert "Authorization" not in server.requests[0].headers
{%- endif %}


async def test_returns_what_the_server_generated(
    llm: {{ cookiecutter.class_name }},
    server: CompletionsServer,
) -> None:
    server.default = Reply(text="Paris, of course.")
    assert llm.invoke("The capital of France is") == "Paris, of course."
    assert await llm.ainvoke("The capital of France is") == "Paris, of course."
    assert llm.invoke("The capital of France is", stop=[","]) == "Paris,"


def test_generation_info_reports_usage_and_finish_reason(
    llm: {{ cookiecutter.class_name }},
) -> None:
    [[generation]] = llm.generate(["hello big world"]).generations
    assert generation.text == "hello big world"
    assert generation.generation_info == {
        "finish_reason": "stop",
        "token_usage": {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6},
        "model_name": llm.model,
    }


def test_finish_reason_length_when_max_tokens_ends_the_text(
    make_llm: MakeLLM,
) -> None:
    [[generation]] = make_llm(max_tokens=2).generate(["hello big world"]).generations
    assert generation.text == "hello big"
    assert generation.generation_info
    assert generation.generation_info["finish_reason"] == "length"


def test_streamed_usage_is_reported_when_no_stop_matches(
    llm: {{ cookiecutter.class_name }},
) -> None:
    [[generation]] = llm.generate(["hello world"], stop=["absent"]).generations
    assert generation.generation_info == {
        "finish_reason": "stop",
        "token_usage": {"prompt_tokens": 2, "completion_tokens": 2, "total_tokens": 4},
        "model_name": llm.model,
    }


def test_a_matched_stop_is_the_finish_reason(
    llm: {{ cookiecutter.class_name }},
) -> None:
    [[generation]] = llm.generate(["hello big world"], stop=["big"]).generations
    assert generation.text == "hello big"
    assert generation.generation_info
    assert generation.generation_info["finish_reason"] == "stop"


def test_text_held_back_for_a_stop_that_never_comes_is_returned(
    llm: {{ cookiecutter.class_name }},
) -> None:
    # "wor" could start "worm" until the stream ends
    assert llm.invoke("hello wor", stop=["worm"]) == "hello wor"


def test_llm_output_sums_the_usage_of_a_batch(
    llm: {{ cookiecutter.class_name }},
) -> None:
    result = llm.generate(["one two", "three four five"])
    assert result.llm_output == {
        "token_usage": {"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10},
        "model_name": llm.model,
    }


async def test_async_llm_output_sums_the_usage_of_a_batch(
    llm: {{ cookiecutter.class_name }},
) -> None:
    result = await llm.agenerate(["one two", "three four five"])
    assert result.llm_output
    assert result.llm_output["token_usage"]["total_tokens"] == 10
    [[first], [second]] = result.generations
    assert (first.text, second.text) == ("one two", "three four five")


def test_model_name_is_the_one_the_server_reports(
    make_llm: MakeLLM, server: CompletionsServer
) -> None:
    server.reply(Reply(body=b'{"model": "tiny-v2", "choices": [{"text": "hi"}]}'))
    result = make_llm(model="tiny").generate(["hello"])
    assert result.llm_output
    assert result.llm_output["model_name"] == "tiny-v2"


def test_callbacks_receive_usage_at_the_end_of_a_run(
    llm: {{ cookiecutter.class_name }},
) -> None:
    recorder = ResultRecorder()
    llm.invoke("hello world", config={"callbacks": [recorder]})
    [result] = recorder.results
    assert result.generations[0][0].generation_info
    assert result.generations[0][0].generation_info["token_usage"]["total_tokens"] == 4
