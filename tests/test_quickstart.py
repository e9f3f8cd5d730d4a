"""The README's Quickstart: the first two fenced shell blocks under ``## Quickstart``.

CI (``.ci/run``) runs both exactly as written. The first must also work, copied as
is, on a fresh machine whose only Python is an "externally managed" one (PEP 668:
Debian's and Ubuntu's refuse ``pip install``) and that has no uv: it is run here with
such a Python (this machine's Debian ``/usr/bin/python3``) as ``python3``, uv hidden
from PATH and an empty user cache, in a clean clone of the template.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import TEMPLATE, clean_env, git, package_caches, run, template_repo

README = TEMPLATE / "README.md"
FENCED_SHELL = re.compile(r"^```(?:bash|sh|shell)\n(.*?)^```$", re.M | re.S)
# Asked of each candidate python3: its version, and whether it is externally managed
# (the marker file of PEP 668 in its standard library's directory).
PROBE = (
    "import sys, sysconfig, pathlib; print(sys.version_info >= (3, 11),"
    " pathlib.Path(sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED').is_file())"
)


def quickstart_commands() -> list[str]:
    """The first two fenced shell blocks of the README's Quickstart section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Quickstart\n", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in FENCED_SHELL.findall(section)[:2]]


def externally_managed_python() -> str | None:
    """A Python 3.11+ here that refuses ``pip install`` as Debian's does, if any."""
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if not os.access(candidate, os.X_OK):
            continue
        probe = subprocess.run([candidate, "-c", PROBE], capture_output=True, text=True)
        if probe.stdout.split() == ["True", "True"]:
            return candidate
    return None


def test_ci_runs_the_quickstart_as_written() -> None:
    commands = quickstart_commands()
    assert len(commands) == 2
    assert all("\n" not in command for command in commands)  # one command each
    ci = (TEMPLATE / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    run_lines = [line for line in ci if line and not line.startswith(("#", "set ", "cd ", "rm "))]
    assert run_lines == commands


@pytest.mark.slow
def test_the_first_command_works_on_an_externally_managed_python(tmp_path: Path) -> None:
    python = externally_managed_python()
    if python is None:
        pytest.skip("no externally managed Python 3.11+ on this machine")
    refused = run([python, "-m", "pip", "install", "cookiecutter"], tmp_path, check=False)
    assert refused.returncode != 0
    assert "externally-managed-environment" in refused.stdout + refused.stderr

    clone = tmp_path / "clone"
    git("clone", "-q", str(template_repo(tmp_path)), str(clone), cwd=tmp_path)
    only = tmp_path / "bin"  # python3 is the externally managed one; no uv anywhere
    only.mkdir()
    (only / "python3").symlink_to(python)
    folders = [f for f in os.environ["PATH"].split(os.pathsep) if f]
    path = [str(only), *(f for f in folders if not Path(f, "uv").exists())]
    # A new user cache (so no uv fetched before), pip's and uv's package caches where
    # they are: a fresh machine, less the downloads.
    env = clean_env(
        PATH=os.pathsep.join(path), XDG_CACHE_HOME=str(tmp_path / "cache"), **package_caches()
    )

    first = quickstart_commands()[0]
    result = subprocess.run(
        ["bash", "-e", "-c", first], cwd=clone, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert re.search(r"\(uv fetched into .*\); unit tests: \d+ passed", result.stdout)
    assert (clone / "out" / "langchain-parrot-link" / ".venv").is_dir()
    # cookiecutter ran in a venv of the externally managed Python
    base_prefix = ["-c", "import sys; print(sys.base_prefix)"]
    venv_python = str(clone / ".venv" / "bin" / "python")
    made_from = run([venv_python, *base_prefix], tmp_path).stdout
    assert made_from == run([python, *base_prefix], tmp_path).stdout
