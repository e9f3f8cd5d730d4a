"""The test model: this package's class, talking to a completions server on 127.0.0.1.

The server's model echoes, so the test model completes every prompt with the
prompt itself (see completions_server.py).
"""

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import pytest

from {{ cookiecutter.module_name }} import (
    {{ cookiecutter.class_name }},
)
from {{ cookiecutter.module_name }}._connection import (
    Connection,
)
{%- if cookiecutter.chat_model %}
from {{ cookiecutter.module_name }}.chat_models import (
    {{ cookiecutter.chat_class_name }},
)
{%- endif %}
{%- if cookiecutter.embeddings %}
from {{ cookiecutter.module_name }}.embeddings import (
    {{ cookiecutter.embeddings_class_name }},
)
{%- endif %}

{% if cookiecutter.chat_model -%}
from .chat_server import ChatServer
{% endif -%}
from .completions_server import CompletionsServer
{%- if cookiecutter.embeddings %}
from .embeddings_server import EmbeddingsServer
{%- endif %}

MakeLLM = Callable[..., {{ cookiecutter.class_name }}]
FAST_RETRIES = 0.01  # retry_backoff of the test models: fault tests stay quick
M = TypeVar("M", bound=Connection)
{%- if cookiecutter.use_api_key %}


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fake key in the environment; tests about keys override it."""
    monkeypatch.setenv(
        "{{ cookiecutter.api_key_env_var }}",
        "sk-test-key",
    )
{%- endif %}


@pytest.fixture
def server() -> Iterator[CompletionsServer]:
    """A completions server on a free port of 127.0.0.1."""
    with CompletionsServer() as running:
        yield running


@asynccontextmanager
async def closing_models(
    model_class: type[M], base_url: str
) -> AsyncIterator[Callable[..., M]]:
    """Build models of ``model_class`` on ``base_url``, closed after the test.

    Keyword arguments override their fields. The models are closed in the event loop
    of the test.
    """
    made: list[M] = []

    def make(**fields: Any) -> M:
        defaults = {"base_url": base_url, "retry_backoff": FAST_RETRIES}
        model = model_class(**{**defaults, **fields})
        made.append(model)
        return model

    yield make
    for model in made:
        await model.aclose()


@pytest.fixture
async def make_llm(
    server: CompletionsServer,
) -> AsyncIterator[MakeLLM]:
    """Build test models on the completions server (see ``closing_models``)."""
    async with closing_models(
        {{ cookiecutter.class_name }},
        server.url,
    ) as make:
        yield make


@pytest.fixture
def llm(
    make_llm: MakeLLM,
) -> {{ cookiecutter.class_name }}:
    """The test model with default settings."""
    return make_llm()


@pytest.fixture
def example_env(
    server: CompletionsServer, monkeypatch: pytest.MonkeyPatch
) -> Callable[[], None]:
    """Point the class docstring's example at the test server."""

    def prepare() -> None:
        monkeypatch.setenv(
            "{{ cookiecutter.__env_prefix }}_BASE_URL",
            server.url,
        )

    return prepare
{%- if cookiecutter.chat_model %}


Chat = {{ cookiecutter.chat_class_name }}
MakeChat = Callable[..., Chat]


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    """A chat completions server on a free port of 127.0.0.1."""
    with ChatServer() as running:
        yield running


@pytest.fixture
async def make_chat(
    chat_server: ChatServer,
) -> AsyncIterator[MakeChat]:
    """Build test chat models on the chat server (see ``closing_models``)."""
    async with closing_models(Chat, chat_server.url) as make:
        yield make


@pytest.fixture
def chat(
    make_chat: MakeChat,
) -> Chat:
    """The test chat model with default settings."""
    return make_chat()


@pytest.fixture
def chat_example_env(
    chat_server: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> Callable[[], None]:
    """Point the chat class docstring's example at the test chat server."""

    def prepare() -> None:
        monkeypatch.setenv(
            "{{ cookiecutter.__env_prefix }}_BASE_URL",
            chat_server.url,
        )

    return prepare
{%- endif %}

{%- if cookiecutter.embeddings %}


Emb = {{ cookiecutter.embeddings_class_name }}
MakeEmbeddings = Callable[..., Emb]


@pytest.fixture
def embeddings_server() -> Iterator[EmbeddingsServer]:
    """An embeddings server on a free port of 127.0.0.1."""
    with EmbeddingsServer() as running:
        yield running


@pytest.fixture
async def make_embeddings(
    embeddings_server: EmbeddingsServer,
) -> AsyncIterator[MakeEmbeddings]:
    """Build test embeddings models on the server (see ``closing_models``)."""
    async with closing_models(Emb, embeddings_server.url) as make:
        yield make


@pytest.fixture
def embeddings_example_env(
    embeddings_server: EmbeddingsServer, monkeypatch: pytest.MonkeyPatch
) -> Callable[[], None]:
    """Point the embeddings class docstring's example at the test server."""

    def prepare() -> None:
        monkeypatch.setenv(
            "{{ cookiecutter.__env_prefix }}_BASE_URL",
            embeddings_server.url,
        )

    return prepare
{%- endif %}
