"""Every real provider name renders a clean package; every spelling follows the answers.

Renders are checked with this environment's ruff (against each render's own config) and
imported in this process, so the whole file stays fast; the rendered unit tests run for
a sample (slow) and for the option matrix in test_render.py.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import itertools
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config

from conftest import TEMPLATE, render, run

sys.path.append(str(TEMPLATE))  # the Jinja extension that cookiecutter.json names
import cookiecutter_langchain_llm_checks as checks

HOOK = TEMPLATE / "hooks" / "pre_gen_project.py"

# Display names of real model providers, as their integrations spell them: LangChain's
# partner and community packages, and OpenAI-compatible hosts.
PROVIDERS = [
    "OpenAI",
    "Anthropic",
    "Mistral AI",
    "Cohere",
    "Google Vertex AI",
    "Amazon Bedrock Runtime",
    "Azure Dynamic Sessions",
    "Azure AI Foundry Models",
    "Cloudflare Workers AI",
    "Alibaba Cloud DashScope",
    "Text Generation Inference",
    "Oracle Cloud Infrastructure Generative AI",
    "01.AI",
    "360 AI",
    "IBM watsonx.ai",
    "Moonshot AI (Kimi)",
    "Zhipu AI (智谱)",
    "Baichuan (百川)",
    "YandexGPT (Яндекс)",
    "Naver HyperCLOVA X",
    "Hugging Face",
    "Together AI",
    "Fireworks AI",
    "DeepSeek",
    "xAI",
    "Groq",
    "Cerebras",
    "Perplexity",
    "NVIDIA AI Endpoints",
    "Upstage",
    "Writer",
    "AI21 Labs",
    "Voyage AI",
    "Nomic",
    "Ollama",
    "llama.cpp",
    "vLLM",
    "GPT4All",
    "Replicate",
    "Databricks",
    "Snowflake Cortex",
    "SambaNova",
    "Baidu Qianfan",
    "GigaChat",
    "Sber",
    "Deep Infra",
    "OctoAI",
    "Friendli",
    "Predibase",
    "LM Studio",
    "Jina AI",
    "MiniMax",
    "Llama API",
    "Ai",
    "X",
]
# Names LangChain's partner and community packages use today: every limit admits them.
LANGCHAIN_NAMES = {
    "package_name": [
        "langchain-google-memorystore-redis",
        "langchain-azure-dynamic-sessions",
        "langchain-nvidia-ai-endpoints",
        "langchain-google-cloud-sql-mssql",
    ],
    "module_name": [
        "langchain_google_memorystore_redis",
        "langchain_azure_dynamic_sessions",
        "langchain_nvidia_ai_endpoints",
    ],
    "class_name": [
        "SelfHostedHuggingFaceInstructEmbeddings",
        "HuggingFaceInferenceAPIEmbeddings",
        "AzureMLChatOnlineEndpoint",
        "OCIModelDeploymentVLLM",
        "QianfanLLMEndpoint",
    ],
    "api_key_env_var": [
        "AZURE_COGNITIVE_SERVICES_KEY",
        "HUGGINGFACEHUB_API_TOKEN",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "NVIDIA_API_KEY",
    ],
}
LEFTOVER = re.compile(r"\{\{|\{%|cookiecutter\.")
CAPWORDS = re.compile(r"[A-Z][A-Za-z0-9]*")


def answers(**given: Any) -> dict[str, Any]:
    """Every answer, as cookiecutter derives it from the ``given`` ones without asking."""
    context = generate_context(context_file=str(TEMPLATE / "cookiecutter.json"))
    context["cookiecutter"].update(given)
    return dict(prompt_for_config(context, no_input=True))


def lint(project: Path) -> None:
    """ruff check and ruff format --check, with the render's own configuration."""
    for command in (["check", "--no-cache"], ["format", "--check", "--no-cache"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "."],
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def leftovers(project: Path) -> list[str]:
    return [
        f"{path.relative_to(project)}: {line.strip()}"
        for path in project.rglob("*")
        if path.is_file()
        for line in path.read_text(encoding="utf-8").splitlines()
        if LEFTOVER.search(line)
    ]


@contextmanager
def imported(project: Path, module_name: str) -> Iterator[ModuleType]:
    """The rendered package, imported from its source tree (it is not installed); an
    installed package of that name (langchain_openai is) is set aside meanwhile."""

    def take_out() -> dict[str, ModuleType]:
        names = [name for name in sys.modules if name.split(".")[0] == module_name]
        return {name: sys.modules.pop(name) for name in names}

    installed = take_out()
    sys.path.insert(0, str(project))
    importlib.invalidate_caches()
    try:
        yield importlib.import_module(module_name)
    finally:
        sys.path.remove(str(project))
        take_out()
        sys.modules.update(installed)


def check_render(project: Path, context: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Clean, format-clean, importable from source, and its class instantiates."""
    assert leftovers(project) == []
    lint(project)
    monkeypatch.setenv(context["api_key_env_var"], "sk-test")
    fields = {"n": 5} if context["backend"] == "echo" else {}  # the echo model's one
    with imported(project, context["module_name"]) as module:
        llm = getattr(module, context["class_name"])(**fields)
        assert llm._llm_type == context["provider_id"]
        if context["embeddings"]:
            embeddings = getattr(module, context["embeddings_class_name"])()
            assert type(embeddings).__name__ == context["embeddings_class_name"]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_real_provider_name_renders_clean_with_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, provider: str
) -> None:
    context = answers(provider_name=provider)
    project = render(tmp_path, provider_name=provider)
    assert project.name == context["package_name"]
    check_render(project, context, monkeypatch)


def test_the_list_has_forty_real_providers() -> None:
    assert len(set(PROVIDERS)) >= 40


@pytest.mark.parametrize(
    ("given", "derived"),
    [
        (
            {"provider_name": "Parrot Link"},
            {
                "package_name": "langchain-parrot-link",
                "module_name": "langchain_parrot_link",
                "class_name": "ParrotLinkLLM",
                "chat_class_name": "ChatParrotLink",
                "embeddings_class_name": "ParrotLinkEmbeddings",
                "provider_id": "parrot_link",
                "api_key_env_var": "PARROT_LINK_API_KEY",
                "__env_prefix": "PARROT_LINK",
                "__provider_slug": "parrot-link",
            },
        ),
        (  # digit-led: the class starts with LLM, env vars with the package name
            {"provider_name": "01.AI"},
            {
                "package_name": "langchain-01-ai",
                "module_name": "langchain_01_ai",
                "class_name": "LLM01AI",
                "chat_class_name": "Chat01AI",
                "embeddings_class_name": "Embeddings01AI",
                "provider_id": "01_ai",
                "api_key_env_var": "LANGCHAIN_01_AI_API_KEY",
                "__env_prefix": "LANGCHAIN_01_AI",
            },
        ),
        (  # punctuation and capitals as written
            {"provider_name": "IBM watsonx.ai"},
            {"package_name": "langchain-ibm-watsonx-ai", "class_name": "IBMWatsonxAiLLM"},
        ),
        (  # non-ASCII: transliterated
            {"provider_name": "Zhipu AI (智谱)"},
            {"package_name": "langchain-zhipu-ai-zhi-pu", "class_name": "ZhipuAIZhiPuLLM"},
        ),
        (  # a package answer: everything after it follows the package, not the display name
            {"provider_name": "Moonshot AI (Kimi)", "package_name": "langchain-moonshot"},
            {
                "module_name": "langchain_moonshot",
                "class_name": "MoonshotLLM",
                "chat_class_name": "ChatMoonshot",
                "embeddings_class_name": "MoonshotEmbeddings",
                "provider_id": "moonshot",
                "api_key_env_var": "MOONSHOT_API_KEY",
                "__env_prefix": "MOONSHOT",
                "__provider_slug": "moonshot",
                "api_base_url": "https://api.moonshot.example/v1",
                "default_model": "moonshot-base",
            },
        ),
        (  # an env var answer names the other env vars
            {"provider_name": "Moonshot AI (Kimi)", "api_key_env_var": "KIMI_API_KEY"},
            {"__env_prefix": "KIMI", "__provider_slug": "moonshot-ai-kimi"},
        ),
        (  # ... unless it does not end in _API_KEY: then the package names them
            {"package_name": "langchain-moonshot", "api_key_env_var": "MOONSHOT_TOKEN"},
            {"__env_prefix": "MOONSHOT"},
        ),
        (  # a package outside the langchain- namespace is the slug whole
            {"package_name": "parrot-langchain"},
            {"__provider_slug": "parrot-langchain", "class_name": "ParrotLangchainLLM"},
        ),
    ],
    ids=[
        "default",
        "digit-led",
        "punctuation",
        "non-ascii",
        "package",
        "env-var",
        "env-token",
        "ns",
    ],
)
def test_derived_names(given: dict[str, str], derived: dict[str, str]) -> None:
    context = answers(**given)
    assert {name: context[name] for name in derived} == derived


@pytest.mark.parametrize(("question", "values"), LANGCHAIN_NAMES.items())
def test_limits_admit_every_name_langchain_uses(question: str, values: list[str]) -> None:
    hook = checks.pre_gen_hook()
    assert {value: hook.check(question, value) for value in values} == dict.fromkeys(values)


def longest_answers() -> dict[str, str]:
    """Answers at the length limits of the pre-generation hook."""
    hook = checks.pre_gen_hook()
    words = itertools.cycle(["parrot", "link", "inference", "cloud", "services", "ai"])

    def joined(separator: str, limit: int, end: str = "") -> str:
        text = next(words)
        while len(text) + len(end) < limit:
            text += separator + next(words)
        text = text[: limit - len(end)]
        return (text[:-1] + "x" if text.endswith(separator) else text) + end

    display = joined(" ", hook.MAX_DISPLAY).title()
    stem = display.replace(" ", "")
    return {
        "provider_name": display,
        "package_name": joined("-", hook.MAX_NAME - 10).join(["langchain-", ""]),
        "module_name": joined("_", hook.MAX_NAME - 10).join(["langchain_", ""]),
        "class_name": (stem * 2)[: hook.MAX_NAME - 3] + "LLM",
        "chat_class_name": "Chat" + (stem * 2)[: hook.MAX_NAME - 4],
        "embeddings_class_name": (stem * 2)[: hook.MAX_NAME - 10] + "Embeddings",
        "provider_id": joined("_", hook.MAX_NAME),
        "api_key_env_var": joined("_", hook.MAX_NAME, "_API_KEY").upper(),
        "default_model": joined("-", hook.MAX_NAME),
    }


OPTION_VALUES: dict[str, list[Any]] = {
    "backend": ["openai-compatible", "echo"],
    "chat_model": [True, False],
    "embeddings": [True, False],
    "streaming": [True, False],
    "use_api_key": [True, False],
}
# every combination: what the package binds depends on each option
OPTIONS = [
    dict(zip(OPTION_VALUES, values, strict=True))
    for values in itertools.product(*OPTION_VALUES.values())
]
# each backend with every option on, and with every option off
EDGES = [
    {"backend": backend, **dict.fromkeys(list(OPTION_VALUES)[1:], on)}
    for backend in OPTION_VALUES["backend"]
    for on in (True, False)
]


def options_id(options: dict[str, Any]) -> str:
    flags = {"chat_model": "chat", "embeddings": "emb", "streaming": "stream", "use_api_key": "key"}
    on = [flag for name, flag in flags.items() if options[name]]
    return "-".join([options["backend"], *on]) if on else options["backend"] + "-bare"


def test_longest_answers_are_at_the_limits() -> None:
    hook = checks.pre_gen_hook()
    lengths = {name: len(value) for name, value in longest_answers().items()}
    assert lengths == {
        "provider_name": hook.MAX_DISPLAY,
        **dict.fromkeys(
            [
                "package_name",
                "module_name",
                "class_name",
                "chat_class_name",
                "embeddings_class_name",
                "provider_id",
                "api_key_env_var",
                "default_model",
            ],
            hook.MAX_NAME,
        ),
    }


@pytest.mark.parametrize("options", EDGES, ids=map(options_id, EDGES))
def test_names_at_the_limits_render_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: dict[str, Any]
) -> None:
    given = {**longest_answers(), **options}
    check_render(render(tmp_path, **given), answers(**given), monkeypatch)


@pytest.mark.parametrize("options", EDGES, ids=map(options_id, EDGES))
def test_names_derived_from_the_longest_display_name_render_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: dict[str, Any]
) -> None:
    given = {"provider_name": longest_answers()["provider_name"], **options}
    check_render(render(tmp_path, **given), answers(**given), monkeypatch)


@pytest.mark.parametrize("backend", ["openai-compatible", "echo"])
def test_overridden_names_leave_no_trace_of_the_display_name(tmp_path: Path, backend: str) -> None:
    display = "Moonshot AI (Kimi)"
    project = render(
        tmp_path,
        backend=backend,
        provider_name=display,
        package_name="langchain-moonshot",
        module_name="langchain_moonshot",
        class_name="MoonshotLLM",
        api_key_env_var="MOONSHOT_API_KEY",
    )
    traces = []
    for path in sorted(project.rglob("*")):
        if path.is_file():
            text = path.read_text(encoding="utf-8").replace(display, "")
            traces += [
                f"{path.relative_to(project)}: {line.strip()}"
                for line in text.splitlines()
                if re.search(r"kimi|moonshot[\W_]*ai", line, re.IGNORECASE)
            ]
    assert traces == []
    for_llm = "tests/unit_tests/test_llm.py"
    assert '"moonshot"' in (project / for_llm).read_text(encoding="utf-8")


# --- The reserved class names: one list, in the hook, checked against the code -----


def taken_classes_in_hook() -> set[str]:
    """TAKEN_CLASSES as the pre-generation hook spells it (a set literal)."""
    for node in ast.parse(HOOK.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "TAKEN_CLASSES":
            return set(ast.literal_eval(node.value))
    raise AssertionError("TAKEN_CLASSES not found in the hook")


def imported_packages(source: str) -> set[str]:
    """The top-level packages a module imports (absolute imports only)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def top_level_names(source: str) -> set[str]:
    """Names a module binds at its top level: imports, definitions, assignments,
    including those under a top-level if, try or with."""
    names: set[str] = set()
    statements = list(ast.parse(source).body)
    while statements:
        node = statements.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        elif isinstance(node, ast.If | ast.Try | ast.With):
            statements += [*node.body, *getattr(node, "orelse", [])]
            statements += [*getattr(node, "finalbody", [])]
            for handler in getattr(node, "handlers", []):
                statements += handler.body
    return names


def test_reserved_names_are_exactly_what_the_package_binds(tmp_path: Path) -> None:
    """A class named like a name some rendered module binds would hide it or be hidden by
    it; the hook refuses those names. This keeps the hook's list in step with the code."""
    bound: set[str] = set()
    imports: set[str] = set()
    for options in OPTIONS:
        project = render(tmp_path / options_id(options), **options)
        for path in project.rglob("*.py"):
            bound |= top_level_names(path.read_text(encoding="utf-8"))
            imports |= imported_packages(path.read_text(encoding="utf-8"))
    # an import name the package would hide: refused by the hook too
    hook = checks.pre_gen_hook()
    foreign = imports - set(sys.stdlib_module_names) - {"langchain_parrot_link"}
    assert foreign <= hook.TAKEN_MODULES, f"add to TAKEN_MODULES: {foreign - hook.TAKEN_MODULES}"
    own = re.compile(r"\w*ParrotLink\w*|PARROT_LINK\w*")  # named by the answers
    expected = {
        name
        for name in bound
        if CAPWORDS.fullmatch(name) and not own.fullmatch(name) and name not in dir(builtins)
    }
    listed = taken_classes_in_hook()
    assert listed == expected, (
        f"not in the hook's TAKEN_CLASSES: {sorted(expected - listed)}; "
        f"in it but bound nowhere: {sorted(listed - expected)}. Set it to:\n"
        + "TAKEN_CLASSES = {\n"
        + textwrap.fill(
            " ".join(f'"{name}",' for name in sorted(expected)),
            width=88,
            initial_indent="    ",
            subsequent_indent="    ",
        )
        + "\n}"
    )


@pytest.mark.parametrize("name", sorted(taken_classes_in_hook()))
def test_each_reserved_class_name_is_refused(name: str) -> None:
    assert checks.pre_gen_hook().check("class_name", name)


# --- A sample runs its own unit tests ------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "given",
    [
        {"provider_name": "01.AI", "backend": "echo"},
        longest_answers(),
    ],
    ids=["digit-led-echo", "longest"],
)
def test_sample_renders_pass_their_unit_tests(tmp_path: Path, given: dict[str, Any]) -> None:
    project = render(tmp_path, **given)
    result = run(["uv", "run", "--group", "test", "pytest", "tests/unit_tests", "-q"], project)
    assert re.search(r"\d+ passed", result.stdout), result.stdout
    assert not re.search(r"\d+ failed", result.stdout.splitlines()[-1])  # xfailed is fine
