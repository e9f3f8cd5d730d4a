"""Every bad answer is refused before anything is written, with a one-line reason.

cookiecutter.json's last variable checks the answers with the pre-generation hook's rules
while cookiecutter asks them (cookiecutter_langchain_llm_checks.py); the hook checks them
again for runs that do not ask: replayed answers, cruft.
"""

from __future__ import annotations

import json
import re
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.exceptions import EmptyDirNameException

from conftest import TEMPLATE, cookiecutter_cli, render

BLANK_NAMES = [
    "provider_name",
    "package_name",
    "module_name",
    "class_name",
    "chat_class_name",
    "provider_id",
    "api_key_env_var",
    "default_model",
    "description",
    "author_name",
    "author_email",
    "api_base_url",
    "api_docs_url",
    "version",
]
BAD_ANSWERS: list[tuple[str, Any, str]] = [
    *[(name, "", "must not be empty") for name in BLANK_NAMES],
    *[(name, " \t ", "must not be empty") for name in BLANK_NAMES],
    ("provider_name", "Parrot\nLink", "one line of text"),
    ("provider_name", "P" * 51, "keep it to 50"),
    ("package_name", "Langchain Parrot", "lowercase letters, digits and single hyphens"),
    ("package_name", "langchain--parrot", "single hyphens"),
    ("package_name", "langchain-parrot-", "single hyphens"),
    ("package_name", "1-parrot", "starting with a letter"),
    ("package_name", "p" * 61, "keep it to 60"),
    ("package_name", "parrot/link", "lowercase letters, digits and single hyphens"),
    ("package_name", "..", "lowercase letters, digits and single hyphens"),
    ("module_name", "langchain-parrot", "lowercase letters, digits and underscores"),
    ("module_name", "1parrot", "starting with a letter"),
    ("module_name", "lambda", "Python keyword"),
    ("module_name", "match", "Python keyword"),
    ("module_name", "print", "shadow Python's builtin print"),
    ("module_name", "json", "standard-library module"),
    ("module_name", "langchain_core", "package this one imports"),
    ("module_name", "p" * 61, "keep it to 60"),
    ("class_name", "None", "Python keyword"),
    ("class_name", "True", "Python keyword"),
    ("class_name", "False", "Python keyword"),
    ("class_name", "match", "Python keyword"),
    ("class_name", "print", "shadow Python's builtin print"),
    ("class_name", "Exception", "shadow Python's builtin Exception"),
    ("class_name", None, "must be text"),
    ("class_name", True, "must be text"),
    ("class_name", False, "must be text"),
    ("class_name", "parrotLLM", "CapWords Python identifier"),
    ("class_name", "Parrot-LLM", "CapWords Python identifier"),
    ("class_name", "LLM", "hide a name the package imports or defines"),
    ("class_name", "ServerError", "hide a name the package imports or defines"),
    ("class_name", "P" * 61, "keep it to 60"),
    ("chat_class_name", "None", "Python keyword"),
    ("chat_class_name", "match", "Python keyword"),
    ("chat_class_name", "ParrotLinkLLM", "must differ from class_name"),
    ("chat_class_name", "LLM", "hide a name the package imports or defines"),
    ("chat_model", None, "must be true or false"),
    ("embeddings", None, "must be true or false"),
    ("provider_id", "Parrot Link", "lowercase letters, digits and single underscores"),
    ("provider_id", "p" * 61, "keep it to 60"),
    ("api_key_env_var", "parrot_key", "uppercase letters, digits and underscores"),
    ("api_key_env_var", "PARROT-KEY", "uppercase letters, digits and underscores"),
    ("api_key_env_var", "01_AI_API_KEY", "not starting with a digit"),
    ("api_key_env_var", "K" * 61, "keep it to 60"),
    ("default_model", "m" * 61, "keep it to 60"),
    ("api_base_url", "api.parrot.example/v1", "http:// or https:// URL"),
    ("api_base_url", "ftp://api.parrot.example", "http:// or https:// URL"),
    ("api_base_url", "https://api.parrot.example/v1?x=1", "without query"),
    ("api_docs_url", "https://docs.parrot.example/a b", "without query, fragment, spaces"),
    ("default_model", "my model", "letters, digits and"),
    ("default_model", 'm"odel', "letters, digits and"),
    ("author_email", "not-an-email", "name@example.com"),
    ("author_email", 'a"b@example.com', "name@example.com"),
    ("author_name", "Ann\tLee", "one line of text"),
    ("version", "one", "PEP 440 version"),
    ("version", "1.0-beta", "PEP 440 version"),
    ("streaming", None, "must be true or false"),
]


