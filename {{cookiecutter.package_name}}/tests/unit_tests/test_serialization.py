"""A model survives dumpd/load; its API key (if any) comes back from a secrets map."""

from collections.abc import Callable

import pytest
from langchain_core.load import dumpd, load

from {{ cookiecutter.module_name }} import (
    {{ cookiecutter.class_name }},
)

MakeLLM = Callable[..., {{ cookiecutter.class_name }}]
SECRET_ENV = (
    "{{ cookiecutter.api_key_env_var }}",
    "sk-from-the-secrets-map",
)


@pytest.mark.filterwarnings("ignore:The function `load` is in beta")
def test_dumpd_load_round_trip(
    make_llm: MakeLLM,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(*SECRET_ENV)  # harmless when the model takes no key
    llm = make_llm(include_stop=False, max_concurrency=3)
    loaded = load(
        dumpd(llm),
        secrets_map=dict([SECRET_ENV]),
        valid_namespaces=[
            "{{ cookiecutter.module_name }}",
        ],
        allowed_objects=[{{ cookiecutter.class_name }}],
    )
    assert isinstance(
        loaded,
        {{ cookiecutter.class_name }},
    )
    assert loaded.model_dump() == llm.model_dump()
    assert loaded.invoke("hello world", stop=["o w"]) == "hell"
