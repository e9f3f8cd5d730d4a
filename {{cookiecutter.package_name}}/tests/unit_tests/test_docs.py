"""Checklist: documented init params; a class docstring that links the API."""

import ast
import inspect
import re
import textwrap
from collections.abc import Callable
from itertools import pairwise

import pytest
from langchain_core.language_models.llms import LLM

from {{ cookiecutter.module_name }} import (
    {{ cookiecutter.class_name }},
)
{#- as ruff format lays it out: in parentheses only when that makes the line fit #}
{%- set url = '"' ~ cookiecutter.api_docs_url ~ '"' %}
{%- if 15 + url | length > 88 and 4 + url | length <= 88 %}

API_DOCS_URL = (
    {{ url }}
)
{%- else %}

API_DOCS_URL = {{ url }}
{%- endif %}


def attribute_docstrings(cls: type) -> dict[str, str]:
    """The docstrings written under the fields of ``cls``, as API references show them.

    Read from the source of ``cls`` and of its bases in this package (a field may
    come from one, like ``api_key``), not from pydantic, whose
    ``use_attribute_docstrings`` would cost every import of the package tens of
    milliseconds.
    """
    package = cls.__module__.partition(".")[0]
    docstrings: dict[str, str] = {}
    for base in reversed(cls.__mro__):
        if base.__module__.partition(".")[0] == package:
            docstrings.update(class_attribute_docstrings(base))
    return docstrings


def class_attribute_docstrings(cls: type) -> dict[str, str]:
    """The docstrings written under the fields in the class body of ``cls``."""
    (class_def,) = ast.parse(textwrap.dedent(inspect.getsource(cls))).body
    assert isinstance(class_def, ast.ClassDef)
    return {
        field.target.id: doc.value.value
        for field, doc in pairwise(class_def.body)
        if isinstance(field, ast.AnnAssign)
        and isinstance(field.target, ast.Name)
        and isinstance(doc, ast.Expr)
        and isinstance(doc.value, ast.Constant)
        and isinstance(doc.value.value, str)
    }


def own_fields(cls: type[LLM]) -> list[str]:
    """The fields of ``cls`` that LangChain's ``LLM`` does not have."""
    return sorted(set(cls.model_fields) - set(LLM.model_fields))


OWN_FIELDS = own_fields({{ cookiecutter.class_name }})


@pytest.mark.parametrize("name", OWN_FIELDS)
def test_every_init_param_has_a_docstring(name: str) -> None:
    docstring = attribute_docstrings(
        {{ cookiecutter.class_name }},
    ).get(name, "")
    assert docstring.strip(), f"document the field {name!r} with a docstring below it"


def test_class_docstring_links_the_provider_api() -> None:
    doc = {{ cookiecutter.class_name }}.__doc__ or ""
    assert API_DOCS_URL in doc


def test_class_docstring_example_runs(example_env: Callable[[], None]) -> None:
    blocks = re.findall(
        r"\.\. code-block:: python\n\n((?:(?: {12}.*)?\n)+)",
        {{ cookiecutter.class_name }}.__doc__ or "",
    )
    assert blocks, "the class docstring needs a '.. code-block:: python' example"
    example_env()
    for block in blocks:
        exec(textwrap.dedent(block), {})  # noqa: S102 - our own docstring
