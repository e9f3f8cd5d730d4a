"""The seed notebook's cells, and the checklist item "tests for overridden methods".

The test model completes every prompt with the prompt itself (see conftest.py).
"""

from langchain_core.prompts import ChatPromptTemplate

from {{ cookiecutter.module_name }} import (
    {{ cookiecutter.class_name }},
)

CHAT_PROMPT = ChatPromptTemplate.from_messages(
    [("system", "you are a bot"), ("human", "{input}")]
)
RENDERED_CHAT_PROMPT = "System: you are a bot\nHuman: hello there!"
PROMPTS = ["woof woof woof", "meow meow meow", "tweet", "moo", "oink"]
PROVIDER_ID = "{{ cookiecutter.provider_id }}"


def test_invoke(
    llm: {{ cookiecutter.class_name }},
) -> None:
    assert llm.invoke("This is a foobar thing") == "This is a foobar thing"


async def test_ainvoke(
    llm: {{ cookiecutter.class_name }},
) -> None:
    assert await llm.ainvoke("world") == "world"


def test_batch(
    llm: {{ cookiecutter.class_name }},
) -> None:
    assert llm.batch([*PROMPTS]) == PROMPTS


async def test_abatch(
    llm: {{ cookiecutter.class_name }},
) -> None:
    assert await llm.abatch([*PROMPTS]) == PROMPTS


def test_batch_with_max_concurrency(
    llm: {{ cookiecutter.class_name }},
) -> None:
    assert llm.batch([*PROMPTS], config={"max_concurrency": 2}) == PROMPTS


async def test_batch_of_no_prompts_is_empty(
    llm: {{ cookiecutter.class_name }},
) -> None:
    assert llm.batch([]) == []
    assert await llm.abatch([]) == []
    assert llm.batch([], return_exceptions=True) == []


def test_stream(
    llm: {{ cookiecutter.class_name }},
) -> None:
    assert "".join(llm.stream("hello world")) == "hello world"


async def test_astream(
    llm: {{ cookiecutter.class_name }},
) -> None:
    chunks = [chunk async for chunk in llm.astream("hello world")]
    assert "".join(chunks) == "hello world"


def test_generate_reports_one_generation_per_prompt(
    llm: {{ cookiecutter.class_name }},
) -> None:
    result = llm.generate(["a", "bb"])
    assert [[g.text for g in gens] for gens in result.generations] == [["a"], ["bb"]]


def test_print_shows_class_and_identifying_params(
    llm: {{ cookiecutter.class_name }},
) -> None:
    printed = str(llm)
    first_line = printed.splitlines()[0]
    assert "{{ cookiecutter.class_name }}" in first_line
    assert f"Params: {llm._identifying_params}" in printed
    assert llm._identifying_params["model"] == llm.model


def test_llm_type(
    llm: {{ cookiecutter.class_name }},
) -> None:
    assert llm._llm_type == PROVIDER_ID


def test_tracing_params_name_provider_and_model(
    llm: {{ cookiecutter.class_name }},
) -> None:
    params = llm._get_ls_params(stop=["x"])
    assert params["ls_provider"] == PROVIDER_ID
    assert params["ls_model_name"] == llm.model
    assert params["ls_model_type"] == "llm"
    assert params["ls_stop"] == ["x"]


def test_prompt_pipe_llm_invokes(
    llm: {{ cookiecutter.class_name }},
) -> None:
    chain = CHAT_PROMPT | llm
    assert chain.invoke({"input": "hello there!"}) == RENDERED_CHAT_PROMPT


async def test_chain_astream_events_v2_reports_the_model_run(
    llm: {{ cookiecutter.class_name }},
) -> None:
    chain = CHAT_PROMPT | llm
    events = [
        event
        async for event in chain.astream_events({"input": "hello there!"}, version="v2")
    ]
    kinds = [event["event"] for event in events]
    assert kinds.index("on_llm_start") < kinds.index("on_llm_end")
    assert events[-1]["event"] == "on_chain_end"
    assert events[-1]["data"]["output"] == RENDERED_CHAT_PROMPT
