"""Helpers to render the template and run commands in a rendered package."""

from __future__ import annotations

import os
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
        command, cwd=cwd, env=clean_env(**env), capture_output=True, text=True, check=False
    )
    if check and result.returncode:
        pytest.fail(
            f"{' '.join(command)} exited {result.returncode} in {cwd}\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result


def cookiecutter_cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the real cookiecutter command line, as users do."""
    return run([sys.executable, "-m", "cookiecutter", *args], cwd, check=False, **env)
