"""The rendered package dropped into the LangChain monorepo as libs/partners/<name>/.

The tree is shaped like langchain-ai/langchain: a git repository with libs/core,
libs/langchain, libs/standard-tests, libs/partners/... and a root pyproject.toml whose
own tool settings must not reach the package. From the package's directory there, the
commands of the monorepo's workflows pass, with the environment they set: _lint.yml,
_test.yml (with its minimum-versions pass), _compile_integration_test.yml,
_integration_test.yml and the build and import check of _release.yml.

The Makefile has the targets of the partner packages, and `make test` also works in a
render whose environment the post-generation hook made with venv and pip, with no uv.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
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

# The targets of libs/partners/ollama/Makefile and libs/partners/openai/Makefile (as of
# langchain-ollama 1.1 and langchain-openai 1.7), less openai's own test_vcr, benchmark
# and check_version; typecheck is this template's name for `type`.
PARTNER_TARGETS = [
    "all",
    "help",
    "test",
    "tests",
    "test_watch",
    "integration_test",
    "integration_tests",
    "lint",
    "lint_diff",
    "lint_package",
    "lint_tests",
    "type",
    "typecheck",
    "format",
    "format_diff",
    "check_imports",
]


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


def workflow_env(path: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a workflow step: no credentials, no parent uv run."""
    env = clean_env(**extra)
    for name in ("PARROT_LINK_API_KEY", "UV"):  # uv sets UV for the commands it runs
        env.pop(name, None)
    if path is not None:
        env["PATH"] = path
    return env


