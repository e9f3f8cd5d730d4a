"""The post-generation hook, through the real command line: it runs the new tests.

Slow: each test creates the rendered package's environment, as a user's first
`cookiecutter` run does.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import TEMPLATE, cookiecutter_cli

pytestmark = pytest.mark.slow

BACKENDS = ["openai-compatible", "echo"]


def path_without_uv(tmp_path: Path) -> str:
    """A PATH on which the hook finds no uv, so it falls back to venv + pip."""
    folders = [
        folder
        for folder in os.environ["PATH"].split(os.pathsep)
        if not (Path(folder) / "uv").exists()
    ]
    shim = tmp_path / "bin"  # make, which the hook does not need, stays reachable
    return os.pathsep.join([str(shim), *folders])


def broken_template(tmp_path: Path) -> Path:
    """A copy of the template whose rendered package has a failing test."""
    copy = tmp_path / "template"
    shutil.copytree(TEMPLATE, copy, ignore=shutil.ignore_patterns(".venv", ".git", "*cache*"))
    tests = copy / "{{cookiecutter.package_name}}" / "tests" / "unit_tests"
    (tests / "test_broken_on_purpose.py").write_text(
        "def test_broken_on_purpose() -> None:\n    assert 1 + 1 == 3\n"
    )
    return copy


@pytest.mark.parametrize("backend", BACKENDS)
def test_render_runs_the_new_tests_with_uv(tmp_path: Path, backend: str) -> None:
    result = cookiecutter_cli(
        "--no-input", "-o", str(tmp_path), str(TEMPLATE), f"backend={backend}", cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary = re.search(
        r"environment ready in [\d.]+ s \(uv\); unit tests: (\d+) passed", result.stdout
    )
    assert summary, result.stdout
    assert int(summary[1]) > 40
    assert (tmp_path / "langchain-parrot-link" / ".venv").is_dir()


def test_without_uv_the_hook_uses_venv_and_pip(tmp_path: Path) -> None:
    result = cookiecutter_cli(
        "--no-input",
        "-o",
        str(tmp_path),
        str(TEMPLATE),
        "backend=echo",
        cwd=tmp_path,
        PATH=path_without_uv(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\(venv \+ pip\); unit tests: \d+ passed", result.stdout), result.stdout


def test_a_failing_rendered_test_fails_cookiecutter(tmp_path: Path) -> None:
    template = broken_template(tmp_path)
    out = tmp_path / "out"
    result = cookiecutter_cli(
        "--no-input", "-o", str(out), str(template), "backend=echo", cwd=tmp_path
    )
    assert result.returncode != 0
    assert "test_broken_on_purpose" in result.stdout
    assert "ERROR: the tests of langchain-parrot-link failed (1 failed" in result.stdout
    assert "--keep-project-on-failure" in result.stdout
    assert not (out / "langchain-parrot-link").exists()

    kept = cookiecutter_cli(
        "--no-input",
        "--keep-project-on-failure",
        "-o",
        str(out),
        str(template),
        "backend=echo",
        cwd=tmp_path,
    )
    assert kept.returncode != 0
    assert (
        out / "langchain-parrot-link" / "tests" / "unit_tests" / "test_broken_on_purpose.py"
    ).is_file()


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_no_network_is_a_warning_not_a_failure(tmp_path: Path, installer: str) -> None:
    closed_port = "http://127.0.0.1:9/simple"  # nothing listens on the discard port
    env = {
        "UV_DEFAULT_INDEX": closed_port,
        "UV_NO_CACHE": "1",
        "UV_OFFLINE": "1",
        "PIP_INDEX_URL": closed_port,
        "PIP_RETRIES": "0",
        "PIP_TIMEOUT": "2",
    }
    if installer == "pip":
        env["PATH"] = path_without_uv(tmp_path)
    result = cookiecutter_cli(
        "--no-input", "-o", str(tmp_path), str(TEMPLATE), "backend=echo", cwd=tmp_path, **env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING: could not create the test environment" in result.stdout
    assert "Run its tests later: cd langchain-parrot-link && make test" in result.stdout
    assert (tmp_path / "langchain-parrot-link" / "pyproject.toml").is_file()


def test_hook_output_is_ascii_only(tmp_path: Path) -> None:
    result = cookiecutter_cli(
        "--no-input",
        "-o",
        str(tmp_path),
        str(TEMPLATE),
        "backend=echo",
        "provider_name=Café Bôt",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "langchain-cafe-bot: environment ready" in result.stdout
    assert result.stdout.isascii()
