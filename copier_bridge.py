"""Serves this cookiecutter template to copier: the same questions, defaults,
validation and post-generation steps, all taken from cookiecutter.json and hooks/.

- ``python copier_bridge.py`` writes copier.yml from cookiecutter.json. copier.yml
  includes cookiecutter.json itself, so a question added there is asked by copier at
  once; the part written here adds each question's prompt and choices
  (tests/test_copier.py checks that it is current).
- ``CookiecutterContext``, a Jinja extension copier loads (copier.yml), gives copier's
  templates the ``cookiecutter`` variable the template is written with: what
  cookiecutter itself makes of the answers given so far (defaults derived from other
  answers, computed values). Its ``checked_for_copier`` filter refuses bad answers
  with the messages of hooks/pre_gen_project.py, before anything is written.
- ``python copier_bridge.py post_gen_project ANSWERS_FILE`` is copier's task: it runs
  hooks/post_gen_project.py as cookiecutter runs it.

copier needs cookiecutter (for its Jinja extensions and its rendering of
cookiecutter.json) and copier-template-extensions (to load this file) beside it.
"""

from __future__ import annotations

import json
import os
import sys
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from cookiecutter.environment import StrictEnvironment
from cookiecutter.exceptions import FailedHookException
from cookiecutter.generate import apply_overwrites_to_context
from cookiecutter.hooks import run_script_with_context
from cookiecutter.prompt import prompt_for_config
from copier.errors import UserMessageError
from copier_template_extensions import ContextHook
from jinja2 import Environment

TEMPLATE = Path(__file__).resolve().parent
sys.path.append(str(TEMPLATE))  # where cookiecutter.json's own Jinja extension is

from cookiecutter_langchain_llm_checks import RefusedAnswer, pre_gen_hook  # noqa: E402

COPIER_YML = TEMPLATE / "copier.yml"
COOKIECUTTER_JSON = TEMPLATE / "cookiecutter.json"
CHECKED = "answers_checked"  # copier.yml's last question, hidden: it checks all answers
HEADER = """\
# copier's view of cookiecutter.json, written by `python copier_bridge.py`: do not edit.
# The first document is cookiecutter.json itself (its questions, in its order); the
# second gives each question its prompt, choices and the default cookiecutter would
# derive from the answers so far, and copier the settings that serve the template.
--- !include cookiecutter.json
---
"""


def cookiecutter_json() -> dict[str, Any]:
    """cookiecutter.json as written: the variables, their defaults and prompts."""
    return json.loads(COOKIECUTTER_JSON.read_text(encoding="utf-8"))


def question(name: str, value: Any, prompt: Any) -> dict[str, Any]:
    """The copier question for variable ``name`` of cookiecutter.json."""
    asked: dict[str, Any] = {"type": "bool" if isinstance(value, bool) else "str"}
    if isinstance(prompt, dict):  # a choice with a description of each option
        asked["help"] = prompt["__prompt__"]
        asked["choices"] = {f"{choice} - {prompt[choice]}": choice for choice in value}
    else:
        asked["help"] = prompt
        if isinstance(value, list):
            asked["choices"] = value
    asked["default"] = f"{{{{ cookiecutter.{name} }}}}"
    return asked


def extension_names() -> list[str]:
    """The Jinja extensions cookiecutter renders with, as copier names them: a file
    of the template as ``path.py:Class`` (copier-template-extensions loads it)."""
    loaded = StrictEnvironment(context={"cookiecutter": cookiecutter_json()}).extensions
    names = []
    for name in loaded:
        module, _, cls = name.rpartition(".")
        local = (TEMPLATE / f"{module}.py").is_file()
        names.append(f"{module}.py:{cls}" if local else name)
    return names


def copier_yml() -> str:
    """The text of copier.yml for the current cookiecutter.json."""
    raw = cookiecutter_json()
    prompts = raw.get("__prompts__", {})
    settings = {
        "_min_copier_version": "9.4",
        "_subdirectory": "{% raw %}" + next(TEMPLATE.glob("[{]*")).name + "{% endraw %}",
        "_templates_suffix": "",
        "_envops": {"undefined": "jinja2.StrictUndefined"},
        "_jinja_extensions": [
            "copier_template_extensions.TemplateExtensionLoader",
            *extension_names(),
            f"{Path(__file__).name}:CookiecutterContext",
        ],
        "_tasks": [
            {
                "command": [
                    "{{ _copier_python }}",
                    "{{ _copier_conf.src_path }}/" + Path(__file__).name,
                    "post_gen_project",
                    "{{ _copier_conf.answers_file }}",
                ]
            }
        ],
    }
    questions = {
        name: question(name, value, prompts.get(name, name))
        for name, value in raw.items()
        if not name.startswith("_")
    }
    questions[CHECKED] = {
        "type": "str",
        "when": False,
        "default": "{{ cookiecutter | checked_for_copier }}",
    }
    body = yaml.safe_dump({**settings, **questions}, sort_keys=False, allow_unicode=True, width=88)
    return HEADER + body


def cookiecutter_context(answers: dict[str, Any]) -> dict[str, Any]:
    """What cookiecutter makes of these answers: every variable of cookiecutter.json,
    the ones not answered yet and the computed ones rendered as cookiecutter does."""
    given = {name: answers[name] for name in cookiecutter_json() if name in answers}
    return dict(_rendered(json.dumps(given)))


@cache
def _rendered(answers: str) -> dict[str, Any]:
    raw = cookiecutter_json()
    del raw[pre_gen_hook().CHECKED]  # cookiecutter's check; copier has its own
    apply_overwrites_to_context(raw, json.loads(answers))
    try:
        return dict(prompt_for_config({"cookiecutter": raw}, no_input=True))
    except RefusedAnswer as refusal:  # a package name that is no name
        raise UserMessageError(str(refusal)) from None


def checked_for_copier(cookiecutter: dict[str, Any]) -> str:
    """``""`` if every answer is good; else refuse them, with the pre-generation
    hook's lines (the same as cookiecutter shows)."""
    lines = pre_gen_hook().errors(dict(cookiecutter), cookiecutter_json())
    if lines:
        lines.append("Nothing was written. Answer again with valid values.")
        raise UserMessageError("\n".join(lines))  # shown as it is, no traceback
    return ""


class CookiecutterContext(ContextHook):
    """Adds ``cookiecutter`` to the context of every template copier renders."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["checked_for_copier"] = checked_for_copier

    def hook(self, context: dict[str, Any]) -> None:
        context["cookiecutter"] = cookiecutter_context(context)


def run_hook(name: str, answers_file: str) -> int:
    """Run hooks/<name>.py in the current directory, as cookiecutter runs it, with
    the answers copier has just written there."""
    answers = yaml.safe_load(Path(answers_file).read_text(encoding="utf-8"))
    context = {"cookiecutter": cookiecutter_context(answers)}
    try:
        run_script_with_context(TEMPLATE / "hooks" / f"{name}.py", os.getcwd(), context)
    except FailedHookException:
        return 1  # the hook has said why
    return 0


if __name__ == "__main__":
    if sys.argv[1:]:
        sys.exit(run_hook(*sys.argv[1:]))
    COPIER_YML.write_text(copier_yml(), encoding="utf-8")