def refusal(tmp_path: Path, **answers: Any) -> list[str]:
    """The lines with which rendering ``answers`` is refused; nothing may be written."""
    with pytest.raises(EmptyDirNameException) as refused:
        render(tmp_path / "out", **answers)
    assert not (tmp_path / "out").exists()
    return str(refused.value).splitlines()


@pytest.mark.parametrize(
    ("variable", "value", "rule"),
    BAD_ANSWERS,
    ids=[f"{v}-{value!r:.12}-{r[:20]}" for v, value, r in BAD_ANSWERS],
)
def test_bad_answer_is_refused_and_nothing_is_written(
    tmp_path: Path, variable: str, value: Any, rule: str
) -> None:
    lines = refusal(tmp_path, **{variable: value})
    (line,) = [line for line in lines if line.startswith(f"ERROR: {variable}=")]
    assert line.startswith(f"ERROR: {variable}={value!a}: ")
    assert rule in line
    assert lines[-1].startswith("Nothing was written.") or "--replay-file" in lines[-1]


# The embeddings class name is checked when embeddings are on (else a long class_name,
# whose derived embeddings class name is longer still, would refuse renders without it).
BAD_EMBEDDINGS_CLASS_NAMES = [
    ("None", "Python keyword"),
    ("parrotEmbeddings", "CapWords Python identifier"),
    ("Embeddings", "hide a name the package imports or defines"),
    ("E" * 61, "keep it to 60"),
    ("ParrotLinkLLM", "must differ from class_name"),
    ("ChatParrotLink", "must differ from chat_class_name"),
]


@pytest.mark.parametrize(("value", "rule"), BAD_EMBEDDINGS_CLASS_NAMES)
def test_bad_embeddings_class_name_is_refused(tmp_path: Path, value: str, rule: str) -> None:
    lines = refusal(tmp_path, embeddings=True, embeddings_class_name=value)
    (line,) = [line for line in lines if line.startswith("ERROR: embeddings_class_name=")]
    assert line.startswith(f"ERROR: embeddings_class_name={value!a}: ")
    assert rule in line


def test_embeddings_class_name_is_free_when_embeddings_are_off(tmp_path: Path) -> None:
    long_class = "P" * 55 + "LLM"  # its derived embeddings class would have 65 characters
    project = render(tmp_path, class_name=long_class, embeddings_class_name="None")
    assert not list(project.rglob("embeddings.py"))


def test_every_bad_answer_is_reported_at_once(tmp_path: Path) -> None:
    lines = refusal(tmp_path, module_name="Bad Name", version="v1", author_email="x")
    assert [line.split("=")[0] for line in lines if line.startswith("ERROR:")] == [
        "ERROR: module_name",
        "ERROR: author_email",
        "ERROR: version",
    ]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (  # no letters: the package says so; what follows from the package waits for it
            {"provider_name": "🦜"},
            [
                "ERROR: package_name='langchain-', derived from provider_name='\\U0001f99c':"
                " use lowercase letters, digits and single hyphens, starting with a letter"
                " (e.g. langchain-parrot-link); answer package_name yourself.",
            ],
        ),
        (  # a module answer that follows a package answer
            {"package_name": "json"},
            [
                "ERROR: module_name='json', derived from package_name='json': would shadow"
                " the standard-library module of that name; answer module_name yourself.",
            ],
        ),
        (  # transliteration makes a name longer than the one typed
            {"provider_name": "智谱" * 10},
            [
                "ERROR: package_name='langchain-"
                + "-".join(["zhi-pu"] * 10)
                + "', derived from provider_name='"
                + "\\u667a\\u8c31" * 10
                + "': is 79 characters long; keep it to 60; answer package_name yourself.",
            ],
        ),
    ],
    ids=["no-letters", "derived-module", "long-transliteration"],
)
def test_a_refused_derived_value_names_the_answer_it_came_from(
    tmp_path: Path, answers: dict[str, str], expected: list[str]
) -> None:
    lines = refusal(tmp_path, **answers)
    assert [line for line in lines if line.startswith("ERROR:")] == expected


