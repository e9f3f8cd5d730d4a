"""Every bad answer is refused before anything is written, with a one-line reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException

from conftest import TEMPLATE, cookiecutter_cli, render

BAD_ANSWERS = [
    ("provider_name", "   ", "must not be empty"),
    ("provider_name", "Parrot\nLink", "one line of text"),
    (
        "package_name",
        "Langchain Parrot",
        "lowercase letters, digits and single hyphens",
    ),
    ("package_name", "langchain--parrot", "single hyphens"),
    ("package_name", "langchain-parrot-", "single hyphens"),
    ("module_name", "langchain-parrot", "lowercase letters, digits and underscores"),
    ("module_name", "1parrot", "starting with a letter"),
    ("module_name", "lambda", "Python keyword"),
    ("module_name", "match", "Python keyword"),
    ("module_name", "json", "standard-library module"),
    ("module_name", "langchain_core", "package this one imports"),
    ("module_name", "p" * 31, "30 characters"),
    ("class_name", "parrotLLM", "CapWords Python identifier"),
    ("class_name", "Parrot-LLM", "CapWords Python identifier"),
    ("class_name", "LLM", "hide a name the module imports"),
    ("class_name", "ServerError", "hide a name the module imports"),
    ("class_name", "P" * 31, "30 characters"),
    ("description", "", "must not be empty"),
    ("api_key_env_var", "parrot_key", "uppercase letters, digits and underscores"),
    ("api_key_env_var", "PARROT-KEY", "uppercase letters, digits and underscores"),
    ("api_key_env_var", "K" * 31, "30 characters"),
    ("default_model", "m" * 61, "60 characters"),
    ("package_name", "p" * 61, "60 characters"),
    ("api_base_url", "api.parrot.example/v1", "http:// or https:// URL"),
    ("api_base_url", "ftp://api.parrot.example", "http:// or https:// URL"),
    ("api_base_url", "https://api.parrot.example/v1?x=1", "without query"),
    (
        "api_docs_url",
        "https://docs.parrot.example/a b",
        "without query, fragment, spaces",
    ),
    ("default_model", "my model", "letters, digits and"),
    ("default_model", 'm"odel', "letters, digits and"),
    ("author_email", "not-an-email", "name@example.com"),
    ("author_email", 'a"b@example.com', "name@example.com"),
    ("author_name", "Ann\tLee", "one line of text"),
    ("version", "one", "PEP 440 version"),
    ("version", "1.0-beta", "PEP 440 version"),
]


@pytest.mark.parametrize(
    ("variable", "value", "rule"),
    BAD_ANSWERS,
    ids=[f"{v}-{r[:20]}" for v, _, r in BAD_ANSWERS],
)
def test_bad_answer_is_refused_and_nothing_is_written(
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    rule: str,
) -> None:
    with pytest.raises(FailedHookException):
        render(tmp_path, **{variable: value})
    stderr = capfd.readouterr().err.splitlines()
    (line,) = [line for line in stderr if line.startswith(f"ERROR: {variable}=")]
    assert line.startswith(f"ERROR: {variable}={value!a}: ")
    assert rule in line
    assert list(tmp_path.iterdir()) == []


def test_every_bad_answer_is_reported_at_once(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(FailedHookException):
        render(tmp_path, package_name="Bad Name", version="v1", author_email="x")
    err = capfd.readouterr().err
    for variable in ("package_name", "version", "author_email"):
        assert f"ERROR: {variable}=" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("backend=grpc", "grpc provided for choice variable backend"),
        ("license=WTFPL", "WTFPL provided for choice variable license"),
        (
            "streaming=maybe",
            "maybe provided for variable streaming could not be converted",
        ),
    ],
)
def test_cookiecutter_refuses_bad_choices_on_the_command_line(
    tmp_path: Path, answer: str, message: str
) -> None:
    result = cookiecutter_cli("--no-input", "-o", str(tmp_path), ".", answer, cwd=TEMPLATE)
    assert result.returncode == 1
    assert message in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_command_line_refusal_exits_1_and_leaves_nothing(tmp_path: Path) -> None:
    result = cookiecutter_cli(
        "--no-input",
        "-o",
        str(tmp_path),
        ".",
        "module_name=os",
        "run_tests=no",
        cwd=TEMPLATE,
    )
    assert result.returncode == 1
    assert "ERROR: module_name='os': would shadow the standard-library module" in result.stderr
    assert list(tmp_path.iterdir()) == []
