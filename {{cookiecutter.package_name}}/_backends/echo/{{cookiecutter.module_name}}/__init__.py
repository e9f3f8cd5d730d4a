"""{{ cookiecutter.__provider_name_py }} integration for LangChain."""

from importlib import import_module, metadata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
{%- if cookiecutter.chat_model %}
    from .chat_models import (
        {{ cookiecutter.chat_class_name }},
    )
{%- endif %}
{%- if cookiecutter.embeddings %}
    from .embeddings import (
        {{ cookiecutter.embeddings_class_name }},
    )
{%- endif %}
    from .llms import (
        {{ cookiecutter.class_name }},
    )

# Each model class is imported when first asked for (``from ... import`` works as
# usual): the chat model's module brings langchain-core's chat-model, tool and
# output-parser modules, which users of the other classes would otherwise pay for
# at every import of the package.
_MODULES = {
    "{{ cookiecutter.class_name }}": "llms",
{%- if cookiecutter.chat_model %}
    "{{ cookiecutter.chat_class_name }}": "chat_models",
{%- endif %}
{%- if cookiecutter.embeddings %}
    "{{ cookiecutter.embeddings_class_name }}": "embeddings",
{%- endif %}
}

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


def __getattr__(name: str) -> Any:
    """Import a model class on first use."""
    if name not in _MODULES:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(import_module(f".{_MODULES[name]}", __package__), name)
    globals()[name] = value  # the next use finds it without this function
    return value


def __dir__() -> list[str]:
    """The public names, the lazily imported classes included."""
    return sorted(__all__)
