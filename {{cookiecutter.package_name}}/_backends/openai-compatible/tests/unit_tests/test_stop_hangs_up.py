"""At a stop sequence the client hangs up: the server generates no more tokens."""

from collections.abc import Callable

from {{ cookiecutter.module_name }} import (
    {{ cookiecutter.class_name }},
)

from .completions_server import CompletionsServer, Reply, tokenize

MakeLLM = Callable[..., {{ cookiecutter.class_name }}]
PROMPT = " ".join(f"word{n}" for n in range(40))  # 40 tokens


def assert_hung_up_early(server: CompletionsServer) -> None:
    """The client closed the stream long before the server sent every token."""
    server.wait_idle()
    [request] = server.requests
    assert request.disconnected
    assert request.tokens_sent < len(tokenize(PROMPT)) // 2


def test_invoke_hangs_up_at_the_stop(
    make_llm: MakeLLM,
    server: CompletionsServer,
) -> None:
    server.default = Reply(token_delay=0.005)
    assert make_llm().invoke(PROMPT, stop=["word3 "]) == "word0 word1 word2 word3 "
    assert_hung_up_early(server)


async def test_ainvoke_hangs_up_at_the_stop(
    make_llm: MakeLLM,
    server: CompletionsServer,
) -> None:
    server.default = Reply(token_delay=0.005)
    text = await make_llm().ainvoke(PROMPT, stop=["word3 "])
    assert text == "word0 word1 word2 word3 "
    assert_hung_up_early(server)


def test_without_a_stop_the_answer_is_one_json_body(
    llm: {{ cookiecutter.class_name }},
    server: CompletionsServer,
) -> None:
    assert llm.invoke(PROMPT) == PROMPT
    assert "stream" not in server.requests[0].payload
