"""Every combination of options renders a clean package whose own checks pass.

Each render gets its own environment (uv, warm cache) and runs the package's own
checks, as its author would: ruff check, ruff format, mypy --strict, check_imports
and the unit tests; with every option on, and every option off, those tests cover at
least 95% of the package's code.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from conftest import TEMPLATE, render, run

OPTIONS: dict[str, list[Any]] = {
    "backend": ["openai-compatible", "echo"],
    "streaming": [True, False],
    "use_api_key": [True, False],
    "chat_model": [True, False],
    "embeddings": [True, False],
}
COMBINATIONS = [
    dict(zip(OPTIONS, values, strict=False)) for values in itertools.product(*OPTIONS.values())
]
# Valid but unusual answers: long names, and free text that needs escaping everywhere.
QUIRKY_TEXT = 'Ça "va" {x} \\ l\'œ <b>*y*</b>'
NAME_VARIANTS: dict[str, dict[str, Any]] = {
    "long-names": {  # at the length limits of the pre-generation hook
        "provider_name": "Extremely Long Provider Name of Fifty Characters X",
        "package_name": "langchain-extremely-long-provider-name-of-sixty-characters-x",
        "module_name": "langchain_extremely_long_provider_name_of_sixty_characters_x",
        "class_name": "ExtremelyLongProviderNameOfSixtyCharactersForTheClassNameLLM",
        "chat_class_name": "ChatExtremelyLongProviderNameOfSixtyCharactersForTheChatName",
        "embeddings": True,
        "embeddings_class_name": "ExtremelyLongProviderNameOfSixtyCharactersForTheEmbeddingsXY",
        "provider_id": "extremely_long_provider_name_of_sixty_characters_for_the_ids",
        "api_key_env_var": "EXTREMELY_LONG_PROVIDER_NAME_OF_SIXTY_CHARACTERS_XYZ_API_KEY",
        "default_model": "meta-llama/Llama-3.3-70B-Instruct-Turbo-with-a-longer-suffix",
        "api_base_url": "https://api.extremely-long-provider-name.example/inference/v1",
        "api_docs_url": "https://docs.extremely-long-provider-name.example/reference/api",
    },
    "short-names": {"provider_name": "Ai"},
    "quirky-text": {
        "provider_name": QUIRKY_TEXT,
        "description": QUIRKY_TEXT + " description",
        "author_name": QUIRKY_TEXT + " author",
    },
}


def combination_id(
    backend: str, streaming: bool, use_api_key: bool, chat_model: bool, embeddings: bool
) -> str:
    return "-".join(
        [
            backend,
            "stream" if streaming else "nostream",
            "key" if use_api_key else "nokey",
            "chat" if chat_model else "nochat",
            "emb" if embeddings else "noemb",
        ]
    )


CASES = {
    **{combination_id(**c): c for c in COMBINATIONS},
    **{
        f"{name}-{backend}": {**answers, "backend": backend}
        for name, answers in NAME_VARIANTS.items()
        for backend in OPTIONS["backend"]
    },
}
LEFTOVER = re.compile(r"\{\{|\{%|cookiecutter\.")  # what a Jinja tag or variable starts with


def leftovers(project: Path) -> list[str]:
    return [
        f"{path.relative_to(project)}: {line.strip()}"
        for path in project.rglob("*")
        if path.is_file() and ".venv" not in path.parts
        for line in path.read_text(encoding="utf-8").splitlines()
        if LEFTOVER.search(line)
    ]


@pytest.mark.parametrize("answers", CASES.values(), ids=CASES.keys())
def test_render_is_clean_and_its_checks_pass(tmp_path: Path, answers: dict[str, Any]) -> None:
    project = render(tmp_path, **answers)
    assert not list(project.glob("_*")), "option folders must be removed by the hook"
    assert leftovers(project) == []
    empty = [path for path in project.rglob("*") if path.is_dir() and not any(path.iterdir())]
    assert empty == [], "folders of options that are off must be removed by the hook"
    # what the package's `make lint`, `make check_imports` and `make test` run
    # (tests/test_monorepo.py runs the Makefile itself)
    run(["uv", "run", "--group", "lint", "ruff", "check", "."], project)
    run(["uv", "run", "--group", "lint", "ruff", "format", "--check", "."], project)
    run(["uv", "run", "--group", "typing", "mypy", "."], project)
    (package,) = [marker.parent for marker in project.glob("*/py.typed")]
    modules = [str(path.relative_to(project)) for path in package.glob("*.py")]
    run(["uv", "run", "python", "scripts/check_imports.py", *modules], project)
    result = run(["uv", "run", "--group", "test", "pytest", "tests/unit_tests"], project)
    assert re.search(r"\d+ passed", result.stdout), result.stdout
    assert not re.search(r"\d+ failed", result.stdout.splitlines()[-1])  # xfailed is fine


@pytest.mark.parametrize("backend", OPTIONS["backend"])
def test_quirky_free_text_round_trips_into_metadata(tmp_path: Path, backend: str) -> None:
    project = render(tmp_path, backend=backend, **NAME_VARIANTS["quirky-text"])
    metadata = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert metadata["project"]["description"] == QUIRKY_TEXT + " description"
    assert metadata["project"]["authors"][0]["name"] == QUIRKY_TEXT + " author"
    module = project / "langchain_ca_va_x_l_oe_b_y_b" / "llms.py"
    # docstrings get a slash for a backslash and single quotes: no escapes needed
    assert QUIRKY_TEXT.replace("\\", "/").replace('"', "'") in module.read_text()
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "<b>" not in readme  # HTML in a name is shown, not interpreted


@pytest.mark.parametrize("license_id", ["MIT", "Apache-2.0", "BSD-3-Clause"])
def test_license_file_and_metadata_agree(tmp_path: Path, license_id: str) -> None:
    project = render(tmp_path, license=license_id, author_name="Ada Lovelace")
    text = (project / "LICENSE").read_text(encoding="utf-8")
    first_words = {
        "MIT": "MIT License",
        "Apache-2.0": "Apache License",
        "BSD-3-Clause": "BSD 3-Clause",
    }
    assert first_words[license_id] in text.strip().splitlines()[0]
    if license_id != "Apache-2.0":  # its boilerplate names no copyright holder
        assert "Ada Lovelace" in text
    metadata = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert metadata["project"]["license"] == license_id


# Files of an option, named in the template "{% if cookiecutter.<option> %}name{% endif %}":
# cookiecutter skips a file whose name renders empty.
OPTIONAL_FILE = re.compile(r"\{% if (not )?cookiecutter\.(\w+) %\}(.+?)\{% endif %\}")
BACKEND_FOLDER = re.compile(r"_backends/[^/]+/?")  # a backend's files land at the top


def files_of_options() -> dict[str, dict[bool, set[str]]]:
    """Each option's files when on and when off, as paths in a render."""
    found: dict[str, dict[bool, set[str]]] = {}
    package = TEMPLATE / "{{cookiecutter.package_name}}"
    for path in sorted(package.rglob("*{% if *cookiecutter.*")):
        if match := OPTIONAL_FILE.fullmatch(path.name):
            negated, option, name = match.groups()
            where = path.parent.relative_to(package).as_posix()
            where = where.replace("{{cookiecutter.module_name}}", "langchain_parrot_link")
            where = BACKEND_FOLDER.sub("", where, count=1) or "."
            files = found.setdefault(option, {True: set(), False: set()})
            files[not negated].add(f"{where}/{name}")
    return found


