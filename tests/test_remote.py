"""Rendering from a git URL, as ``cookiecutter gh:org/repo`` does.

The template is committed to a local bare repository (tag ``v0.1.0``, then one more
commit on ``main``) and rendered from its ``file://`` URL with the real command line.
Every render uses a private cookiecutter config, so nothing touches ~/.cookiecutters.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TEMPLATE, clean_env, git, template_repo

# A line the commit after v0.1.0 adds to the rendered README.
NEWER_LINE = "Rendered from the commit after v0.1.0."
ANSWERS = ["backend=echo", "provider_name=Acme Corp", "streaming=no", "run_tests=no"]


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of a bare template repository: tag v0.1.0, and main one commit ahead."""
    root = tmp_path_factory.mktemp("remote")
    bare = template_repo(root)
    work = root / "work"
    git("clone", "-q", str(bare), str(work), cwd=root)
    readme = work / "{{cookiecutter.package_name}}" / "README.md"
    readme.write_text(readme.read_text() + f"\n{NEWER_LINE}\n")
    git("commit", "-q", "-am", "A change after v0.1.0", cwd=work)
    git("push", "-q", "origin", "main", cwd=work)
    return bare.as_uri()


def cookiecutter(*args: str, cwd: Path, answer: str = "") -> subprocess.CompletedProcess[str]:
    """The cookiecutter command line with a private config; ``answer`` goes to stdin."""
    config = cwd.parent / f"{cwd.name}-cookiecutterrc.yaml"
    config.write_text(
        f"cookiecutters_dir: {cwd.parent / (cwd.name + '-clones')}\n"
        f"replay_dir: {cwd.parent / 'replay'}\n"
    )
    return subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--config-file", str(config), *args],
        cwd=cwd,
        env=clean_env(),
        input=answer,
        capture_output=True,
        text=True,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_checkout_of_a_tag_renders_that_version(remote: str, tmp_path: Path) -> None:
    tagged, newest = tmp_path / "tagged", tmp_path / "newest"
    tagged.mkdir()
    newest.mkdir()
    ok(cookiecutter(remote, "--checkout", "v0.1.0", "--no-input", *ANSWERS, cwd=tagged))
    ok(cookiecutter(remote, "--no-input", *ANSWERS, cwd=newest))

    project = tagged / "langchain-acme-corp"
    assert (project / "langchain_acme_corp" / "llms.py").is_file()
    assert not (project / "_backends").exists()
    assert NEWER_LINE not in (project / "README.md").read_text()
    assert NEWER_LINE in (newest / "langchain-acme-corp" / "README.md").read_text()


def test_replay_reproduces_the_first_render(remote: str, tmp_path: Path) -> None:
    first, second, unpinned = tmp_path / "first", tmp_path / "second", tmp_path / "unpinned"
    for directory in (first, second, unpinned):
        directory.mkdir()
    ok(cookiecutter(remote, "--checkout", "v0.1.0", "--no-input", *ANSWERS, cwd=first))
    # --replay cannot be combined with --no-input; cookiecutter asks whether to
    # re-download the template it cloned before: the answer is yes.
    ok(cookiecutter(remote, "--checkout", "v0.1.0", "--replay", cwd=second, answer="y\n"))

    rendered = tree(first / "langchain-acme-corp")
    assert tree(second / "langchain-acme-corp") == rendered
    assert "tests/unit_tests/test_streaming.py" not in rendered  # the replayed streaming=no

    # The replay file holds the answers, not the template version: without the
    # same --checkout, --replay renders the newest commit (the README says so).
    ok(cookiecutter(remote, "--replay", cwd=unpinned, answer="y\n"))
    assert NEWER_LINE in (unpinned / "langchain-acme-corp" / "README.md").read_text()


def test_overwrite_if_exists_renders_over_an_existing_render(remote: str, tmp_path: Path) -> None:
    base = [remote, "--checkout", "v0.1.0", "--no-input", "backend=echo"]
    ok(
        cookiecutter(
            *base, "provider_name=Acme Corp", "streaming=yes", "run_tests=no", cwd=tmp_path
        )
    )
    project = tmp_path / "langchain-acme-corp"
    pristine = tmp_path / "pristine"
    pristine.mkdir()
    ok(cookiecutter(*base, "provider_name=Acme Corp", "streaming=no", "run_tests=no", cwd=pristine))
    (project / "NOTES.md").write_text("my own file\n")
    (project / "Makefile").unlink()
    (project / "README.md").write_text("edited\n")

    again = cookiecutter(
        *base, "provider_name=Acme Corp", "streaming=no", "run_tests=no", cwd=tmp_path
    )
    assert again.returncode != 0  # refuses without -f
    assert "already exists" in again.stdout + again.stderr
    ok(
        cookiecutter(
            *base, "-f", "provider_name=Acme Corp", "streaming=no", "run_tests=no", cwd=tmp_path
        )
    )

    assert (project / "NOTES.md").read_text() == "my own file\n"  # kept
    expected = tree(pristine / "langchain-acme-corp")
    got = tree(project)
    assert got.pop("NOTES.md")
    # Every template file is back as a fresh render makes it, and the hook removed
    # the streaming-only files of the first render and its own scaffolding again.
    assert got == expected
    assert "tests/unit_tests/test_streaming.py" not in got  # streaming was on before
    assert not (project / "_backends").exists()
    assert not (project / "_licenses").exists()


@pytest.mark.slow
def test_remote_render_runs_the_hook_tests(remote: str, tmp_path: Path) -> None:
    """The way a newcomer starts: a git URL, a tag, the tests on (the default)."""
    result = cookiecutter(
        remote, "--checkout", "v0.1.0", "--no-input", "backend=echo", cwd=tmp_path
    )
    ok(result)
    assert "unit tests:" in result.stdout
    assert " passed" in result.stdout
    assert (tmp_path / "langchain-parrot-link" / ".venv").is_dir()


def test_gitattributes_keep_lf_in_a_crlf_checkout(tmp_path: Path) -> None:
    """A clone made where git converts to CRLF (core.autocrlf=true, as on Windows)
    still checks the template out with LF, so the render is LF too."""
    bare = template_repo(tmp_path)
    rendered_paths = [
        "{{cookiecutter.package_name}}/Makefile",
        "{{cookiecutter.package_name}}/_licenses/MIT",
        "{{cookiecutter.package_name}}/.github/workflows/ci.yml",
    ]
    attributes = git("check-attr", "text", "eol", "--", *rendered_paths, cwd=TEMPLATE)
    for path in rendered_paths:
        assert f"{path}: text: set\n" in attributes
        assert f"{path}: eol: lf\n" in attributes

    clone = tmp_path / "crlf-clone"
    git("-c", "core.autocrlf=true", "clone", "-q", str(bare), str(clone), cwd=tmp_path)
    git("config", "core.autocrlf", "true", cwd=clone)
    checked_out = [p for p in clone.rglob("*") if p.is_file() and ".git" not in p.parts]
    assert not [str(p) for p in checked_out if b"\r\n" in p.read_bytes()]

    out = tmp_path / "out"
    out.mkdir()
    ok(cookiecutter(str(clone), "--no-input", *ANSWERS, cwd=out))
    rendered = out / "langchain-acme-corp"
    assert [p for p in rendered.rglob("*") if p.is_file()]
    assert not [str(p) for p in rendered.rglob("*") if p.is_file() and b"\r" in p.read_bytes()]
