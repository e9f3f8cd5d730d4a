"""The echo test model: completes every prompt with the prompt itself."""

from collections.abc import Callable
from typing import Any

import pytest

from {{ cookiecutter.module_name }} import (
    {{ cookiecutter.class_name }},
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

MakeLLM = Callable[..., {{ cookiecutter.class_name }}]
WHOLE_PROMPT = 10_000  # echo this many characters: every test prompt whole
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
def make_llm() -> MakeLLM:
    """Build a test model; keyword arguments override its fields."""

    def make(
        **fields: Any,
    ) -> {{ cookiecutter.class_name }}:
        return {{ cookiecutter.class_name }}(
            **{"n": WHOLE_PROMPT, **fields},
        )

    return make


@pytest.fixture
def llm(
    make_llm: MakeLLM,
) -> {{ cookiecutter.class_name }}:
    """The test model with default settings."""
    return make_llm()


@pytest.fixture
def example_env() -> Callable[[], None]:
    """Prepare the environment for the class docstring's example."""
    return lambda: None
{%- if cookiecutter.chat_model %}


Chat = {{ cookiecutter.chat_class_name }}
MakeChat = Callable[..., Chat]


@pytest.fixture
def make_chat() -> MakeChat:
    """Build a test chat model; keyword arguments override its fields."""

    def make(**fields: Any) -> Chat:
        return Chat(**{"n": WHOLE_PROMPT, **fields})

    return make


@pytest.fixture
def chat(
    make_chat: MakeChat,
) -> Chat:
    """The test chat model with default settings."""
    return make_chat()


@pytest.fixture
def chat_example_env() -> Callable[[], None]:
    """Prepare the environment for the chat class docstring's example."""
    return lambda: None
{%- endif %}

{%- if cookiecutter.embeddings %}


Emb = {{ cookiecutter.embeddings_class_name }}
MakeEmbeddings = Callable[..., Emb]


@pytest.fixture
def make_embeddings() -> MakeEmbeddings:
    """Build a test embeddings model; keyword arguments override its fields."""
    return Emb


@pytest.fixture
def embeddings_example_env() -> Callable[[], None]:
    """Prepare the environment for the embeddings class docstring's example."""
    return lambda: None
{%- endif %}
