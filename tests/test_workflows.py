"""The GitHub workflows: the template's smoke-render and the rendered package's CI.

Both are validated against the GitHub workflow schema and audited with zizmor; the
smoke-render matrix is checked against cookiecutter.json, and one of its cells is run
here step by step, as the runner would.
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import TEMPLATE, clean_env, render

BIN = Path(sys.executable).parent
SMOKE = TEMPLATE / ".github" / "workflows" / "smoke-render.yml"
CI = Path(".github") / "workflows" / "ci.yml"
MATRIX_VALUE = re.compile(r"\$\{\{\s*matrix\.(\w+)\s*\}\}")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp("workflows"), backend="echo")


@pytest.fixture(params=["smoke-render", "rendered ci"])
def workflow(request: pytest.FixtureRequest, rendered: Path) -> Path:
    return SMOKE if request.param == "smoke-render" else rendered / CI


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict)
    return data


def test_matches_the_github_workflow_schema(workflow: Path) -> None:
    result = subprocess.run(
        [BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", workflow],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_to_fix(workflow: Path) -> None:
    result = subprocess.run(
        [BIN / "zizmor", "--offline", "--format", "json", workflow],
        capture_output=True,
        text=True,
        check=False,
    )
    findings = json.loads(result.stdout)
    summary = [f"{f['ident']} ({f['determinations']['severity']}): {f['desc']}" for f in findings]
    high = [line for line in summary if "(High)" in line]
    assert not high, high
    # Fixed so far: hash-pinned actions, no persisted credentials, no caches.
    assert not summary, summary


def test_rendered_ci_has_no_expressions(rendered: Path) -> None:
    """Renders must not contain ``{{`` (the project greps for leftover template
    text), so the package's CI loops over Pythons in a step, not a matrix."""
    assert "{{" not in (rendered / CI).read_text()


def supported_pythons(project: Path) -> list[str]:
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    prefix = "Programming Language :: Python :: 3."
    versions = [
        "3." + c.removeprefix(prefix) for c in pyproject["classifiers"] if c.startswith(prefix)
    ]
    low = re.match(r">=(3\.\d+)", pyproject["requires-python"])
    assert low, pyproject["requires-python"]
    assert versions[0] == low.group(1), "the lowest classifier must match requires-python"
    return versions


def test_both_workflows_test_every_supported_python(rendered: Path) -> None:
    pythons = supported_pythons(rendered)
    assert pythons == ["3.10", "3.11", "3.12", "3.13", "3.14"]
    loop = re.search(r"for python in ([\d. ]+); do", (rendered / CI).read_text())
    assert loop, "the rendered CI no longer loops over Pythons"
    assert loop.group(1).split() == pythons
    assert load(SMOKE)["jobs"]["render"]["env"]["PYTHONS"].split() == pythons


def expand(matrix: dict[str, Any]) -> list[dict[str, Any]]:
    """The jobs GitHub makes of a matrix (product, exclude, then include)."""
    keys = [k for k in matrix if k not in ("include", "exclude")]
    cells = [
        dict(zip(keys, values, strict=True))
        for values in itertools.product(*(matrix[k] for k in keys))
    ]
    cells = [
        c
        for c in cells
        if not any(all(c[k] == v for k, v in ex.items()) for ex in matrix.get("exclude", []))
    ]
    originals = [dict(c) for c in cells]
    for extra in matrix.get("include", []):
        fits = [
            cell
            for cell, original in zip(cells[: len(originals)], originals, strict=True)
            if all(original.get(k, v) == v for k, v in extra.items())
        ]
        for cell in fits:
            cell.update(extra)
        if not fits:
            cells.append(dict(extra))
    return cells


def as_tuple(cell: dict[str, Any]) -> tuple[str, str, str, str]:
    return (cell["backend"], cell["streaming"], cell["use_api_key"], cell["license"])


def test_smoke_render_covers_every_choice() -> None:
    choices = json.loads((TEMPLATE / "cookiecutter.json").read_text())
    backends, licenses = choices["backend"], choices["license"]
    flag = {True: "yes", False: "no"}
    default = (
        backends[0],
        flag[choices["streaming"]],
        flag[choices["use_api_key"]],
        licenses[0],
    )
    expected = {
        (backend, streaming, api_key, licenses[0])
        for backend in backends
        for streaming in ("yes", "no")
        for api_key in ("yes", "no")
    } | {(*default[:3], license) for license in licenses}

    cells = [as_tuple(c) for c in expand(load(SMOKE)["jobs"]["render"]["strategy"]["matrix"])]
    assert len(cells) == len(set(cells)), "a combination is rendered twice"
    assert set(cells) == expected


def test_smoke_render_runs_the_template_tests() -> None:
    steps = load(SMOKE)["jobs"]["template-tests"]["steps"]
    assert any(step.get("run") == "bash .ci/run" for step in steps)
    if not (TEMPLATE / ".ci" / "run").is_file():
        pytest.skip(".ci/run (the CI entry point the workflow calls) is not written yet")


def run_job(job: dict[str, Any], cell: dict[str, str], runner_temp: Path) -> list[str]:
    """Run a job's shell steps here as the runner would: ``uses:`` steps are what this
    machine already has (the checkout is the template, uv is on PATH)."""
    env = clean_env(RUNNER_TEMP=str(runner_temp), GITHUB_WORKSPACE=str(TEMPLATE))
    for key, value in job["env"].items():
        found = MATRIX_VALUE.fullmatch(str(value))
        env[key] = cell[found.group(1)] if found else str(value)
    # One Python here: this one (CI runs them all).
    env["PYTHONS"] = f"{sys.version_info.major}.{sys.version_info.minor}"
    ran = []
    for step in job["steps"]:
        if "uses" in step:
            continue
        directory = step.get("working-directory", str(TEMPLATE))
        directory = directory.replace("${{ runner.temp }}", str(runner_temp))
        assert "${{" not in directory + step["run"], step
        result = subprocess.run(
            ["bash", "-e", "-c", step["run"]],
            cwd=directory,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"{step['name']}\n{result.stdout}\n{result.stderr}"
        ran.append(step["name"])
    return ran


@pytest.mark.slow
@pytest.mark.parametrize(
    "cell",
    [
        {"backend": "echo", "streaming": "no", "use_api_key": "yes", "license": "MIT"},
        {
            "backend": "openai-compatible",
            "streaming": "yes",
            "use_api_key": "yes",
            "license": "BSD-3-Clause",
        },
    ],
    ids=["echo", "openai-compatible"],
)
def test_a_smoke_render_cell_passes_here(cell: dict[str, str], tmp_path: Path) -> None:
    job = load(SMOKE)["jobs"]["render"]
    assert as_tuple(cell) in {as_tuple(c) for c in expand(job["strategy"]["matrix"])}
    ran = run_job(job, cell, tmp_path)
    assert ran == [
        "Render (the post-generation hook runs the unit tests)",
        "Lint and type check",
        "Check imports",
        "Unit tests on every supported Python",
    ]
    project = tmp_path / "render" / "langchain-parrot-link"
    assert (project / ".venv").is_dir()  # the hook made the environment
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["license"] == cell["license"]
    streaming = (project / "tests" / "unit_tests" / "test_streaming.py").exists()
    assert streaming == (cell["streaming"] == "yes")
