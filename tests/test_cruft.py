"""Keeping a rendered package in sync with the template: cruft create/check/update.

cruft clones the template from a git URL (here a local bare repository), runs the
hooks without defining ``_output_dir`` and, on ``update``, renders the old and the new
template version again (hooks included) and applies the difference as a patch.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import NEW_TARGET, change_template, git, run, template_repo

CRUFT = str(Path(sys.executable).with_name("cruft"))
# What a template change and the update it makes leave modified in the package.
CHANGED = {".cruft.json": "M", ".gitignore": "M", "Makefile": "M"}


def cruft_create(template: Path, output: Path, **answers: object) -> Path:
    context = json.dumps({"backend": "echo", "run_tests": False, **answers})
    run([CRUFT, "create", template.as_uri(), "--no-input", "--extra-context", context], output)
    project = output / "langchain-parrot-link"
    # A team keeps its package in git; cruft then merges updates three-way.
    git("init", "-q", "-b", "main", cwd=project)
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "Rendered with cruft", cwd=project)
    return project


def status(project: Path) -> dict[str, str]:
    """Changed paths and how (staged or not: cruft's three-way merge stages)."""
    lines = git("status", "--porcelain", cwd=project).splitlines()
    return {line[3:]: line[:2].strip() for line in lines}


def assert_no_rejects(project: Path) -> None:
    rejects = [str(path) for path in project.rglob("*.rej")]
    assert not rejects, rejects


def update(project: Path) -> str:
    result = run([CRUFT, "update", "-y"], project)
    assert "Failed to apply the update" not in result.stdout + result.stderr, result.stderr
    return result.stdout + result.stderr


def test_create_check_update(tmp_path: Path) -> None:
    bare = template_repo(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    project = cruft_create(bare, out)

    cruft_state = json.loads((project / ".cruft.json").read_text())
    assert cruft_state["context"]["cookiecutter"]["backend"] == "echo"
    assert not (project / "_backends").exists()  # the post-gen hook ran
    assert (project / "LICENSE").is_file()
    checked = run([CRUFT, "check"], project)
    assert "up to date" in checked.stdout

    # The team edits the package; the template moves on meanwhile.
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\nOur own notes.\n")
    git("commit", "-q", "-am", "Our notes", cwd=project)
    change_template(bare, tmp_path)
    outdated = run([CRUFT, "check"], project, check=False)
    assert outdated.returncode != 0
    assert "out of date" in outdated.stdout + outdated.stderr

    update(project)
    assert_no_rejects(project)
    # The template's change is applied, the team's edit is kept, and nothing
    # else in the package changed.
    assert status(project) == CHANGED
    assert (project / "Makefile").read_text().endswith(NEW_TARGET)
    assert (project / ".gitignore").read_text().endswith("*.log\n")
    assert readme.read_text().endswith("\nOur own notes.\n")
    assert run(["make", "-n", "version"], project).returncode == 0
    assert "up to date" in run([CRUFT, "check"], project).stdout


def test_update_with_no_template_change_is_a_no_op(tmp_path: Path) -> None:
    bare = template_repo(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    project = cruft_create(bare, out, streaming=False, use_api_key=False)
    output = update(project)
    assert "already up to date" in output
    assert status(project) == {}


@pytest.mark.slow
def test_update_of_a_package_whose_tests_ran(tmp_path: Path) -> None:
    """With run_tests on, both renders of ``cruft update`` run the hook's tests and
    make a .venv and a uv.lock; the package's [tool.cruft] skip keeps them out of the
    patch, so the update still applies cleanly."""
    bare = template_repo(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    project = cruft_create(bare, out, run_tests=True)
    assert (project / ".venv").is_dir()
    assert (project / "uv.lock").is_file()  # committed, as uv recommends
    venv_files = {
        str(path.relative_to(project)): path.read_bytes()
        for path in (project / ".venv").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    lock = (project / "uv.lock").read_bytes()
    change_template(bare, tmp_path)

    output = update(project)
    assert output.count("unit tests:") == 2  # the hook ran in both renders
    assert_no_rejects(project)
    assert status(project) == CHANGED
    assert (project / "uv.lock").read_bytes() == lock
    after = {
        str(path.relative_to(project)): path.read_bytes()
        for path in (project / ".venv").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert after == venv_files  # the package's own environment is untouched
