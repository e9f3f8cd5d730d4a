"""One pooled HTTP client per model: sequential calls share one connection."""

import asyncio
import gc
import ssl
from typing import Any

import pytest

from {{ cookiecutter.module_name }} import (
    {{ cookiecutter.class_name }},
)

from .completions_server import CompletionsServer
from .conftest import MakeLLM


def ports(server: CompletionsServer) -> set[int]:
    """The client ports of the requests: one per connection."""
    return {request.client_port for request in server.requests}


def test_sequential_calls_share_one_connection(
    llm: {{ cookiecutter.class_name }},
    server: CompletionsServer,
) -> None:
    for prompt in ["one", "two", "three"]:
        assert llm.invoke(prompt) == prompt
    assert len(server.requests) == 3
    assert len(ports(server)) == 1


def test_streams_read_to_the_end_share_one_connection(
    llm: {{ cookiecutter.class_name }},
    server: CompletionsServer,
) -> None:
    for prompt in ["one two", "three four"]:
        assert llm.invoke(prompt, stop=["absent"]) == prompt
    assert len(ports(server)) == 1


async def test_sequential_async_calls_share_one_connection(
    llm: {{ cookiecutter.class_name }},
    server: CompletionsServer,
) -> None:
    for prompt in ["one", "two", "three"]:
        assert await llm.ainvoke(prompt) == prompt
    assert len(ports(server)) == 1


def test_close_releases_the_connection_and_calls_still_work(
    llm: {{ cookiecutter.class_name }},
    server: CompletionsServer,
) -> None:
    llm.invoke("one")
    llm.close()
    assert llm.invoke("two") == "two"
    assert len(ports(server)) == 2


async def test_aclose_releases_the_connection_and_calls_still_work(
    llm: {{ cookiecutter.class_name }},
    server: CompletionsServer,
) -> None:
    await llm.ainvoke("one")
    await llm.aclose()
    assert await llm.ainvoke("two") == "two"
    assert len(ports(server)) == 2


@pytest.mark.filterwarnings("ignore:unclosed:ResourceWarning")
def test_each_event_loop_gets_its_own_client(
    llm: {{ cookiecutter.class_name }},
) -> None:
    # Connections belong to the event loop that opened them; reusing them from
    # the next loop would fail with "Event loop is closed".
    assert asyncio.run(llm.ainvoke("one")) == "one"

    async def second_loop() -> str:
        try:
            return await llm.ainvoke("two")
        finally:
            await llm.aclose()

    assert asyncio.run(second_loop()) == "two"
    gc.collect()  # the first loop's connection, never closed, warns here


@pytest.mark.filterwarnings("ignore:unclosed:ResourceWarning")
def test_all_clients_share_one_ssl_context(
    make_llm: MakeLLM,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Loading the CA bundle takes about 16 ms: neither the clients of the sync calls
    # and of each new event loop nor other models may load it again.
    loads: list[Any] = []
    load_verify_locations = ssl.SSLContext.load_verify_locations

    def counted(context: ssl.SSLContext, *args: Any, **kwargs: Any) -> None:
        loads.append(args or kwargs)
        load_verify_locations(context, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counted)
    llm, other = make_llm(), make_llm()

    async def last_loop() -> str:
        try:
            return await llm.ainvoke("three")
        finally:
            await llm.aclose()

    assert llm.invoke("one") == "one"
    assert asyncio.run(llm.ainvoke("two")) == "two"
    assert asyncio.run(last_loop()) == "three"
    assert other.invoke("four") == "four"
    assert len(loads) <= 1  # none if an earlier test made it
    gc.collect()  # the first loop's connection, never closed, warns here
