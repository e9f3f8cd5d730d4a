"""Release hygiene of the rendered package: what ``uv build`` makes and PyPI reads."""

from __future__ import annotations

import email.message
import email.parser
import re
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from conftest import TEMPLATE, render, run

TWINE = str(Path(sys.executable).with_name("twine"))
VERSION = "2.3.4"  # not the default, to see where it ends up
ANSWERS = {
    "license": "Apache-2.0",
    "version": VERSION,
    "api_docs_url": "https://docs.acme.example/completions",
}


@pytest.fixture(scope="module", params=["echo", "openai-compatible"])
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, Path]:
    """The rendered project, its wheel and its sdist."""
    project = render(tmp_path_factory.mktemp("release"), backend=request.param, **ANSWERS)
    run(["uv", "build", "--out-dir", "dist"], project)
    wheels = list((project / "dist").glob("*.whl"))
    sdists = list((project / "dist").glob("*.tar.gz"))
    assert len(wheels) == 1, wheels
    assert len(sdists) == 1, sdists
    return project, wheels[0], sdists[0]


def metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(f"langchain_parrot_link-{VERSION}.dist-info/METADATA").decode()
    return email.parser.Parser().parsestr(text)


def test_file_names_carry_the_version(built: tuple[Path, Path, Path]) -> None:
    _, wheel, sdist = built
    assert wheel.name == f"langchain_parrot_link-{VERSION}-py3-none-any.whl"
    assert sdist.name == f"langchain_parrot_link-{VERSION}.tar.gz"


def test_twine_check_strict(built: tuple[Path, Path, Path]) -> None:
    project, wheel, sdist = built
    result = run([TWINE, "check", "--strict", str(wheel), str(sdist)], project)
    assert result.stdout.count("PASSED") == 2, result.stdout


def test_wheel_contents(built: tuple[Path, Path, Path]) -> None:
    _, wheel, _ = built
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        license_text = archive.read(
            f"langchain_parrot_link-{VERSION}.dist-info/licenses/LICENSE"
        ).decode()
    assert "langchain_parrot_link/py.typed" in names
    assert "langchain_parrot_link/llms.py" in names
    assert "Apache License" in license_text
    # Only the package goes into the wheel: no tests, no template leftovers.
    tops = {name.split("/")[0] for name in names}
    assert tops == {"langchain_parrot_link", f"langchain_parrot_link-{VERSION}.dist-info"}


def test_wheel_metadata(built: tuple[Path, Path, Path]) -> None:
    project, wheel, _ = built
    meta = metadata(wheel)
    assert meta["Name"] == "langchain-parrot-link"
    assert meta["Version"] == VERSION
    assert float(meta["Metadata-Version"]) >= 2.4  # License-Expression needs 2.4
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert meta["Requires-Python"]
    assert meta["Description-Content-Type"] == "text/markdown"
    assert meta.get_payload() == (project / "README.md").read_text()
    urls = dict(url.split(", ", 1) for url in meta.get_all("Project-URL", []))
    assert urls["API documentation"] == ANSWERS["api_docs_url"]
    assert urls["Source Code"].startswith("https://")
    classifiers: list[str] = meta.get_all("Classifier", [])
    assert "Typing :: Typed" in classifiers
    assert {f"Programming Language :: Python :: 3.{n}" for n in (10, 11, 12, 13)} <= set(
        classifiers
    )
    # A license expression replaces license classifiers (PEP 639).
    assert not [c for c in classifiers if c.startswith("License ::")]
    assert any(dep.startswith("langchain-core") for dep in meta.get_all("Requires-Dist", []))


def test_sdist_contents(built: tuple[Path, Path, Path]) -> None:
    _, _, sdist = built
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {
        "PKG-INFO",
        "pyproject.toml",
        "README.md",
        "LICENSE",
        "langchain_parrot_link/py.typed",
        "tests/unit_tests/test_llm.py",
    } <= names
    assert not [name for name in names if re.match(r"(_backends|_licenses|\.venv)/", name)]


def test_the_version_lives_in_pyproject_only(
    built: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    project, wheel, _ = built
    holders = [
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.is_file()
        and not {"dist", ".venv"} & set(path.relative_to(project).parts)
        and VERSION in path.read_text()
    ]
    assert holders == ["pyproject.toml"]

    # __version__ reads it back from the installed metadata.
    venv = tmp_path / "venv"
    run(["uv", "venv", "-q", str(venv)], tmp_path)
    python = str(venv / "bin" / "python")
    run(["uv", "pip", "install", "-q", "--python", python, str(wheel)], tmp_path)
    result = run(
        [python, "-c", "import langchain_parrot_link as m; print(m.__version__)"], tmp_path
    )
    assert result.stdout.strip() == VERSION


# --- The template's own releases ---------------------------------------------------

RELEASE_HEADING = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", re.MULTILINE)


def test_changelog_follows_keep_a_changelog() -> None:
    text = (TEMPLATE / "CHANGELOG.md").read_text()
    assert text.startswith("# Changelog\n")
    assert "keepachangelog.com" in text
    assert "\n## [Unreleased]\n" in text
    releases = RELEASE_HEADING.findall(text)
    assert releases, "no released version"
    versions = [tuple(map(int, version.split("."))) for version, _ in releases]
    assert versions == sorted(versions, reverse=True), "newest release first"
    assert text.index("## [Unreleased]") < text.index(f"## [{releases[0][0]}]")
    for version, _ in releases:
        section = text.split(f"## [{version}]", 1)[1].split("\n## ", 1)[0]
        kinds = re.findall(r"^### (\w+)$", section, re.MULTILINE)
        assert kinds, f"{version} lists no changes"
        assert set(kinds) <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
        assert "\n- " in section


def test_changelog_and_pyproject_agree_on_the_template_version() -> None:
    newest = RELEASE_HEADING.findall((TEMPLATE / "CHANGELOG.md").read_text())[0][0]
    pyproject = tomllib.loads((TEMPLATE / "pyproject.toml").read_text())
    assert pyproject["project"]["version"] == newest
