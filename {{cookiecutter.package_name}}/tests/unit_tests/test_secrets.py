"""Checklist: the API key is a SecretStr and never shows on any surface."""

import logging
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.load import dumpd, dumps
from pydantic import SecretStr, ValidationError

from {{ cookiecutter.module_name }} import {{ cookiecutter.class_name }}

SECRET = "sk-do-not-leak-4f8a2c"
ENV_VAR = "{{ cookiecutter.api_key_env_var }}"

MakeLLM = Callable[..., {{ cookiecutter.class_name }}]


class InvocationParamsRecorder(BaseCallbackHandler):
    """Records what callbacks are told about each run."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def on_llm_start(self, serialized: Any, prompts: Any, **kwargs: Any) -> None:
        self.seen.append(repr(serialized) + repr(kwargs))

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        self.seen.append(repr(response) + repr(kwargs))


def test_api_key_is_secret_str(make_llm: MakeLLM) -> None:
    llm = make_llm(api_key=SECRET)
    assert isinstance(llm.api_key, SecretStr)
    assert llm.api_key.get_secret_value() == SECRET


def test_api_key_is_read_from_env(
    make_llm: MakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, SECRET)
    llm = make_llm()
    assert isinstance(llm.api_key, SecretStr)
    assert llm.api_key.get_secret_value() == SECRET


def test_missing_api_key_names_the_env_var(
    make_llm: MakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    with pytest.raises(ValueError, match=ENV_VAR):
        make_llm()


def test_key_is_listed_in_lc_secrets(make_llm: MakeLLM) -> None:
    assert make_llm(api_key=SECRET).lc_secrets == {"api_key": ENV_VAR}


@pytest.mark.parametrize(
    "surface",
    [
        repr,
        str,
        lambda llm: llm.model_dump(),
        lambda llm: llm.model_dump_json(),
        dumps,
        dumpd,
        lambda llm: llm._identifying_params,
        lambda llm: llm._get_ls_params(),
        lambda llm: llm.asdict(),
    ],
    ids=[
        "repr",
        "str",
        "model_dump",
        "model_dump_json",
        "dumps",
        "dumpd",
        "identifying_params",
        "ls_params",
        "asdict",
    ],
)
def test_key_absent_from_surface(
    make_llm: MakeLLM, surface: Callable[[{{ cookiecutter.class_name }}], object]
) -> None:
    assert SECRET not in str(surface(make_llm(api_key=SECRET)))


def test_key_absent_from_callbacks_and_logs(
    make_llm: MakeLLM, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = InvocationParamsRecorder()
    llm = make_llm(api_key=SECRET)
    with caplog.at_level(logging.DEBUG):
        llm.invoke("hello", config={"callbacks": [recorder]})
        llm.batch(["a", "b"], config={"callbacks": [recorder]})
        list(llm.stream("hello", config={"callbacks": [recorder]}))
    assert recorder.seen
    assert not [seen for seen in recorder.seen if SECRET in seen]
    assert SECRET not in caplog.text


def test_key_absent_from_validation_errors(make_llm: MakeLLM) -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_llm(api_key=SECRET, max_concurrency=0)
    assert SECRET not in str(excinfo.value)
    assert SECRET not in repr(excinfo.value)
