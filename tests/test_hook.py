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

from conftest import TEMPLATE, cookiecutter_cli, package_caches, run

pytestmark = pytest.mark.slow

BACKENDS = ["openai-compatible", "echo"]


def path_without_uv(tmp_path: Path) -> str:
    """A PATH on which the hook finds no uv."""
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


def without_uv(tmp_path: Path, cache_home: Path) -> dict[str, str]:
    """No uv on PATH, and ``cache_home`` as the user's cache, where the hook keeps the
    uv it fetches."""
    return {
        "PATH": path_without_uv(tmp_path),
        "XDG_CACHE_HOME": str(cache_home),
        **package_caches(),
    }


def test_without_uv_the_hook_fetches_uv_once(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = without_uv(tmp_path, cache)
    fetched = cache / "cookiecutter-langchain-llm" / "uv"
    first = cookiecutter_cli(
        "--no-input",
        "-o",
        str(tmp_path / "first"),
        str(TEMPLATE),
        "backend=echo",
        cwd=tmp_path,
        **env,
    )
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"(uv fetched into {fetched}); unit tests:" in first.stdout, first.stdout
    assert (fetched / "bin" / "uv").is_file()
    assert [path.name for path in fetched.parent.iterdir()] == ["uv"]  # no staging left
    # make, without uv on PATH, runs the tools of the .venv that the fetched uv made.
    package = tmp_path / "first" / "langchain-parrot-link"
    assert " passed" in run(["make", "test", "PYTEST_EXTRA=-q"], package, **env).stdout

    # The next render reuses that uv: pip, which fetches it, does not run at all.
    pip_log = tmp_path / "pip.log"
    second = cookiecutter_cli(
        "--no-input",
        "-o",
        str(tmp_path / "second"),
        str(TEMPLATE),
        "backend=echo",
        cwd=tmp_path,
        **env,
        PIP_LOG=str(pip_log),
    )
    assert second.returncode == 0, second.stdout + second.stderr
    assert f"(uv fetched into {fetched}); unit tests:" in second.stdout, second.stdout
    assert not pip_log.exists()


def test_when_uv_cannot_be_fetched_the_hook_uses_venv_and_pip(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("the hook cannot keep uv under a file\n")
    result = cookiecutter_cli(
        "--no-input",
        "-o",
        str(tmp_path),
        str(TEMPLATE),
        "backend=echo",
        cwd=tmp_path,
        **without_uv(tmp_path, not_a_folder),
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
    if installer == "pip":  # neither uv on PATH, nor one fetched before
        env["PATH"] = path_without_uv(tmp_path)
        env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
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
