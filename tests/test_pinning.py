"""Every ``--checkout`` the README and the CHANGELOG show works on the repository as
it is published.

The refs are read from the documents themselves, so the two cannot drift apart. They
are tried against a bare clone of this repository's current branch without its tags
(in CI, a clean clone of main): tags made on a developer's machine may never be
pushed, and cookiecutter ignores ``--checkout`` for a local directory, so the clone
is used through its ``file://`` URL, as cookiecutter and cruft use a remote one.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from conftest import TEMPLATE, cookiecutter_cli, git, run

CRUFT = str(Path(sys.executable).with_name("cruft"))
DOCUMENTS = ("README.md", "CHANGELOG.md")
CHECKOUT = re.compile(r"--checkout[ =]([^\s`'\"<>]+)")
# A release's heading in CHANGELOG.md and the line under it naming its commit.
RELEASE = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - [\d-]+\n\nCommit `([0-9a-f]{12,40})`", re.M)
# Answers to questions that every release asks: render only, offline backend.
ANSWERS = {"backend": "echo", "run_tests": False}


def documented_checkouts() -> list[tuple[str, str]]:
    """(command, ref) for each ``--checkout <ref>`` shown, the command being the tool
    on that line: cookiecutter, cruft create or cruft update."""
    found = set()
    for name in DOCUMENTS:
        for line in (TEMPLATE / name).read_text(encoding="utf-8").splitlines():
            for ref in CHECKOUT.findall(line):
                command = next(
                    (c for c in ("cruft update", "cruft create") if c in line), "cookiecutter"
                )
                found.add((command, ref))
    return sorted(found)


def releases() -> list[tuple[str, str]]:
    """(version, commit) of each release, oldest first."""
    changelog = (TEMPLATE / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[(\d[^\]]*)\]", changelog, re.M)
    found = RELEASE.findall(changelog)
    assert [version for version, _ in found] == headings, "a release names no commit"
    return found[::-1]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bare clone of the current branch, without tags."""
    if git("rev-parse", "--is-shallow-repository", cwd=TEMPLATE).strip() == "true":
        pytest.skip("a shallow clone lacks the release commits; clone the whole history")
    root = tmp_path_factory.mktemp("published")
    bare = root / "published.git"
    clone = ["clone", "-q", "--bare", "--single-branch", "--no-tags"]
    git(*clone, TEMPLATE.as_uri(), str(bare), cwd=root)
    return bare


def commit_of(repository: Path, ref: str) -> str:
    """The commit ``ref`` names in ``repository``; empty if none."""
    found = run(
        ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], repository, check=False
    )
    return found.stdout.strip()


def test_the_documents_show_release_commits() -> None:
    shown = {ref for _, ref in documented_checkouts()}
    assert shown, "no --checkout found in " + ", ".join(DOCUMENTS)
    assert shown <= {commit for _, commit in releases()}, "pin releases, by their commit"


def test_each_release_names_its_own_commit(published: Path) -> None:
    """The commit under a release's heading is the one that added that heading and
    has the release's version in pyproject.toml."""
    for version, commit in releases():
        assert commit_of(published, commit), f"{version}: {commit} is not on this branch"
        heading = f"\n## [{version}] - "
        changelog = git("show", f"{commit}:CHANGELOG.md", cwd=published)
        before = run(["git", "show", f"{commit}^:CHANGELOG.md"], published, check=False).stdout
        assert heading in changelog, f"{commit} does not list release {version}"
        assert heading not in before, f"{commit} is after release {version}"
        pyproject = git("show", f"{commit}:pyproject.toml", cwd=published)
        assert f'\nversion = "{version}"\n' in pyproject, f"{commit} is not version {version}"


def cruft_create(published: Path, ref: str, where: Path) -> Path:
    context = json.dumps(ANSWERS)
    url = published.as_uri()
    run([CRUFT, "create", url, "--checkout", ref, "--no-input", "--extra-context", context], where)
    return where / "langchain-parrot-link"


@pytest.mark.parametrize(("command", "ref"), documented_checkouts())
def test_a_documented_checkout_works(
    published: Path, command: str, ref: str, tmp_path: Path
) -> None:
    commit = commit_of(published, ref)
    assert commit, f"--checkout {ref} is not in a clone of this branch"
    if command == "cookiecutter":
        config = tmp_path / "cookiecutterrc.yaml"
        config.write_text(f"cookiecutters_dir: {tmp_path / 'clones'}\nreplay_dir: {tmp_path}\n")
        args = ["--config-file", str(config), published.as_uri(), "--checkout", ref]
        answers = [f"{name}={'no' if value is False else value}" for name, value in ANSWERS.items()]
        result = cookiecutter_cli(*args, "--no-input", *answers, cwd=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        assert (tmp_path / "langchain-parrot-link" / "pyproject.toml").is_file()
        used = git("rev-parse", "HEAD", cwd=tmp_path / "clones" / "published")
        assert used.strip() == commit
        return
    if command == "cruft create":
        project = cruft_create(published, ref, tmp_path)
    else:  # cruft update: from the first release to this one
        project = cruft_create(published, releases()[0][1], tmp_path)
        git("init", "-q", "-b", "main", cwd=project)
        git("add", "-A", cwd=project)
        git("commit", "-q", "-m", "Rendered with cruft", cwd=project)
        run([CRUFT, "update", "-y", "--checkout", ref], project)
    assert json.loads((project / ".cruft.json").read_text())["commit"] == commit