# --- Through the command line, as users meet it ------------------------------------


def cli(tmp_path: Path, *args: str) -> tuple[int, str]:
    """Run cookiecutter's command line with a home of its own: its replay files."""
    result = cookiecutter_cli(*args, cwd=TEMPLATE, HOME=str(tmp_path / "home"))
    return result.returncode, result.stdout + result.stderr


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
    out = tmp_path / "out"
    status, output = cli(tmp_path, "--no-input", "-o", str(out), ".", answer)
    assert status == 1
    assert message in output
    assert not out.exists()


@pytest.mark.parametrize("answer", ["module_name=os", "package_name=", "package_name=a/b"])
def test_command_line_refusal_is_one_line_and_leaves_nothing(tmp_path: Path, answer: str) -> None:
    out = tmp_path / "new" / "out"  # cookiecutter would create both
    status, output = cli(tmp_path, "--no-input", "-o", str(out), ".", answer, "run_tests=no")
    assert status == 1
    name, value = answer.split("=")
    assert re.search(rf"^ERROR: {name}='{re.escape(value)}': \S", output, re.MULTILINE)
    assert "Traceback" not in output
    assert "directory already exists" not in output
    assert not (tmp_path / "new").exists()


def replay_command(output: str) -> list[str]:
    """The command a refusal prints to replay the saved answers, run with this Python."""
    (line,) = [line for line in output.splitlines() if line.startswith("  cookiecutter ")]
    return [sys.executable, "-m", *shlex.split(line)]


def test_refusal_saves_the_answers_and_says_how_to_replay_them(tmp_path: Path) -> None:
    out = tmp_path / "out"
    status, output = cli(
        tmp_path, "--no-input", "-o", str(out), ".", "class_name=print", "run_tests=no"
    )
    assert status == 1
    saved = tmp_path / "home" / ".cookiecutter_replay" / (TEMPLATE.name + ".json")
    assert f"Your answers are saved in {saved}" in output
    command = replay_command(output)
    assert command[3:] == ["--replay-file", str(saved), "-o", str(out), "."]
    # correct the refused answer in the file, replay: no question asked
    answers = json.loads(saved.read_text(encoding="utf-8"))
    answers["cookiecutter"]["class_name"] = "ParrotPrintLLM"
    saved.write_text(json.dumps(answers), encoding="utf-8")
    status, output = cli(tmp_path, *command[3:])
    assert status == 0, output
    llms = out / "langchain-parrot-link" / "langchain_parrot_link" / "llms.py"
    assert "class ParrotPrintLLM(" in llms.read_text(encoding="utf-8")


def test_replayed_answers_are_checked_by_the_hook(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    status, output = cli(tmp_path, "--no-input", "-o", str(out), ".", "class_name=print")
    saved = tmp_path / "home" / ".cookiecutter_replay" / (TEMPLATE.name + ".json")
    answers = json.loads(saved.read_text(encoding="utf-8"))
    # edited by hand: an answer the hook refuses, and a package the computed values lag
    answers["cookiecutter"]["package_name"] = "langchain-parrot"
    saved.write_text(json.dumps(answers), encoding="utf-8")
    status, output = cli(tmp_path, *replay_command(output)[3:])
    assert status == 1
    assert "ERROR: class_name='print': would shadow Python's builtin print." in output
    assert (
        "ERROR: __provider_slug='parrot-link' no longer follows the answers;"
        " in the replay file, set it to 'parrot'." in output
    )
    assert f"Your answers are saved in {saved}" in output
    assert list(out.iterdir()) == []
