"""Benchmarks of the template and of the client it renders, side by side in one run.

    uv run python benchmarks/run.py            # full run, a few minutes
    uv run python benchmarks/run.py --quick    # checks it works: small counts
    uv run python benchmarks/run.py --json PATH --only client,import
    uv run python benchmarks/run.py --only client --rows chat_invoke,chat_abatch

Prints a Markdown table of medians and ratios, and writes every raw sample as JSON
(default ``benchmarks/results/latest.json``). Each figure is a ratio against a
reference measured in the same run on the same machine, and the sides of a ratio are
interleaved (ABC, BCA, CAB, ...) so that drift hits all of them alike.

Figures (see README.md in this directory for what each one means and its target):

* render: ``python -m cookiecutter --no-input`` of the default configuration with the
  tests off, against the same command on an empty one-file template (the floor), and
  against ``langchain-cli integration new`` (the peer; its ``poetry install`` step is
  replaced by a no-op so that only its render is timed).
* render_tests: the same command with the tests on (the whole main job: render,
  environment, unit tests), with uv, and with uv hidden from PATH: the uv that the
  hook fetches (from an empty user cache each time), and the pip fallback (fetching
  made to fail); each after one warm-up run so the package caches are warm.
* import: importing the rendered package against importing langchain_core's ``LLM``
  alone, each in a fresh interpreter and at 30 call depths (see ``IMPORT_CHILD``);
  what the package adds is its import after ``LLM`` (package_after_llm), checked
  against the cold imports' difference in user CPU time. Its model classes load on
  first use, so what importing each of them adds after ``LLM`` is measured too
  (llm_class_after_llm, chat_after_llm).
* invoke / ainvoke / stream / astream: the rendered client against the floor
  (``floor.py``, a bare-httpx ``LLM``) and the peer (``langchain_openai.OpenAI``), all
  on one loopback server (``server.py``, its own process) that answers at once.
* batch / abatch: 64 prompts at concurrency 16 against the server with 50 ms
  latency, against the ideal ceil(64/16) * 50 ms, LangChain's default ``LLM``
  (prompts one after another), the peer, and the same requests sent with bare httpx
  at the same concurrency (threads or a semaphore, no LangChain: what is reachable).
* embed / aembed: ``embed_documents`` of 2,000 short texts against the server
  answering each request after 20 ms (256 dimensions), in texts per second and peak
  memory: the rendered embeddings class (a package rendered with ``embeddings=yes``,
  in its own environment) against ``langchain_openai.OpenAIEmbeddings`` and a
  bare-httpx floor sending the same requests (``embeddings_clients.py``).
* chat_invoke ... chat_abatch: the same six for the rendered chat model, against a
  bare-httpx ``BaseChatModel`` (``floor.FloorChat``) and ``langchain_openai.ChatOpenAI``
  on ``/chat/completions`` of the same server; its batches against the ideal, the
  floor (``Runnable``'s default batch, already concurrent), the peer and bare httpx.
  Only when the render has the chat model.

The client figures run in a separate environment made for the run (uv venv in a
temporary directory) holding the rendered package, ``langchain-openai`` and the same
versions of langchain-core, httpx and pydantic as this project's environment.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from rotation import rotated

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE.parent
DEFAULT_JSON = HERE / "results" / "latest.json"
PARTS = ("render", "render_tests", "import", "client", "embeddings")

# Repeats and sizes. The quick mode only shows that every figure can be measured.
FULL: dict[str, Any] = {
    "render_repeats": 10,
    "render_tests_repeats": 3,
    "render_tests_warmup": True,
    "import_depths": 30,  # each import at 0 to 29 extra frames (see IMPORT_CHILD)
    "import_repeats": 2,
    "client": {
        "rounds": 30,
        "calls": 40,
        "warmup": 50,
        "stream_chunks": 2000,
        "stream_rounds": 10,
        "batch_size": 64,
        "concurrency": 16,
        "latency_ms": 50,
        "batch_rounds": 5,
    },
    "embeddings": {"embed_texts": 2000, "embed_latency_ms": 20, "embed_rounds": 20},
}
QUICK: dict[str, Any] = {
    "render_repeats": 2,
    "render_tests_repeats": 1,
    "render_tests_warmup": False,
    "import_depths": 2,
    "import_repeats": 1,
    "client": {
        "rounds": 3,
        "calls": 20,
        "warmup": 5,
        "stream_chunks": 300,
        "stream_rounds": 3,
        "batch_size": 16,
        "concurrency": 4,
        "latency_ms": 20,
        "batch_rounds": 2,
    },
    "embeddings": {"embed_texts": 200, "embed_latency_ms": 20, "embed_rounds": 3},
}

# Pinned so the client figures use what this project's environment uses.
SAME_VERSIONS = ("langchain-core", "langchain-openai", "openai", "httpx", "pydantic")


class Unavailable(Exception):
    """A figure cannot be measured here; the message says why."""


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def find_uv() -> str:
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if not found:
            raise SystemExit("the benchmarks need uv: run them with `uv run`") from None
        return found


# PYTHONDONTWRITEBYTECODE (set on this machine) would make every child compile every
# module it imports on every run: that measures the compiler, not the code.
DROPPED_VARIABLES = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE")


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of every command the benchmarks run."""
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_VARIABLES}
    return {**env, **extra}


