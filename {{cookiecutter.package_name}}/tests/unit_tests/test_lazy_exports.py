"""The model classes load on first use, and every public name resolves."""

import subprocess
import sys

import {{ cookiecutter.module_name }} as package


def test_every_public_name_imports() -> None:
    for name in package.__all__:
        assert getattr(package, name) is not None


def test_dir_lists_the_public_names() -> None:
    assert set(package.__all__) <= set(dir(package))


def test_importing_the_package_loads_no_model_class() -> None:
    # Importing the package alone brings neither the model classes nor
    # langchain-core (a fresh interpreter: this one has both).
    code = f"import sys, {package.__name__}; print(*sys.modules)"
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded = result.stdout.split()
    assert package.__name__ in loaded
    assert "langchain_core" not in loaded
    assert f"{package.__name__}.llms" not in loaded
