from {{ cookiecutter.module_name }} import __all__

EXPECTED_ALL = [
    "{{ cookiecutter.class_name }}",
    "__version__",
]
{%- if cookiecutter.chat_model %}
EXPECTED_ALL += ["{{ cookiecutter.chat_class_name }}"]
{%- endif %}


def test_all_imports() -> None:
    assert sorted(EXPECTED_ALL) == sorted(__all__)
