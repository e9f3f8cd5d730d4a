"""Run the model against a real server; skipped unless one is configured.

Environment variables:
{%- if cookiecutter.use_api_key %}

{{ cookiecutter.api_key_env_var }}
    The API key (required).
{{ cookiecutter.__env_prefix }}_BASE_URL
    The server's URL, if not the hosted API: the part before /completions, e.g.
    http://localhost:11434/v1 for Ollama.
{%- else %}

{{ cookiecutter.__env_prefix }}_BASE_URL
    The server's URL (required): the part before /completions, e.g.
    http://localhost:11434/v1 for Ollama.
{%- endif %}
{{ cookiecutter.__env_prefix }}_MODEL
    A model other than the default.
"""

import os
from collections.abc import AsyncIterator

import pytest
from langchain_core.language_models.llms import LLM
from langchain_core.prompts import PromptTemplate

from {{ cookiecutter.module_name }} import (
    {{ cookiecutter.class_name }},
)
{%- if cookiecutter.use_api_key %}

REQUIRED = "{{ cookiecutter.api_key_env_var }}"
{%- else %}

REQUIRED = "{{ cookiecutter.__env_prefix }}_BASE_URL"
{%- endif %}
MODEL = os.environ.get(
    "{{ cookiecutter.__env_prefix }}_MODEL",
    "{{ cookiecutter.default_model }}",
)

pytestmark = pytest.mark.skipif(
    not os.environ.get(REQUIRED),
    reason=f"set {REQUIRED} to run the integration tests against a real server",
)


@pytest.fixture
async def llm() -> AsyncIterator[LLM]:
    model = {{ cookiecutter.class_name }}(
        model=MODEL,
        max_tokens=32,
        temperature=0,
    )
    yield model
    await model.aclose()


def test_invoke(
    llm: {{ cookiecutter.class_name }},
) -> None:
    text = llm.invoke("The capital of France is")
    assert isinstance(text, str)
    assert text


async def test_ainvoke(
    llm: {{ cookiecutter.class_name }},
) -> None:
    assert await llm.ainvoke("The capital of France is")


def test_batch(
    llm: {{ cookiecutter.class_name }},
) -> None:
    assert all(llm.batch(["Say hello.", "Say goodbye."]))


async def test_abatch(
    llm: {{ cookiecutter.class_name }},
) -> None:
    assert all(await llm.abatch(["Say hello.", "Say goodbye."]))


def test_stream(
    llm: {{ cookiecutter.class_name }},
) -> None:
    chunks = list(llm.stream("Count from one to ten:"))
    assert "".join(chunks)
{%- if cookiecutter.streaming %}
    assert len(chunks) > 1
{%- endif %}


async def test_astream_with_stop(
    llm: {{ cookiecutter.class_name }},
) -> None:
    prompt = "Count from 1 to 10, separated by commas: 1,"
    text = "".join([chunk async for chunk in llm.astream(prompt, stop=[","])])
    assert "," not in text[:-1]


def test_invoke_with_stop(
    llm: {{ cookiecutter.class_name }},
) -> None:
    prompt = "Count from 1 to 10, separated by commas: 1,"
    text = llm.invoke(prompt, stop=[","])
    assert "," not in text[:-1]


def test_usage_is_reported(
    llm: {{ cookiecutter.class_name }},
) -> None:
    result = llm.generate(["Say hello."])
    assert result.llm_output
    assert result.llm_output["token_usage"].get("total_tokens", 0) > 0


def test_in_a_chain(
    llm: {{ cookiecutter.class_name }},
) -> None:
    chain = PromptTemplate.from_template("Q: {question}\nA:") | llm
    assert chain.invoke({"question": "What is the capital of France?"})
