"""The notebooks of a rendered package (``docs/``, one per model class): laid out like
LangChain's integration pages, stored without outputs, and run top to bottom.

Each notebook runs in the render's own environment (its test group, plus nbclient and
ipykernel for this test: ``uv run --with``), in a kernel that reaches the render's
loopback test server (``tests/unit_tests/*_server.py``, openai-compatible backend)
through the package's own environment variables, as a reader reaches theirs: the
base URL and the API key. The echo backend needs no server. The cells' outputs must
show the model at work: the served or echoed text, token by token where it streams.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

from conftest import render, run

# Two renders cover both backends, every model class and every optional cell (key,
# streaming, tools).
RENDERS = {
    "openai-compatible": {"embeddings": True},
    "echo": {"backend": "echo", "streaming": False, "use_api_key": False, "embeddings": True},
}
# The loopback server of tests/unit_tests/ that each notebook of the openai-compatible
# backend talks to (module:class).
SERVERS = {
    "llms.ipynb": "completions_server:CompletionsServer",
    "chat.ipynb": "chat_server:ChatServer",
    "text_embedding.ipynb": "embeddings_server:EmbeddingsServer",
}
BASE_URL, API_KEY = "PARROT_LINK_BASE_URL", "PARROT_LINK_API_KEY"
# The sections of LangChain's integration pages, in their order: for models, and for
# embeddings.
MODEL_SECTIONS = [
    "Overview",
    "Setup",
    "Installation",
    "Instantiation",
    "Invocation",
    "Streaming",
    "Batching",
    "Chaining",
    "API reference",
]
SECTIONS = {
    "llms.ipynb": MODEL_SECTIONS,
    "chat.ipynb": MODEL_SECTIONS,
    "text_embedding.ipynb": [
        "Overview",
        "Setup",
        "Installation",
        "Instantiation",
        "Indexing and Retrieval",
        "Direct Usage",
        "API reference",
    ],
}
RETRIEVED = "LangChain is the framework for building context-aware reasoning applications"
PROMPT = "The capital of France is"
# What cells show, by notebook and cell id: every model here echoes its input.
SHOWN = {
    "llms.ipynb": {
        "instantiate": ["ParrotLinkLLM", "Params: {"],
        "invoke": [PROMPT],
        "ainvoke": [PROMPT],
        "batch": ["'woof woof woof'", "'meow meow meow'"],
        "abatch": ["'woof woof woof'", "'meow meow meow'"],
        "chain": ["How to say I love programming. in German:"],
    },
    "chat.ipynb": {
        "invoke": ["AIMessage(", "I love programming."],
        "content": ["I love programming."],
        "ainvoke": ["'I love programming.'"],
        "batch": ["['woof woof woof', 'meow meow meow']"],
        "abatch": ["['woof woof woof', 'meow meow meow']"],
        "chain": ["'I love programming.'"],
        "tool-calls": ["'name': 'GetWeather'", "'args': {'location': 'Paris'}"],
        "structured-output": ["GetWeather(location='Paris')"],
    },
    "text_embedding.ipynb": {
        "retrieve": [repr(RETRIEVED)],
        "embed-query": ["["],
        "embed-documents": ["True"],
        "aembed-documents": ["True"],
    },
}
# Streamed cells print each chunk followed by "|": what they print, without the bars.
STREAMED = {
    "llms.ipynb": {
        "stream": PROMPT,
        "astream": PROMPT,
        "astream-events": "How to say I love programming. in German:\n",
    },
    "chat.ipynb": {"stream": "I love programming.", "astream": "I love programming."},
}

# Runs in the render's environment: one notebook, against its server if it has one.
RUNNER = """\
import importlib, os, sys
import nbformat
from nbclient import NotebookClient

notebook, server, executed, base_url = sys.argv[1:]
nb = nbformat.read(notebook, as_version=4)
client = NotebookClient(nb, timeout=120, kernel_name="python3",
                        resources={"metadata": {"path": "docs"}})
if server:
    module, name = server.split(":")
    with getattr(importlib.import_module("tests.unit_tests." + module), name)() as s:
        os.environ[base_url] = s.url  # the kernel starts with this environment
        client.execute()
else:
    client.execute()
nbformat.write(nb, executed)
"""


def notebooks(package: Path) -> list[Path]:
    return sorted((package / "docs").glob("*.ipynb"))


def shown(cell: Any) -> str:
    """The text a cell shows: what it printed and the value it ended with."""
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.append(output.get("data", {}).get("text/plain", ""))
    return "".join(parts)


@pytest.mark.parametrize("backend", list(RENDERS))
def test_the_notebooks_are_integration_pages_without_outputs(tmp_path: Path, backend: str) -> None:
    package = render(tmp_path, **RENDERS[backend])
    found = {path.name for path in notebooks(package)}
    assert found == {"llms.ipynb", "chat.ipynb", "text_embedding.ipynb"}
    assert {path.name for path in notebooks(render(tmp_path / "llm", chat_model=False))} == {
        "llms.ipynb"
    }
    for path in notebooks(package):
        text = path.read_text(encoding="utf-8")
        notebook = nbformat.reads(text, as_version=4)
        nbformat.validate(notebook)
        assert text == nbformat.writes(notebook) + "\n", f"{path.name}: not as Jupyter writes it"
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
        headings = [
            line.lstrip("#").strip()
            for cell in notebook.cells
            if cell.cell_type == "markdown"
            for line in cell.source.splitlines()
            if re.match(r"#{2,3} ", line)
        ]
        sections = SECTIONS[path.name]
        assert [h for h in headings if h in sections] == sections, (path.name, headings)
        with_key = RENDERS[backend].get("use_api_key", True)
        assert ("Credentials" in headings) == with_key, path.name


@pytest.mark.slow
@pytest.mark.parametrize("backend", list(RENDERS))
def test_every_notebook_runs_against_the_test_server(tmp_path: Path, backend: str) -> None:
    package = render(tmp_path, **RENDERS[backend])
    run(["uv", "sync", "--group", "test"], package)
    streaming = RENDERS[backend].get("streaming", True)
    for path in notebooks(package):
        server = SERVERS.get(path.name, "") if backend == "openai-compatible" else ""
        assert server or backend == "echo", f"add the test server of docs/{path.name} to SERVERS"
        executed = tmp_path / f"executed-{path.name}"
        command = ["uv", "run", "--no-sync", "--with", "nbclient", "--with", "ipykernel"]
        command += ["python", "-c", RUNNER, str(path), server, str(executed), BASE_URL]
        run(command, package, **{API_KEY: "sk-notebook-key"})

        cells = {cell.id: cell for cell in nbformat.read(executed, as_version=4).cells}
        code = [cell for cell in cells.values() if cell["cell_type"] == "code"]
        assert all(cell["execution_count"] for cell in code), f"{path.name}: not every cell ran"
        for cell_id, texts in SHOWN.get(path.name, {}).items():
            if cell_id not in cells:  # tools and structured output: openai-compatible only
                assert backend == "echo", (path.name, cell_id)
                continue
            for text in texts:
                assert text in shown(cells[cell_id]), (path.name, cell_id, shown(cells[cell_id]))
        for cell_id, text in STREAMED.get(path.name, {}).items():
            if cell_id not in cells:  # events: with streaming only
                assert not streaming, (path.name, cell_id)
                continue
            printed = shown(cells[cell_id])
            assert printed.endswith("|")
            assert printed.replace("|", "") == text, (path.name, cell_id, printed)
            if streaming:  # token by token: more than one chunk
                assert printed.count("|") > 1, (path.name, cell_id, printed)
