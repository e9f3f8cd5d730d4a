"""copier serves the same template: ``copier copy`` renders what cookiecutter renders,
refuses what cookiecutter refuses, runs the same post-generation steps, and
``copier update`` brings a template change into an edited package.

The questions come from cookiecutter.json alone: copier.yml includes it and adds
what ``python copier_bridge.py`` writes from it (prompts, choices, settings).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import (
    NEW_TARGET,
    TEMPLATE,
    change_template,
    cookiecutter_cli,
    git,
    render,
    run,
    template_repo,
)

sys.path.insert(0, str(TEMPLATE))
import copier_bridge

COPIER = str(Path(sys.executable).with_name("copier"))
PACKAGE = "{{cookiecutter.package_name}}"
ANSWERS_FILE = ".copier-answers.yml"


def published(root: Path) -> Path:
    """The template as a bare git repository without tags (as it is published)."""
    bare = template_repo(root)
    git("tag", "-d", "v0.1.0", cwd=bare)
    return bare


def copier_copy(
    template: Path, destination: Path, *answers: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    data = [arg for answer in answers for arg in ("--data", answer)]
    command = [COPIER, "copy", "--trust", "--defaults", *data, template.as_uri(), str(destination)]
    return run(command, destination.parent, check=check)


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def test_copier_yml_is_written_from_cookiecutter_json() -> None:
    written = (TEMPLATE / "copier.yml").read_text(encoding="utf-8")
    assert written == copier_bridge.copier_yml(), "run: python copier_bridge.py"
    first, second = written.split("\n---\n")
    assert first.endswith("--- !include cookiecutter.json")
    questions = [name for name in yaml.safe_load(second) if not name.startswith("_")]
    variables = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
    assert questions == [
        *(name for name in variables if not name.startswith("_")),
        "answers_checked",
    ]


@pytest.mark.parametrize(
    "answers",
    [
        [],
        ["backend=echo", "streaming=false", "use_api_key=false", "chat_model=false"],
        [
            "provider_name=Moonshot AI (Kimi)",
            "package_name=langchain-moonshot",
            "license=Apache-2.0",
        ],
    ],
    ids=["defaults", "echo-bare", "own-names"],
)
def test_copier_copy_renders_what_cookiecutter_renders(tmp_path: Path, answers: list[str]) -> None:
    template = published(tmp_path)
    copied = tmp_path / "copied"
    copier_copy(template, copied, "run_tests=false", *answers)
    recorded = yaml.safe_load((copied / ANSWERS_FILE).read_text())
    assert recorded["_src_path"] == template.as_uri()

    extra = {name: value for name, value in (answer.split("=", 1) for answer in answers)}
    flags = {"true": True, "false": False}
    rendered = render(tmp_path / "cookiecutter", **{k: flags.get(v, v) for k, v in extra.items()})
    assert tree(copied).keys() - tree(rendered).keys() == {ANSWERS_FILE}
    copied_files = tree(copied)
    del copied_files[ANSWERS_FILE]
    assert copied_files == tree(rendered)


@pytest.mark.parametrize(
    "answer", ["module_name=json", "provider_name=\U0001f99c", "chat_class_name=ParrotLinkLLM"]
)
def test_a_bad_answer_is_refused_as_cookiecutter_refuses_it(tmp_path: Path, answer: str) -> None:
    refused = copier_copy(published(tmp_path), tmp_path / "out", answer, check=False)
    assert refused.returncode == 1
    assert not (tmp_path / "out").exists()
    by_cookiecutter = cookiecutter_cli("--no-input", str(TEMPLATE), answer, cwd=tmp_path)
    assert by_cookiecutter.returncode == 1
    said = by_cookiecutter.stdout + by_cookiecutter.stderr
    errors = [line for line in said.splitlines() if line.startswith("ERROR:")]
    assert errors
    copier_errors = [line for line in refused.stderr.splitlines() if line.startswith("ERROR:")]
    assert copier_errors == errors
    assert "Nothing was written." in refused.stderr
    assert "Traceback" not in refused.stderr


def test_copier_update_brings_a_template_change_into_an_edited_package(tmp_path: Path) -> None:
    template = published(tmp_path)
    project = tmp_path / "langchain-parrot-link"
    copier_copy(template, project, "backend=echo", "run_tests=false")
    assert not (project / "_backends").exists()  # the post-generation steps ran
    git("init", "-q", "-b", "main", cwd=project)
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "Rendered with copier", cwd=project)
    first_commit = yaml.safe_load((project / ANSWERS_FILE).read_text())["_commit"]

    # The team edits the package; the template moves on meanwhile.
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\nOur own notes.\n")
    git("commit", "-q", "-am", "Our notes", cwd=project)
    change_template(template, tmp_path)

    run([COPIER, "update", "--trust", "--defaults"], project)
    changed = {line[3:] for line in git("status", "--porcelain", cwd=project).splitlines()}
    assert changed == {ANSWERS_FILE, ".gitignore", "Makefile"}
    assert (project / "Makefile").read_text().endswith(NEW_TARGET)
    assert (project / ".gitignore").read_text().endswith("*.log\n")
    assert readme.read_text().endswith("\nOur own notes.\n")
    answers = yaml.safe_load((project / ANSWERS_FILE).read_text())
    assert answers["_commit"] != first_commit
    assert answers["backend"] == "echo"
    assert not list(project.rglob("*.rej"))


def test_a_question_added_to_cookiecutter_json_reaches_copier(tmp_path: Path) -> None:
    """Without writing copier.yml again: copier asks it, and the template sees it."""
    template = published(tmp_path)
    work = tmp_path / "template-work"
    git("clone", "-q", str(template), str(work), cwd=tmp_path)
    variables = json.loads((work / "cookiecutter.json").read_text())
    position = list(variables).index("run_tests") + 1
    items = list(variables.items())
    items.insert(position, ("release_notes", False))
    (work / "cookiecutter.json").write_text(json.dumps(dict(items), indent=2) + "\n")
    notes = work / PACKAGE / "{% if cookiecutter.release_notes %}NOTES.md{% endif %}"
    notes.write_text("# Release notes of {{ cookiecutter.package_name }}\n")
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "A new question", cwd=work)
    git("push", "-q", "origin", "main", cwd=work)

    with_notes, without = tmp_path / "with-notes", tmp_path / "without"
    copier_copy(template, with_notes, "run_tests=false", "backend=echo", "release_notes=true")
    copier_copy(template, without, "run_tests=false", "backend=echo")
    assert (with_notes / "NOTES.md").read_text() == "# Release notes of langchain-parrot-link\n"
    assert not (without / "NOTES.md").exists()
    assert yaml.safe_load((with_notes / ANSWERS_FILE).read_text())["release_notes"] is True


@pytest.mark.slow
def test_copier_copy_runs_the_new_tests(tmp_path: Path) -> None:
    result = copier_copy(published(tmp_path), tmp_path / "out", "backend=echo")
    assert "unit tests:" in result.stdout
    assert " passed" in result.stdout
    assert (tmp_path / "out" / ".venv").is_dir()
