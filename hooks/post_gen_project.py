"""Lay the chosen backend and license in place, then run the new package's tests.

Runs with the Python that runs cookiecutter, in the new project directory.
"""

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONTEXT = json.loads(r'''{{ cookiecutter | tojson }}''')
PROJECT = Path.cwd()
TEST_COMMAND = "make test"  # what the package's README tells people to run
# Where the hook keeps the uv it fetches when none is on PATH, for later renders too.
USER_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
FETCHED_UV = USER_CACHE / "cookiecutter-langchain-llm" / "uv"
# The template wraps the name of an option's file in a Jinja "if" on the option (or
# "if not", for the file's variant when the option is off), so it is rendered only
# then. (The brackets keep Jinja off the pattern.)
OPTIONAL_FILE = re.compile(r"[{]% if (not )?cookiecutter[.](\w+) %[}](.+)[{]% endif %[}]")


class CannotInstall(Exception):
    """The environment could not be created: no installer, no network, ..."""


def keep_chosen_files():
    backends = PROJECT / "_backends"
    shutil.copytree(backends / CONTEXT["backend"], PROJECT, dirs_exist_ok=True)
    shutil.rmtree(backends)
    licenses = PROJECT / "_licenses"
    (licenses / CONTEXT["license"]).replace(PROJECT / "LICENSE")
    shutil.rmtree(licenses)


def remove_files_of_options_that_are_off():
    """Remove what an earlier render left of an option now off (cookiecutter -f)."""
    repo = Path(CONTEXT.get("_repo_dir", PROJECT))
    chosen, left_out = set(), set()
    for template in repo.glob("[{]*"):  # the package's directory, named by a variable
        for path in template.rglob("*"):
            if match := OPTIONAL_FILE.fullmatch(path.name):
                negated, option, name = match.groups()
                wanted = bool(CONTEXT[option]) != bool(negated)
                (chosen if wanted else left_out).add(rendered_path(template, path, name))
    for path in left_out - chosen - {None}:  # a variant chosen has the same path
        path.unlink(missing_ok=True)


def remove_folders_left_empty():
    """Remove folders that held only files of options that are off.

    Git keeps no empty folder either; dot-folders (.git, .venv) are left alone.
    """
    found = []
    for root, folders, _ in os.walk(PROJECT):
        folders[:] = [name for name in folders if not name.startswith(".")]
        found += [Path(root, name) for name in folders]
    for folder in reversed(found):  # a folder's subfolders come before it
        if not any(folder.iterdir()):
            folder.rmdir()


def rendered_path(template, path, name):
    """Where the template's file at ``path``, named ``name`` when on, is rendered."""
    parts = path.parent.relative_to(template).parts
    if parts[:1] == ("_backends",):
        if parts[1] != CONTEXT["backend"]:
            return None
        parts = parts[2:]
    where = [CONTEXT["module_name"] if p.startswith("{") else p for p in parts]
    return PROJECT.joinpath(*where, name)


def say(text):
    """Print ASCII only: the terminal running cookiecutter may not take more."""
    print(text.encode("ascii", "replace").decode("ascii"), flush=True)


def run(command, env):
    return subprocess.run(
        command, cwd=PROJECT, env=env, capture_output=True, text=True, check=False
    )


def uv_in(folder):
    """The uv executable that pip installed into ``folder`` (--target), or None."""
    return shutil.which("uv", path=os.pathsep.join([f"{folder}/bin", f"{folder}/Scripts"]))


def fetch_uv(env):
    """uv from the registry, once: pip installs its wheel into the user's cache (a few
    seconds; pip would take much longer over the package's dependencies). None if
    that fails."""
    if not uv_in(FETCHED_UV):
        try:
            FETCHED_UV.parent.mkdir(parents=True, exist_ok=True)
            staging = tempfile.mkdtemp(dir=FETCHED_UV.parent)
        except OSError:
            return None
        pip = [sys.executable, "-m", "pip", "install", "-q", "--target", staging, "uv"]
        if run(pip, env).returncode == 0 and uv_in(staging):
            with contextlib.suppress(OSError):  # another render was first: use its copy
                os.rename(staging, FETCHED_UV)
        shutil.rmtree(staging, ignore_errors=True)
    return uv_in(FETCHED_UV)


def install(env):
    """Create .venv with the package and its test group; return how to run pytest.

    With uv: uv on PATH, else uv fetched into the user's cache; else venv + pip."""
    uv, installer = shutil.which("uv"), "uv"
    if not uv:
        uv, installer = fetch_uv(env), f"uv fetched into {FETCHED_UV}"
    if uv:
        sync = [uv, "sync", "--python", sys.executable]  # as venv + pip: this Python
        steps = [[*sync, "--no-default-groups", "--group", "test"]]
        pytest = [uv, "run", "--no-sync", "pytest"]
    else:
        installer = "venv + pip"
        bindir = "Scripts" if os.name == "nt" else "bin"
        python = str(PROJECT / ".venv" / bindir / "python")
        steps = [
            [sys.executable, "-m", "venv", ".venv"],
            # --group needs pip 25.1 or newer
            [python, "-m", "pip", "install", "-q", "--upgrade", "pip"],
            [python, "-m", "pip", "install", "-q", "-e", ".", "--group", "test"],
        ]
        pytest = [python, "-m", "pytest"]
    for step in steps:
        try:
            result = run(step, env)
        except OSError as error:
            raise CannotInstall(f"{step[0]}: {error}") from error
        if result.returncode:
            raise CannotInstall(result.stderr.strip() or result.stdout.strip())
    return pytest, installer


def run_tests():
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    started = time.perf_counter()
    try:
        pytest, installer = install(env)
    except CannotInstall as error:
        last_line = (str(error).splitlines() or ["(no output)"])[-1]
        say(f"WARNING: could not create the test environment: {last_line}")
        say(f"The project is kept. Run its tests later: cd {PROJECT.name} && {TEST_COMMAND}")
        return 0
    installed = time.perf_counter() - started
    started = time.perf_counter()
    result = run([*pytest, "tests/unit_tests", "-q", "--no-header", "-p", "no:cacheprovider"], env)
    tested = time.perf_counter() - started
    # pytest's summary line, e.g. "== 71 passed in 0.18s ==", without the timing
    summary = (result.stdout.strip().splitlines() or ["no output"])[-1]
    summary = summary.strip("= ").split(" in ")[0]
    if result.returncode:
        say(result.stdout + result.stderr)
        say(f"ERROR: the tests of {PROJECT.name} failed ({summary}).")
        say("cookiecutter removes the project now; keep it to look into the failure with")
        say("  cookiecutter --keep-project-on-failure ...")
        return 1
    say(
        f"{PROJECT.name}: environment ready in {installed:.1f} s ({installer}); "
        f"unit tests: {summary} in {tested:.1f} s"
    )
    return 0


keep_chosen_files()
remove_files_of_options_that_are_off()
remove_folders_left_empty()
sys.exit(run_tests() if CONTEXT["run_tests"] else 0)
