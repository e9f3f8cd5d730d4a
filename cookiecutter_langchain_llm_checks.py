"""Checks cookiecutter runs while it asks the questions (``_extensions`` in
cookiecutter.json), with the rules of ``hooks/pre_gen_project.py``.

- ``directory_name``: cookiecutter creates the project directory, named by
  ``package_name``, before any hook runs; an empty answer makes it refuse with a message
  about an existing directory, and a path such as ``a/b`` creates directories no hook
  knows to remove. So that answer is checked as soon as it is given.
- ``checked_answers``: the last variable of cookiecutter.json checks every answer once all
  are known, before cookiecutter writes anything: a refusal saves the answers where
  cookiecutter keeps them for ``--replay``, says how to replay them, and exits 1 without
  a traceback (a failing hook cannot avoid cookiecutter's). The pre-generation hook checks
  again: answers replayed from a file, or given to cruft, are not asked.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import click
from cookiecutter.config import get_user_config
from cookiecutter.exceptions import EmptyDirNameException
from cookiecutter.replay import dump, get_file_name
from jinja2 import Environment
from jinja2.ext import Extension


class RefusedAnswer(EmptyDirNameException):
    """An answer refused while asking: cookiecutter's command line prints the message
    (one line per problem, no traceback) and exits 1."""


TEMPLATE = Path(os.path.abspath(os.path.dirname(__file__)))  # as cookiecutter names it


@cache
def pre_gen_hook() -> ModuleType:
    """The pre-generation hook as a module: its rules, not its run."""
    path = TEMPLATE / "hooks" / "pre_gen_project.py"
    spec = importlib.util.spec_from_file_location("_pre_gen_project_rules", path)
    if spec is None or spec.loader is None:
        raise ImportError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def directory_name(value: Any, name: str) -> Any:
    """``value`` if it can name the project directory; else refuse it, by the hook's rules."""
    if not isinstance(value, str):
        return value  # the directory gets a harmless name; the hook refuses the answer
    separators = {"/", "\\", os.sep, os.altsep} - {None}
    if value.strip() and value not in (".", "..") and not separators & set(value):
        return value
    problem = pre_gen_hook().check(name, value) or "must be a name, not a path"
    raise RefusedAnswer(
        f"ERROR: {name}={value!a}: {problem}.\nNothing was written. Answer again with valid values."
    )


def checked_answers(answers: dict[str, Any]) -> str:
    """``""`` if every answer is good; else refuse them, saved for ``--replay-file``."""
    hook = pre_gen_hook()
    raw = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
    lines = hook.errors(dict(answers), raw)
    if not lines:
        return ""
    # the command line's own options, when cookiecutter runs from it
    context = click.get_current_context(silent=True)
    options = context.params if context else {}
    try:
        replay_dir = get_user_config(
            config_file=options.get("config_file"),
            default_config=options.get("default_config", False),
        )["replay_dir"]
        dump(replay_dir, TEMPLATE.name, {"cookiecutter": {**answers, hook.CHECKED: ""}})
    except Exception:  # answers that cannot be saved are still refused
        lines.append("Nothing was written. Answer again with valid values.")
    else:
        saved = get_file_name(replay_dir, TEMPLATE.name)
        command = ["cookiecutter", "--replay-file", saved]
        for flag, option in [
            ("-o", "output_dir"),
            ("-c", "checkout"),
            ("--directory", "directory"),
        ]:
            if options.get(option) not in (None, "", "."):
                command += [flag, str(options[option])]
        command.append(str(options.get("template") or TEMPLATE))
        lines.append(
            f"Nothing was written. Your answers are saved in {saved}: correct the ones"
            f" named above there, then run\n  {shlex.join(command)}"
        )
    raise RefusedAnswer("\n".join(lines))


class AnswerChecks(Extension):
    """Adds the ``directory_name`` and ``checked_answers`` filters."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["directory_name"] = directory_name
        environment.filters["checked_answers"] = checked_answers
