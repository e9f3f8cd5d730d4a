"""Checklist: documented init params; a class docstring that links the API."""

import re
import textwrap
from collections.abc import Callable

import pytest
from langchain_core.language_models.llms import LLM

from {{ cookiecutter.module_name }} import {{ cookiecutter.class_name }}

API_DOCS_URL = "{{ cookiecutter.api_docs_url }}"
OWN_FIELDS = sorted(
    set({{ cookiecutter.class_name }}.model_fields) - set(LLM.model_fields),
)


@pytest.mark.parametrize("name", OWN_FIELDS)
def test_every_init_param_has_a_docstring(name: str) -> None:
    description = {{ cookiecutter.class_name }}.model_fields[name].description
    assert description, f"document the field {name!r} with a docstring below it"


def test_class_docstring_links_the_provider_api() -> None:
    assert API_DOCS_URL in ({{ cookiecutter.class_name }}.__doc__ or "")


def test_class_docstring_example_runs(example_env: Callable[[], None]) -> None:
    blocks = re.findall(
        r"\.\. code-block:: python\n\n((?:(?: {12}.*)?\n)+)",
        {{ cookiecutter.class_name }}.__doc__ or "",
    )
    assert blocks, "the class docstring needs a '.. code-block:: python' example"
    example_env()
    for block in blocks:
        exec(textwrap.dedent(block), {})  # noqa: S102 - our own docstring
