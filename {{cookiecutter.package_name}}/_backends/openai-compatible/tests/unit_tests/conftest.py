"""The test model: this package's class, talking to a completions server on 127.0.0.1.

The server's model echoes, so the test model completes every prompt with the
prompt itself (see completions_server.py).
"""

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from {{ cookiecutter.module_name }} import {{ cookiecutter.class_name }}

from .completions_server import CompletionsServer

FAST_RETRIES = 0.01  # retry_backoff of the test models: fault tests stay quick
{%- if cookiecutter.use_api_key %}


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fake key in the environment; tests about keys override it."""
    monkeypatch.setenv("{{ cookiecutter.api_key_env_var }}", "sk-test-key")
{%- endif %}


@pytest.fixture
def server() -> Iterator[CompletionsServer]:
    """A completions server on a free port of 127.0.0.1."""
    with CompletionsServer() as running:
        yield running


@pytest.fixture
async def make_llm(
    server: CompletionsServer,
) -> AsyncIterator[Callable[..., {{ cookiecutter.class_name }}]]:
    """Build test models; keyword arguments override their fields.

    The models are closed afterwards, in the event loop of the test.
    """
    made: list[{{ cookiecutter.class_name }}] = []

    def make(**fields: Any) -> {{ cookiecutter.class_name }}:
        defaults = {"base_url": server.url, "retry_backoff": FAST_RETRIES}
        made.append({{ cookiecutter.class_name }}(**{**defaults, **fields}))
        return made[-1]

    yield make
    for llm in made:
        await llm.aclose()


@pytest.fixture
def llm(
    make_llm: Callable[..., {{ cookiecutter.class_name }}],
) -> {{ cookiecutter.class_name }}:
    """The test model with default settings."""
    return make_llm()


@pytest.fixture
def example_env(
    server: CompletionsServer, monkeypatch: pytest.MonkeyPatch
) -> Callable[[], None]:
    """Point the class docstring's example at the test server."""

    def prepare() -> None:
        monkeypatch.setenv("{{ cookiecutter.__env_prefix }}_BASE_URL", server.url)

    return prepare
