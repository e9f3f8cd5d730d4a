"""The rendered package dropped into the LangChain monorepo as libs/partners/<name>/.

The tree is shaped like langchain-ai/langchain: a git repository with libs/core,
libs/langchain, libs/standard-tests, libs/partners/... and a root pyproject.toml whose
own tool settings must not reach the package. Every Makefile target the monorepo's CI
calls runs from the package's directory there.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import clean_env, git, render

# A root configuration stricter than the package's: if the package lost its own
# [tool.ruff] or [tool.pytest.ini_options], these would apply and fail its checks.
ROOT_PYPROJECT = """\
[project]
name = "langchain-monorepo"
version = "0.0.1"
requires-python = ">=3.10"

[tool.ruff]
line-length = 40

[tool.ruff.lint]
select = ["ALL"]

[tool.pytest.ini_options]
addopts = "--no-such-option"
"""


def monorepo(root: Path) -> Path:
    tree = root / "langchain"
    for part in ("libs/core", "libs/langchain", "libs/standard-tests", "libs/text-splitters"):
        (tree / part).mkdir(parents=True)
        (tree / part / "README.md").write_text(f"# {part}\n")
    (tree / "libs" / "partners").mkdir()
    (tree / "libs" / "partners" / "README.md").write_text("# Partner packages\n")
    (tree / ".github" / "workflows").mkdir(parents=True)
    (tree / "README.md").write_text("# LangChain (a stand-in for the monorepo)\n")
    (tree / "pyproject.toml").write_text(ROOT_PYPROJECT)
    (tree / ".gitignore").write_text(".venv/\n__pycache__/\n")
    git("init", "-q", "-b", "master", cwd=tree)
    git("add", "-A", cwd=tree)
    git("commit", "-q", "-m", "Monorepo", cwd=tree)
    return tree


def make(target: str, package: Path) -> str:
    env = clean_env()
    env.pop("PARROT_LINK_API_KEY", None)  # integration tests see no credentials
    result = subprocess.run(
        ["make", target], cwd=package, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"make {target}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["echo", "openai-compatible"])
def test_makefile_targets_run_in_the_monorepo(backend: str, tmp_path: Path) -> None:
    tree = monorepo(tmp_path)
    rendered = render(tmp_path / "render", backend=backend)
    package = tree / "libs" / "partners" / "parrot-link"
    shutil.move(rendered, package)
    git("add", "-A", cwd=tree)
    git("commit", "-q", "-m", "Add langchain-parrot-link", cwd=tree)

    make("check_imports", package)
    make("lint", package)
    make("typecheck", package)
    assert " passed" in make("test", package)
    integration = make("integration_tests", package)
    assert "skipped" in integration  # no PARROT_LINK_API_KEY here
    assert " failed" not in integration
    make("format", package)

    # Nothing tracked changed (format had nothing to do), nothing appeared outside
    # the package; the one new file is the package's uv.lock, which it commits.
    changes = git("status", "--porcelain", "--untracked-files=all", cwd=tree).splitlines()
    assert changes == ["?? libs/partners/parrot-link/uv.lock"]