def sh(
    command: str, package: Path, *, check: bool = True, path: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run one line of a workflow's `run:` in the package directory, as bash -e does."""
    result = subprocess.run(
        ["bash", "-e", "-c", command],
        cwd=package,
        env=workflow_env(path, **env),
        capture_output=True,
        text=True,
        check=False,
    )
    if check:
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


def path_without_uv() -> str:
    """PATH less every folder that has a uv (make, git and bash stay reachable)."""
    folders = os.environ["PATH"].split(os.pathsep)
    return os.pathsep.join(f for f in folders if f and not (Path(f) / "uv").exists())


def core_floor(package: Path) -> str:
    """The lowest langchain-core the package allows, as get_min_versions.py finds it."""
    dependencies = tomllib.loads((package / "pyproject.toml").read_text())["project"][
        "dependencies"
    ]
    floors = [re.match(r"langchain-core\s*>=\s*([\d.]+)", dep) for dep in dependencies]
    found = [floor.group(1) for floor in floors if floor]
    assert found, dependencies
    return found[0]


def test_the_makefile_has_the_partner_targets(tmp_path: Path) -> None:
    package = render(tmp_path, backend="echo")
    for target in PARTNER_TARGETS:
        result = subprocess.run(
            ["make", "-n", target], cwd=package, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, f"make -n {target}\n{result.stderr}"
    groups = tomllib.loads((package / "pyproject.toml").read_text())["dependency-groups"]
    assert {"test", "test_integration", "lint", "typing", "dev"} <= set(groups)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["echo", "openai-compatible"])
def test_the_monorepo_workflows_pass_in_the_package(backend: str, tmp_path: Path) -> None:
    tree = monorepo(tmp_path)
    rendered = render(tmp_path / "render", backend=backend)
    package = tree / "libs" / "partners" / "parrot-link"
    shutil.move(rendered, package)
    # A partner package commits its uv.lock: the workflows run uv with UV_FROZEN=true.
    sh("uv lock", package)
    git("add", "-A", cwd=tree)
    git("commit", "-q", "-m", "Add langchain-parrot-link", cwd=tree)
    frozen = {"UV_FROZEN": "true"}

    # _lint.yml
    sh("uv sync --group lint --group typing", package, **frozen)
    sh("make lint_package", package, **frozen, RUFF_OUTPUT_FORMAT="github")
    sh("uv sync --inexact --group test --group test_integration", package, **frozen)
    sh("make lint_tests", package, **frozen, RUFF_OUTPUT_FORMAT="github")

    # _test.yml: the locked versions, then the lowest that pyproject.toml allows
    tests = {**frozen, "UV_NO_SYNC": "true"}
    sh("uv sync --group test --dev", package, **tests)
    assert " passed" in sh("make test PYTEST_EXTRA=-q", package, **tests).stdout
    floor = core_floor(package)
    sh(f"uv pip install --force-reinstall langchain-core=={floor}", package, VIRTUAL_ENV=".venv")
    installed = sh("uv pip freeze", package, VIRTUAL_ENV=".venv").stdout
    assert re.search(rf"^langchain-core=={re.escape(floor)}(\.0)*$", installed, re.M), installed
    assert " passed" in sh("make tests PYTEST_EXTRA=-q", package, **tests).stdout

    # _compile_integration_test.yml, then _integration_test.yml (no credentials here:
    # the tests that need them skip themselves)
    sh("uv sync --group test --group test_integration", package, **frozen)
    sh("uv run pytest -m compile tests/integration_tests", package, **frozen)
    integration = sh("make integration_tests", package, **frozen).stdout
    assert "skipped" in integration
    assert " failed" not in integration

    # _release.yml: the built wheel installs alone and imports
    sh("uv build", package, **frozen)
    alone = tmp_path / "wheel-env" / "bin" / "python"
    sh(f"uv venv -q {alone.parent.parent}", package)
    sh(f"uv pip install -q --python {alone} dist/*.whl", package)
    sh(f"{alone} -c 'import langchain_parrot_link'", tmp_path)

    # The package's own targets from here: its CI's, and the partners' diff targets.
    sh("make lint check_imports format", package, **frozen)
    scripts = package / "scripts" / "check_imports.py"
    scripts.write_text(scripts.read_text() + "import os\n")  # F401, unused import
    failed = sh("make lint_diff", package, check=False, **frozen)
    assert failed.returncode != 0
    # ruff found it by the path git gives relative to the package directory
    assert "F401" in failed.stdout, failed.stdout
    assert "--> scripts/check_imports.py" in failed.stdout, failed.stdout
    git("checkout", "--", ".", cwd=package)

    # As _test.yml checks: nothing tracked changed (format had nothing to do), and
    # nothing new appeared that git does not ignore.
    assert git("status", "--porcelain", "--untracked-files=all", cwd=tree) == ""


# A test module that raises warnings the way a package meets them: from its own code,
# from its tests, and from upstream libraries, deprecations or not.
WARNINGS_PROBE = '''\
import gc
import warnings

import langchain_core
import pydantic

import langchain_parrot_link


def warn_from(module, category):
    """Raise a warning that Python attributes to ``module``, as its own code would."""
    code = "import warnings\\ndef f(c):\\n    warnings.warn('probe', c)\\n"
    namespace = {"__name__": module.__name__}
    exec(compile(code, module.__file__, "exec"), namespace)
    namespace["f"](category)


def test_own_warning():
    warn_from(langchain_parrot_link, UserWarning)


def test_warning_in_a_test():
    warnings.warn("probe", UserWarning)


def test_leak_wherever_it_surfaces():
    warn_from(langchain_core, ResourceWarning)


class Leaky:
    def __del__(self):
        raise ValueError("probe")


def test_exception_in_del():
    Leaky()
    gc.collect()


def test_upstream_deprecation():
    warn_from(langchain_core, DeprecationWarning)


def test_deprecated_upstream_call_in_the_package():
    warn_from(langchain_parrot_link, DeprecationWarning)


def test_upstream_user_warning():
    warn_from(pydantic, UserWarning)
'''


@pytest.mark.slow
def test_make_test_works_in_a_pip_environment_without_uv(tmp_path: Path) -> None:
    package = render(tmp_path, backend="echo")
    # What hooks/post_gen_project.py does where it finds no uv.
    python = package / ".venv" / "bin" / "python"
    for step in (
        [sys.executable, "-m", "venv", ".venv"],
        [str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"],
        [str(python), "-m", "pip", "install", "-q", "-e", ".", "--group", "test"],
    ):
        subprocess.run(step, cwd=package, env=workflow_env(), capture_output=True, check=True)
    no_uv = path_without_uv()

    assert " passed" in sh("make test PYTEST_EXTRA=-q", package, path=no_uv).stdout
    sh("make check_imports", package, path=no_uv)

    # A target whose tools the test group lacks says what to install, in one line ...
    lint = sh("make lint", package, check=False, path=no_uv)
    assert lint.returncode != 0
    advice = [line for line in lint.stderr.splitlines() if not line.startswith("make: ***")]
    assert len(advice) == 1, lint.stderr
    command = advice[0].split(" or run: ")[1]
    assert command.endswith("pip install -e . --group lint --group typing"), command
    # ... and does it once that is installed.
    install = command.split(" && ")[-1]
    sh(install, package, path=no_uv)
    sh("make lint", package, path=no_uv)

    # The warnings policy of the package's pytest configuration: its own warnings and
    # leaks fail, upstream deprecations and upstream warnings do not.
    probe = package / "tests" / "unit_tests" / "test_warnings_probe.py"
    probe.write_text(WARNINGS_PROBE)
    result = sh(
        f"make test TEST_FILE={probe.relative_to(package)} PYTEST_EXTRA=-rA",
        package,
        check=False,
        path=no_uv,
    )
    outcomes = {
        line.split("::")[-1].split(" ")[0]: line.split(" ")[0]
        for line in result.stdout.splitlines()
        if line.startswith(("PASSED ", "FAILED "))
    }
    assert outcomes == {
        "test_own_warning": "FAILED",
        "test_warning_in_a_test": "FAILED",
        "test_leak_wherever_it_surfaces": "FAILED",
        "test_exception_in_del": "FAILED",
        "test_upstream_deprecation": "PASSED",
        "test_deprecated_upstream_call_in_the_package": "PASSED",
        "test_upstream_user_warning": "PASSED",
    }, result.stdout