def path_without_uv() -> str:
    """PATH less every directory that holds a ``uv`` (to measure the pip fallback)."""
    keep = [
        d for d in os.environ.get("PATH", "").split(os.pathsep) if d and not Path(d, "uv").exists()
    ]
    return os.pathsep.join(keep)


def run(
    command: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        list(command), cwd=cwd, env=env or clean_env(), capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise RuntimeError(
            f"{' '.join(map(str, command))} exited {result.returncode}\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result


def timed_run(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    run(command, cwd, env)
    return time.perf_counter() - started


def fresh_dir(work: Path, prefix: str) -> Path:
    """A new empty directory under ``work``."""
    return Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=work))


def interleave(sides: dict[str, Callable[[], float]], repeats: int) -> dict[str, list[float]]:
    """Call every side ``repeats`` times in rotating order; collect their figures."""
    samples: dict[str, list[float]] = {name: [] for name in sides}
    for r in range(repeats):
        for name in rotated(list(sides), r):
            samples[name].append(sides[name]())
    return samples


# --------------------------------------------------------------------------- setup


def context_of(template: Path, answers: dict[str, str]) -> dict[str, Any]:
    from cookiecutter.generate import generate_context
    from cookiecutter.prompt import prompt_for_config

    # cookiecutter.json's _extensions are modules of the template's own directory
    sys.path.insert(0, str(template))

    context = generate_context(
        context_file=str(template / "cookiecutter.json"),
        extra_context={"run_tests": False, **answers},
    )
    return dict(prompt_for_config(context, no_input=True))


def render_args(answers: dict[str, str]) -> list[str]:
    return [f"{key}={value}" for key, value in answers.items()]


def cookiecutter_command(template: Path, out: Path, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "cookiecutter",
        "--no-input",
        "-o",
        str(out),
        str(template),
        *args,
    ]


def make_floor_template(where: Path) -> Path:
    """The smallest template: one variable, one file, no hooks."""
    template = where / "floor-template"
    (template / "{{cookiecutter.project_slug}}").mkdir(parents=True)
    (template / "cookiecutter.json").write_text('{"project_slug": "floor"}\n')
    (template / "{{cookiecutter.project_slug}}" / "README.md").write_text(
        "# {{ cookiecutter.project_slug }}\n"
    )
    return template


def make_peer_cli(where: Path, uv: str) -> tuple[Path, Path]:
    """Install langchain-cli in its own venv; return its command and a no-op poetry dir."""
    venv = where / "peer-cli"
    run([uv, "venv", "-q", "--python", sys.executable, str(venv)])
    try:
        run([uv, "pip", "install", "-q", "--python", str(venv / "bin" / "python"), "langchain-cli"])
    except RuntimeError as error:
        raise Unavailable(f"langchain-cli cannot be installed: {str(error)[-300:]}") from error
    stub = where / "no-poetry"
    stub.mkdir()
    poetry = stub / "poetry"
    poetry.write_text("#!/bin/sh\nexit 0\n")
    poetry.chmod(0o755)
    return venv / "bin" / "langchain-cli", stub


def make_bench_env(where: Path, project: Path, uv: str) -> Path:
    """A venv with the rendered package, langchain-openai and pyinstrument."""
    venv = where / "bench-env"
    run([uv, "venv", "-q", "--python", sys.executable, str(venv)])
    pins = []
    for name in SAME_VERSIONS:
        try:
            pins.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pins.append(name)
    python = venv / "bin" / "python"
    command = [uv, "pip", "install", "-q", "--compile-bytecode", "--python", str(python)]
    run([*command, str(project), *pins, "pyinstrument"])
    return python


# --------------------------------------------------------------------------- parts


def bench_render(
    template: Path, work: Path, answers: dict[str, str], repeats: int, uv: str, notes: list[str]
) -> dict[str, list[float]]:
    floor_template = make_floor_template(work)

    def fresh() -> Path:
        return fresh_dir(work, "render")

    def ours() -> float:
        out = fresh()
        command = cookiecutter_command(template, out, "run_tests=false", *render_args(answers))
        seconds = timed_run(command, out)
        shutil.rmtree(out)
        return seconds

    def floor() -> float:
        out = fresh()
        seconds = timed_run(cookiecutter_command(floor_template, out), out)
        shutil.rmtree(out)
        return seconds

    sides: dict[str, Callable[[], float]] = {"template": ours, "floor": floor}
    try:
        cli, no_poetry = make_peer_cli(work, uv)
    except Unavailable as error:
        notes.append(f"render peer: {error}")
    else:
        env = clean_env(PATH=f"{no_poetry}{os.pathsep}{os.environ.get('PATH', '')}")
        command = [str(cli), "integration", "new", "--name", "parrot-link"]
        command += ["--name-class", "ParrotLink"]

        def peer() -> float:
            out = fresh()
            seconds = timed_run(command, out, env)
            if not (out / "langchain-parrot-link" / "pyproject.toml").exists():
                raise RuntimeError("langchain-cli integration new rendered nothing")
            shutil.rmtree(out)
            return seconds

        sides["peer"] = peer
        notes.append(
            "render peer: `langchain-cli integration new` with its `poetry install` "
            "step replaced by a no-op (render only, like the template with run_tests=false)"
        )
    for side in sides.values():  # warm the file system cache and .pyc files
        side()
    return interleave(sides, repeats)


def bench_render_tests(
    template: Path,
    work: Path,
    answers: dict[str, str],
    repeats: int,
    warmup: bool,
    summaries: list[str],
) -> dict[str, list[float]]:
    # The installer the hook uses, and what it prints. Without uv on PATH the hook
    # fetches uv into the user's cache (XDG_CACHE_HOME): "fetched" starts each render
    # from an empty one (a first render); for "pip" it is a file, so fetching fails.
    # pip's and uv's package caches stay where they are, warm, for every side.
    installers = {"uv": "(uv)", "fetched": "(uv fetched into", "pip": "(venv + pip)"}
    package_caches = {
        "PIP_CACHE_DIR": run([sys.executable, "-m", "pip", "cache", "dir"]).stdout.strip(),
        "UV_CACHE_DIR": run([find_uv(), "cache", "dir"]).stdout.strip(),
    }

    def env_of(installer: str, out: Path) -> dict[str, str]:
        if installer == "uv":
            return clean_env()
        cache_home = out / "cache"
        if installer == "pip":
            cache_home.write_text("not a folder: no uv can be kept here\n")
        return clean_env(PATH=path_without_uv(), XDG_CACHE_HOME=str(cache_home), **package_caches)

    def main_job(installer: str) -> Callable[[], float]:
        def once() -> float:
            out = fresh_dir(work, f"tests-{installer}")
            command = cookiecutter_command(template, out, "run_tests=true", *render_args(answers))
            env = env_of(installer, out)
            started = time.perf_counter()
            result = run(command, out, env)
            seconds = time.perf_counter() - started
            output = result.stdout + result.stderr
            if "could not create the test environment" in output or "passed" not in output:
                raise RuntimeError(f"the post-gen tests did not run ({installer}):\n{output}")
            wanted = installers[installer]
            if wanted not in output:
                raise RuntimeError(f"expected the {installer} installer:\n{output}")
            summaries.append(output.strip().splitlines()[-1])
            shutil.rmtree(out)
            return seconds

        return once

    sides = {name: main_job(name) for name in installers}
    if warmup:
        for name, side in sides.items():
            log(f"render+tests warm-up ({name})")
            side()
    return interleave(sides, repeats)


# One import in a fresh interpreter, run under ``depth`` extra Python frames; prints
# its wall time, user CPU time and page faults. On a CPython without the fix of
# gh-142183 (3.11 and 3.12; 3.13 and 3.14 got it in March 2026), an import whose hot
# loops sit where the frame stack crosses from one 16 KiB chunk to the next maps and
# unmaps a chunk on every call there: thousands of mmap/munmap calls and page faults,
# up to +180 ms of system time for the same work. Which call depth hits it is luck,
# so each side is measured over a range of depths, and the user CPU time (which
# leaves that kernel work out) tells the cost of the code itself.
IMPORT_CHILD = """\
import resource, time
{before}
def at_depth(n):
    return at_depth(n - 1) if n else __import__({module!r})
usage, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
at_depth({depth})
wall, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF)
print(wall, after.ru_utime - usage.ru_utime, after.ru_minflt - usage.ru_minflt)
"""
IMPORT_MEASURES = ("seconds", "user_cpu_seconds", "page_faults")


def bench_import(
    python: Path, context: dict[str, Any], depths: Sequence[int], repeats: int
) -> dict[str, Any]:
    module = context["module_name"]
    llm_module = "langchain_core.language_models.llms"
    after_llm = f"import {llm_module}"
    sides = {
        # the package's LLM class (the classes load lazily: `import package` alone
        # brings no langchain_core), cold
        "llm_class": (f"{module}.llms", ""),
        "llm": (llm_module, ""),
        # the package's own cost: imported when langchain_core's LLM already is
        "package_after_llm": (module, after_llm),
        # what `from package import <the LLM class>` adds to that
        "llm_class_after_llm": (f"{module}.llms", after_llm),
    }
    if context["chat_model"]:  # and `from package import <the chat model>`
        sides["chat_after_llm"] = (f"{module}.chat_models", after_llm)
    raw: dict[str, Any] = {measure: {side: [] for side in sides} for measure in IMPORT_MEASURES}

    def once(side: str, depth: int) -> list[str]:
        target, before = sides[side]
        code = IMPORT_CHILD.format(before=before, module=target, depth=depth)
        return run([str(python), "-c", code], HERE).stdout.split()

    for side in sides:  # write .pyc files first
        once(side, 0)
    for r in range(repeats):
        for depth in depths:
            for side in rotated(list(sides), r + depth):
                for measure, value in zip(IMPORT_MEASURES, once(side, depth), strict=True):
                    raw[measure][side].append(float(value))
    raw["depths"] = [d for _ in range(repeats) for d in depths]
    return raw


@contextmanager
def loopback_server(python: Path):  # type: ignore[no-untyped-def]
    server = subprocess.Popen(
        [str(python), str(HERE / "server.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        assert server.stdin is not None
        server.stdin.close()
        try:
            server.wait(5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def client_config(base_url: str, context: dict[str, Any], sizes: dict[str, Any]) -> str:
    """The JSON argument of clients.py: the server, the rendered classes, the sizes."""
    module = context["module_name"]
    config = {"base_url": base_url, "rendered": f"{module}:{context['class_name']}", **sizes}
    if context["chat_model"]:
        config["rendered_chat"] = f"{module}:{context['chat_class_name']}"
    return json.dumps(config)


def bench_client(python: Path, context: dict[str, Any], sizes: dict[str, Any]) -> dict[str, Any]:
    with loopback_server(python) as base_url:
        config = client_config(base_url, context, sizes)
        result = run([str(python), str(HERE / "clients.py"), config], HERE)
    return json.loads(result.stdout)


def bench_embeddings(
    template: Path, work: Path, answers: dict[str, str], uv: str, sizes: dict[str, Any]
) -> dict[str, Any]:
    """The embed rows: a package rendered with embeddings on, in its own environment."""
    answers = {**answers, "embeddings": "true"}
    context = context_of(template, answers)
    where = fresh_dir(work, "embeddings")
    from cookiecutter.main import cookiecutter

    project = cookiecutter(
        str(template),
        no_input=True,
        output_dir=str(where / "package"),
        extra_context={"run_tests": False, **answers},
    )
    python = make_bench_env(where, Path(project), uv)
    rendered = f"{context['module_name']}:{context['embeddings_class_name']}"
    with loopback_server(python) as base_url:
        config = json.dumps(
            {"base_url": base_url, "embeddings": rendered, "embed_warmup": 2, **sizes}
        )
        result = run([str(python), str(HERE / "embeddings_clients.py"), config], HERE)
    return {**json.loads(result.stdout), "sizes": sizes}


def profile_client(
    python: Path, context: dict[str, Any], sizes: dict[str, Any], what: str, out: Path
) -> None:
    workload, _, client = what.partition(":")
    with loopback_server(python) as base_url:
        config = client_config(base_url, context, sizes)
        run(
            [
                str(python),
                str(HERE / "clients.py"),
                config,
                "--profile",
                workload,
                client or "rendered",
                str(out),
            ],
            HERE,
        )


# --------------------------------------------------------------------------- report


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def figure(
    unit: str,
    samples: dict[str, list[float]],
    scale: float,
    ratios: Mapping[str, tuple[str, str | float]],
    target: str,
    met: Callable[[dict[str, float], dict[str, float]], bool] | None,
    higher_is_better: bool = False,
) -> dict[str, Any]:
    """One row: samples per side, medians (in ``unit``), ratios, target.

    A ratio of two sides is the median of their per-round ratios (the two ran next
    to each other in each round, so drift between rounds cancels); a ratio to a
    constant (the ideal batch time) is the side's median over the constant.
    """
    medians = {side: median(values) * scale for side, values in samples.items()}
    ratio_values = {}
    for label, (side, reference) in ratios.items():
        if isinstance(reference, str):  # paired: the sides ran next to each other
            pairs = zip(samples[side], samples[reference], strict=True)
            ratio_values[label] = median([a / b for a, b in pairs])
        else:
            ratio_values[label] = medians[side] / (reference * scale)
    return {
        "unit": unit,
        "samples": samples,
        "median": medians,
        "ratios": ratio_values,
        "target": target,
        "met": None if met is None else bool(met(medians, ratio_values)),
        "higher_is_better": higher_is_better,
    }


def import_figure(raw: dict[str, Any]) -> dict[str, Any]:
    """The import row: medians over every depth and round, and the spread by depth.

    What the package adds over ``LLM`` is its import when ``LLM`` is already
    imported (own_ms), and that of its LLM class (llm_class_ms) and chat model
    (chat_ms), each checked against the cold imports' difference (LLM class - LLM)
    in user CPU time. Their wall times differ by more, or less, because of the
    interpreter's stack-chunk churn (see ``IMPORT_CHILD``), which depends on the
    call depth and not on the code imported.
    """
    row = figure(
        "ms",
        raw["seconds"],
        1000,
        {"LLM class / LLM": ("llm_class", "llm")},
        "adds under 30 ms",
        None,
    )

    def added_ms(measure: str) -> float:
        pairs = zip(raw[measure]["llm_class"], raw[measure]["llm"], strict=True)
        return median([(a - b) * 1000 for a, b in pairs])

    row["added_ms"] = added_ms("seconds")
    row["added_user_cpu_ms"] = added_ms("user_cpu_seconds")
    row["own_ms"] = row["median"]["package_after_llm"]
    row["llm_class_ms"] = row["median"]["llm_class_after_llm"]
    row["chat_ms"] = row["median"].get("chat_after_llm")
    row["met"] = max(row["own_ms"], row["llm_class_ms"], row["added_user_cpu_ms"]) < 30
    row["user_cpu_ms"] = {side: median(v) * 1000 for side, v in raw["user_cpu_seconds"].items()}
    row["page_faults"] = {side: median(v) for side, v in raw["page_faults"].items()}
    by_depth: dict[str, dict[int, float]] = {}
    for side, values in raw["seconds"].items():
        per_depth: dict[int, list[float]] = {}
        for depth, value in zip(raw["depths"], values, strict=True):
            per_depth.setdefault(depth, []).append(value * 1000)
        by_depth[side] = {depth: median(v) for depth, v in sorted(per_depth.items())}
    row["by_depth_ms"] = by_depth
    return row


def figures_of(raw: dict[str, Any], sizes: dict[str, Any]) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    if "render" in raw:
        samples = raw["render"]
        ratios = {"template / floor": ("template", "floor")}
        if "peer" in samples:
            ratios["template / peer"] = ("template", "peer")
        figures["render"] = figure("ms", samples, 1000, ratios, "", None)
    if "render_tests" in raw:
        figures["render_tests"] = figure(
            "s",
            raw["render_tests"],
            1,
            {"fetched / uv": ("fetched", "uv"), "pip / uv": ("pip", "uv")},
            "uv under 15 s; fetched uv <= 1.30 x uv",
            lambda m, r: m["uv"] < 15 and r["fetched / uv"] <= 1.30,
        )
    if "import" in raw:
        figures["import"] = import_figure(raw["import"])
    client = raw.get("client")
    if client:
        for prefix in ("", "chat_"):
            figures.update(model_figures(client, sizes, prefix))
    if "embeddings" in raw:
        figures.update(embeddings_figures(raw["embeddings"]))
    return figures


def model_figures(client: dict[str, Any], sizes: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The rows of one kind of model (``prefix``: "" for the ``LLM``, "chat_").

    Latency and chunk rate against its floor and its peer; batches against the
    ideal time, every side (bare httpx included) and the rendered one over httpx.
    """
    versus = {
        "rendered / floor": ("rendered", "floor"),
        "rendered / peer": ("rendered", "peer"),
    }
    figures: dict[str, Any] = {}
    for name in (f"{prefix}invoke", f"{prefix}ainvoke"):
        if f"{name}_s" in client:
            figures[name] = figure(
                "ms",
                client[f"{name}_s"],
                1000,
                versus,
                "<= 1.10 x floor, < peer",
                lambda m, r: r["rendered / floor"] <= 1.10 and r["rendered / peer"] < 1,
            )
    for name in (f"{prefix}stream", f"{prefix}astream"):
        if f"{name}_chunks_per_s" in client:
            figures[name] = figure(
                "chunks/s",
                client[f"{name}_chunks_per_s"],
                1,
                versus,
                ">= 1.5 x peer",
                lambda m, r: r["rendered / peer"] >= 1.5,
                higher_is_better=True,
            )
    ideal = math.ceil(sizes["batch_size"] / sizes["concurrency"]) * sizes["latency_ms"] / 1000
    for name in (f"{prefix}batch", f"{prefix}abatch"):
        if f"{name}_s" in client:
            samples = client[f"{name}_s"]
            ratios: dict[str, tuple[str, str | float]] = {
                f"{side} / ideal": (side, ideal) for side in samples
            }
            ratios["rendered / httpx"] = ("rendered", "httpx")
            row = figure(
                "ms",
                samples,
                1000,
                ratios,
                "<= 1.10 x ideal",
                lambda m, r: r["rendered / ideal"] <= 1.10,
            )
            figures[name] = {**row, "ideal_ms": ideal * 1000}
    return figures


def embeddings_figures(raw: dict[str, Any]) -> dict[str, Any]:
    """The embed rows: texts per second of each side, their ratios, peak memory."""
    sizes, rows = raw["sizes"], {}
    for name, key in (("embed", "embed_s"), ("aembed", "aembed_s")):
        throughput = {
            side: [sizes["embed_texts"] / seconds for seconds in values]
            for side, values in raw[key].items()
        }
        row = figure(
            "texts/s",
            throughput,
            1,
            {"rendered / peer": ("rendered", "peer"), "rendered / floor": ("rendered", "floor")},
            ">= 1.5 x peer, >= floor / 1.15",
            lambda m, r: r["rendered / peer"] >= 1.5 and r["rendered / floor"] >= 1 / 1.15,
            higher_is_better=True,
        )
        row["peak_mib"] = {side: median(v) for side, v in raw[f"{name}_peak_mib"].items()}
        row["sizes"] = sizes
        rows[name] = row
    return rows


LABELS = {
    "render": "render, tests off",
    "render_tests": "render + post-gen tests (warm cache)",
    "import": "import time",
    "invoke": "invoke latency",
    "ainvoke": "ainvoke latency",
    "stream": "stream throughput",
    "astream": "astream throughput",
    "batch": "batch",
    "abatch": "abatch",
    "chat_invoke": "chat invoke latency",
    "chat_ainvoke": "chat ainvoke latency",
    "chat_stream": "chat stream throughput",
    "chat_astream": "chat astream throughput",
    "chat_batch": "chat batch",
    "chat_abatch": "chat abatch",
    "embed": "embed_documents throughput",
    "aembed": "aembed_documents throughput",
}


def embeddings_label(row: dict[str, Any]) -> str:
    """What an embed row measured, and the peak memory of each side."""
    peaks = ", ".join(f"{side} {number(v)}" for side, v in row["peak_mib"].items())
    sizes = row["sizes"]
    return (
        f" ({sizes['embed_texts']} texts, {sizes['embed_latency_ms']} ms a request;"
        f" peak MiB: {peaks})"
    )


def number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}" if value >= 1 else f"{value:.3f}"


def table(figures: dict[str, Any], sizes: dict[str, Any]) -> str:
    lines = [
        "| figure | unit | medians | ratios | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for name, row in figures.items():
        label = LABELS[name]
        if name.endswith("batch"):
            label += (
                f" ({sizes['batch_size']} prompts, {sizes['latency_ms']} ms,"
                f" concurrency {sizes['concurrency']}; ideal {number(row['ideal_ms'])} ms)"
            )
        if name.endswith("stream"):
            label += f" ({sizes['stream_chunks']} chunks)"
        if "peak_mib" in row:
            label += embeddings_label(row)
        medians = ", ".join(f"{side} {number(v)}" for side, v in row["median"].items())
        ratios = ", ".join(f"{label_} {v:.2f}" for label_, v in row["ratios"].items())
        if name == "import":
            ratios += (
                f"; adds {row['own_ms']:.1f} ms (imported after LLM), its LLM class"
                f" {row['llm_class_ms']:.1f} ms"
                + (f", its chat model {row['chat_ms']:.1f} ms" if row["chat_ms"] else "")
                + f"; cold, LLM class - LLM: {row['added_user_cpu_ms']:.1f} ms user CPU,"
                f" {row['added_ms']:.1f} ms wall"
            )
            spread = ", ".join(
                f"{side} {number(min(v.values()))}-{number(max(v.values()))}"
                for side, v in row["by_depth_ms"].items()
            )
            depths = len(row["by_depth_ms"]["llm"])
            label += f" (medians over {depths} call depths; range by depth: {spread})"
        met = {None: "", True: "yes", False: "**no**"}[row["met"]]
        lines.append(
            f"| {label} | {row['unit']} | {medians} | {ratios} | {row['target']} | {met} |"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few repeats, small counts")
    parser.add_argument(
        "--json", type=Path, default=DEFAULT_JSON, help="where to write raw figures"
    )
    parser.add_argument(
        "--only", default=",".join(PARTS), help=f"comma-separated parts of {', '.join(PARTS)}"
    )
    parser.add_argument(
        "--rows",
        metavar="ROW,...",
        help="only these client rows: invoke, ainvoke, stream, astream, batch, abatch, and "
        "the same prefixed with chat_ (default: all the render has)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a template answer for the renders (default: the template's defaults)",
    )
    parser.add_argument(
        "--profile",
        metavar="ROW[:CLIENT]",
        help="instead of the client figures, profile one row (invoke, ainvoke, stream, "
        "astream, batch, abatch, or one of these prefixed with chat_) of one client "
        "(rendered, floor, peer; LLM batch: default; batch: httpx) with pyinstrument; "
        "the report goes beside the JSON",
    )
    parser.add_argument(
        "--template", type=Path, default=TEMPLATE, help="template to render (default: this one)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise SystemExit(f"unknown parts: {', '.join(sorted(unknown))} (known: {', '.join(PARTS)})")
    answers = dict(item.split("=", 1) for item in args.set)
    mode = QUICK if args.quick else FULL
    sizes = mode["client"]
    uv = find_uv()
    context = context_of(args.template, answers)
    if args.rows:
        sizes = {**sizes, "rows": [row.strip() for row in args.rows.split(",") if row.strip()]}
    notes: list[str] = []
    summaries: list[str] = []
    raw: dict[str, Any] = {}
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="lc-llm-bench-"))
    try:
        needs_env = {"import", "client"} & set(parts) or args.profile
        if needs_env:
            from cookiecutter.main import cookiecutter

            log("rendering the package and making the benchmark environment")
            project = Path(
                cookiecutter(
                    str(args.template),
                    no_input=True,
                    output_dir=str(work / "package"),
                    extra_context={"run_tests": False, **answers},
                )
            )
            python = make_bench_env(work, project, uv)
        if args.profile:
            out = args.json.parent / f"profile-{args.profile.replace(':', '-')}.txt"
            out.parent.mkdir(parents=True, exist_ok=True)
            profile_client(python, context, sizes, args.profile, out)
            print(out.read_text())
            log(f"profile written to {out}")
            return 0
        if "render" in parts:
            log("render")
            raw["render"] = bench_render(
                args.template, work, answers, mode["render_repeats"], uv, notes
            )
        if "render_tests" in parts:
            log("render + post-gen tests (uv, uv fetched by the hook, pip fallback)")
            raw["render_tests"] = bench_render_tests(
                args.template,
                work,
                answers,
                mode["render_tests_repeats"],
                mode["render_tests_warmup"],
                summaries,
            )
        if "import" in parts:
            log("import time")
            raw["import"] = bench_import(
                python, context, range(mode["import_depths"]), mode["import_repeats"]
            )
        if "embeddings" in parts:
            if context["backend"] != "openai-compatible":
                notes.append(f"embed figures: the {context['backend']} backend is no HTTP client")
            else:
                log("embedding figures (loopback server)")
                raw["embeddings"] = bench_embeddings(
                    args.template, work, answers, uv, mode["embeddings"]
                )
        if "client" in parts:
            if context["backend"] != "openai-compatible":
                notes.append(f"client figures: the {context['backend']} backend is no HTTP client")
            else:
                log("client figures (loopback server)")
                raw["client"] = bench_client(python, context, sizes)
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    figures = figures_of(raw, sizes)
    problems = list(raw.get("client", {}).get("problems", []))
    output = {
        "meta": {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": " ".join([Path(sys.argv[0]).name, *(argv or sys.argv[1:])]),
            "quick": args.quick,
            "python": platform.python_version(),
            "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
            "versions": {
                name: metadata.version(name)
                for name in ("cookiecutter", *SAME_VERSIONS)
                if _installed(name)
            },
            "answers": answers,
            "sizes": mode,
            "seconds": time.perf_counter() - started,
        },
        "figures": figures,
        "notes": notes,
        "post_gen_summaries": summaries,
        "problems": problems,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(output, indent=1) + "\n")
    print(table(figures, sizes))
    for note in notes:
        print(f"\nnote: {note}")
    for problem in problems:
        print(f"\nPROBLEM: {problem}")
    log(f"raw figures in {args.json} ({time.perf_counter() - started:.0f} s)")
    return 1 if problems else 0


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
