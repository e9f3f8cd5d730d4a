"""Helpers to render the template and run commands in a rendered package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parent.parent


def render(output_dir: Path, template: Path = TEMPLATE, **answers: Any) -> Path:
    """Render the template with ``answers`` (tests off) and return the project path."""
    project = cookiecutter(
        str(template),
        no_input=True,
        output_dir=str(output_dir),
        extra_context={"run_tests": False, **answers},
    )
    return Path(project)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for commands run in a render: not this project's venv."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    return {**env, **extra}


def run(
    command: list[str], cwd: Path, *, check: bool = True, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in ``cwd``; on failure with ``check``, fail with its output."""
    result = subprocess.run(
        command,
        cwd=cwd,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        check=False,
    )
    if check and result.returncode:
        pytest.fail(
            f"{' '.join(command)} exited {result.returncode} in {cwd}\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result


def package_caches() -> dict[str, str]:
    """pip's and uv's package caches by name, so that they stay where they are (warm)
    for a command given a new user cache (``XDG_CACHE_HOME``) of its own."""
    from uv import find_uv_bin

    pip = run([sys.executable, "-m", "pip", "cache", "dir"], TEMPLATE).stdout.strip()
    uv = run([find_uv_bin(), "cache", "dir"], TEMPLATE).stdout.strip()
    return {"PIP_CACHE_DIR": pip, "UV_CACHE_DIR": uv}


def cookiecutter_cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the real cookiecutter command line, as users do."""
    return run([sys.executable, "-m", "cookiecutter", *args], cwd, check=False, **env)


# --- The template as a git repository (remote use, cruft) -------------------------

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Template Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "Template Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
}


def git(*args: str, cwd: Path) -> str:
    """Run git in ``cwd`` with a fixed identity and return its standard output."""
    return run(["git", *args], cwd, **GIT_IDENTITY).stdout


def template_files() -> list[str]:
    """The template's files as a commit would hold them: tracked plus new, not ignored."""
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=TEMPLATE)
    return sorted({name for name in listed.split("\0") if name and (TEMPLATE / name).is_file()})


def template_repo(root: Path, tag: str = "v0.1.0") -> Path:
    """Commit this template (working tree included) to a new repository, tag it, and
    return a bare clone of it: what ``cookiecutter gh:org/repo`` and cruft clone from."""
    source = root / "template-source"
    for name in template_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(TEMPLATE / name, source / name)
    git("init", "-q", "-b", "main", cwd=source)
    git("add", "-A", cwd=source)
    git("commit", "-q", "-m", "Template as under test", cwd=source)
    git("tag", tag, cwd=source)
    bare = root / "template.git"
    git("clone", "-q", "--bare", str(source), str(bare), cwd=root)
    return bare


# A template change that the update tests bring into a rendered package.
NEW_TARGET = '\nversion:\n\tuv run python -c "import sys; print(sys.version)"\n'


def change_template(bare: Path, root: Path) -> None:
    """Commit a change to the template (a make target, an ignored pattern) in a
    temporary clone of ``bare`` and push it."""
    work = root / "template-work"
    git("clone", "-q", str(bare), str(work), cwd=root)
    package = work / "{{cookiecutter.package_name}}"
    makefile = package / "Makefile"
    makefile.write_text(makefile.read_text() + NEW_TARGET)
    gitignore = package / ".gitignore"
    gitignore.write_text(gitignore.read_text() + "*.log\n")
    git("commit", "-q", "-am", "Add a make target and ignore logs", cwd=work)
    git("push", "-q", "origin", "main", cwd=work)
