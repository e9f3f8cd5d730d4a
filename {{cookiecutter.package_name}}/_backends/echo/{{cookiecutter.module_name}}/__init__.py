"""{{ cookiecutter.__description_py }}"""

from importlib import metadata

from {{ cookiecutter.module_name }}.llms import {{ cookiecutter.class_name }}

__version__ = metadata.version(__package__ or __name__)

__all__ = ["{{ cookiecutter.class_name }}", "__version__"]