@pytest.mark.parametrize(("option", "files"), files_of_options().items())
def test_files_of_an_option_that_is_off_are_not_rendered(
    tmp_path: Path, option: str, files: dict[bool, set[str]]
) -> None:
    on = render(tmp_path / "on", **{option: True})
    off = render(tmp_path / "off", **{option: False})
    for name in files[True] - files[False]:
        assert (on / name).is_file()
        assert not (off / name).exists()
    for name in files[False] - files[True]:
        assert (off / name).is_file()
        assert not (on / name).exists()
    for name in files[True] & files[False]:  # a variant for each side
        assert (on / name).read_text() != (off / name).read_text()


def test_every_option_has_its_files() -> None:
    assert set(files_of_options()) == {"chat_model", "embeddings", "streaming", "use_api_key"}


def test_derived_names(tmp_path: Path) -> None:
    project = render(tmp_path, provider_name="Café Bot", backend="echo")
    assert project.name == "langchain-cafe-bot"
    module = project / "langchain_cafe_bot"
    llms = (module / "llms.py").read_text(encoding="utf-8")
    assert "class CafeBotLLM(\n" in llms
    credentials = (module / "_credentials.py").read_text(encoding="utf-8")
    assert '"CAFE_BOT_API_KEY"' in credentials


# Each option's files in both of their variants, twice per backend: all on, all off.
EXTREMES = {
    f"{backend}-{'all-on' if on else 'all-off'}": dict.fromkeys(OPTIONS, on) | {"backend": backend}
    for backend in OPTIONS["backend"]
    for on in (True, False)
}


@pytest.mark.parametrize("answers", EXTREMES.values(), ids=EXTREMES.keys())
def test_the_package_tests_cover_at_least_95_percent_of_it(
    tmp_path: Path, answers: dict[str, Any]
) -> None:
    project = render(tmp_path, **answers)
    (package,) = [marker.parent for marker in project.glob("*/py.typed")]
    coverage = ["uv", "run", "--group", "test", "--with", "coverage>=7.10", "coverage"]
    tests = ["-m", "pytest", "tests/unit_tests", "-p", "no:cacheprovider"]
    run([*coverage, "run", "--branch", f"--source={package.name}", *tests], project)
    report = run([*coverage, "report", "--show-missing"], project, check=False)
    total = int(report.stdout.splitlines()[-1].split()[-1].rstrip("%"))
    assert total >= 95, report.stdout
