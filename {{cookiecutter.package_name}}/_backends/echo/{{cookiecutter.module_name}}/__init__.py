"""{{ cookiecutter.__provider_name_py }} integration for LangChain."""

from importlib import metadata

{% if cookiecutter.chat_model -%}
from {{ cookiecutter.module_name }}.chat_models import (
    {{ cookiecutter.chat_class_name }},
)
{% endif -%}
{% if cookiecutter.embeddings -%}
from {{ cookiecutter.module_name }}.embeddings import (
    {{ cookiecutter.embeddings_class_name }},
)
{% endif -%}
from {{ cookiecutter.module_name }}.llms import (
    {{ cookiecutter.class_name }},
)

# The version lives in pyproject.toml only; read it from the installed metadata
# by distribution name (scripts/check_imports.py loads this file under another name).
try:
    __version__ = metadata.version(
        "{{ cookiecutter.package_name }}",
    )
except metadata.PackageNotFoundError:  # imported from a source tree, not installed
    __version__ = ""

__all__ = [
    "{{ cookiecutter.class_name }}",
    "__version__",
]
{%- if cookiecutter.chat_model %}
__all__ += [
    "{{ cookiecutter.chat_class_name }}",
]
{%- endif %}
{%- if cookiecutter.embeddings %}
__all__ += [
    "{{ cookiecutter.embeddings_class_name }}",
]
{%- endif %}
