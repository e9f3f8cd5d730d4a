"""Run the model as users will, outside the unit-test fixtures.

The echo model needs no network; these tests run against the real thing when you
replace it with calls to the {{ cookiecutter.__provider_name_py }} API.
"""
{%- if cookiecutter.use_api_key %}

import os
{%- endif %}

import pytest

from {{ cookiecutter.module_name }} import (
    {{ cookiecutter.class_name }},
)
{%- if cookiecutter.use_api_key %}

REQUIRED = "{{ cookiecutter.api_key_env_var }}"

pytestmark = pytest.mark.skipif(
    REQUIRED not in os.environ,
    reason=f"set {REQUIRED} to run the integration tests",
)
{%- endif %}


@pytest.fixture
def llm() -> {{ cookiecutter.class_name }}:
    return {{ cookiecutter.class_name }}(n=40)


def test_invoke(
    llm: {{ cookiecutter.class_name }},
) -> None:
    assert isinstance(llm.invoke("Say hello."), str)


async def test_astream_with_stop(
    llm: {{ cookiecutter.class_name }},
) -> None:
    text = "".join([chunk async for chunk in llm.astream("one, two", stop=[","])])
    assert "," not in text[:-1]
