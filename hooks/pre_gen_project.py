"""Check every answer before anything is written; explain each bad one on one line.

The rules for the answers live here. cookiecutter.json applies them while cookiecutter
asks (cookiecutter_langchain_llm_checks.py loads this file as a module); as a hook, it
checks again what was not asked: answers replayed from a file (perhaps edited), or given
to cruft. A refused answer is named with its value; a value the template derived from
another answer also names that answer and says to answer the question yourself. The
message ends with where cookiecutter saved the answers and how to replay them.
"""

import builtins
import json
import keyword
import os
import re
import shlex
import sys
from pathlib import Path
from urllib.parse import urlsplit

# Names that the rendered package's modules, tests and scripts import or define at the
# top level, CapWords ones only: a class named like one would hide it or be hidden by it.
# tests/test_names.py renders every backend, collects these names and fails, printing the
# set to paste here, as soon as this set and the rendered code disagree.
TAKEN_CLASSES = {
    "ADVICE", "AIMessage", "AIMessageChunk", "APIConnectionError", "APIError",
    "APITimeoutError", "Any", "AsyncCallbackManagerForLLMRun", "AsyncIterable",
    "AsyncIterator", "AsyncRetrying", "AuthenticationError", "Awaitable",
    "BadRequestError", "BaseCallbackHandler", "BaseChatModel", "BaseHTTPRequestHandler",
    "BaseMessage", "BaseModel", "BaseTool", "Callable",
    "CallbackManagerForLLMRun", "Chat", "ChatGeneration", "ChatGenerationChunk",
    "ChatModelIntegrationTests", "ChatModelUnderTest", "ChatModelUnitTests",
    "ChatPromptTemplate", "ChatReply", "ChatResult", "ChatServer", "CancelledError", "ChunkReader", "ClassVar",
    "Completion", "CompletionsServer", "ConcurrentPrompts", "ConfigDict", "Connection", "ContextThreadPoolExecutor",
    "Counter", "Credentials", "DIMENSIONS", "Edit", "Emb", "Embeddings", "EmbeddingsIntegrationTests",
    "EmbeddingsReply", "EmbeddingsServer", "EmbeddingsUnderTest", "EmbeddingsUnitTests",
    "EventSource", "FAULTS", "FORCED", "Field", "Generation", "GenerationChunk", "HERE",
    "HumanMessage", "InvalidToolCall", "InvocationParamsRecorder", "Iterable",
    "Iterator", "JsonOutputKeyToolsParser", "JsonOutputParser", "LIMIT", "LLM",
    "LLMResult", "LangSmithParams", "LanguageModelInput", "Literal", "M", "MALFORMED",
    "MODEL", "MakeChat", "MakeEmbeddings", "MakeLLM", "MalformedResponseError",
    "Mapping", "Message", "NUMBER", "PATH", "PROMPT", "PROMPTS", "PROTOCOL", "PROVIDER",
    "Path", "Picky", "PrivateAttr", "Refusing", "PromptTemplate", "PydanticOutputParser",
    "PydanticToolsParser", "QUOTED", "R", "REQUIRED", "RETRIED", "RateLimitError",
    "ReceivedRequest", "Reply", "ResultRecorder", "RetryCallState", "Retrying",
    "RunRecorder", "Runnable", "RunnableConfig", "RunnableMap", "RunnablePassthrough",
    "SECRET", "SERDES", "SSEError", "STREAM", "STREAMED", "SecretStr", "Sequence",
    "Serializable", "ServerError", "ServerSentEvent", "SnapshotAssertion",
    "StopScanner", "StreamInterruptedError", "StructuredOutputMethod", "SystemMessage",
    "T", "TEXTS", "TIMEOUT", "TOKEN", "TestChatModelEcho", "TestChatModelIntegration",
    "TestChatModelLoopback", "TestChatModelUnit", "TestEmbeddingsEcho",
    "TestEmbeddingsIntegration", "TestEmbeddingsLoopback", "TestEmbeddingsUnit",
    "ThreadingHTTPServer", "TokenRecorder", "TokenStreaming", "ToolCall", "ToolCallChunk", "ToolMessage",
    "Transport", "TypeVar", "UsageMetadata", "ValidationError", "WORD", "Weather",
}
# Import names a package must not take: they would hide what it imports (guarded by
# tests/test_names.py too, with the standard library refused as a whole).
TAKEN_MODULES = {"langchain", "langchain_core", "pydantic", "httpx", "httpx_sse", "tenacity"}
TAKEN_MODULES |= {"pytest", "pytest_asyncio", "pytest_socket", "tests", "scripts"}
TAKEN_MODULES |= {"langchain_tests", "syrupy"}

# Longest answers. The rendered code is tested at these limits (tests/test_names.py): it
# stays ruff-format clean and within 88 columns. They admit every name LangChain's partner
# and community packages use (the longest: 34-character import names, 40-character
# classes), and every name derived from a display name of up to MAX_DISPLAY ASCII
# characters ("Oracle Cloud Infrastructure Generative AI" has 41).
MAX_DISPLAY = 50  # provider_name
MAX_NAME = 60  # package, module, class, provider id, env var, default model
PEP440 = (
    r"([1-9][0-9]*!)?(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*"
    r"((a|b|rc)(0|[1-9][0-9]*))?(\.post(0|[1-9][0-9]*))?(\.dev(0|[1-9][0-9]*))?"
)
# Which answer each default is derived from (see cookiecutter.json).
DERIVED_FROM = {
    "package_name": "provider_name",
    "module_name": "package_name",
    "class_name": "package_name",  # from provider_name while the package follows it
    "chat_class_name": "class_name",
    "embeddings_class_name": "class_name",
    "provider_id": "package_name",
    "description": "provider_name",
    "api_key_env_var": "package_name",
    "api_base_url": "package_name",
    "api_docs_url": "package_name",
    "default_model": "package_name",
}
FLAGS = ("chat_model", "embeddings", "streaming", "use_api_key", "run_tests")
# The last variable of cookiecutter.json: rendering it checks all answers, with this file's
# rules, before cookiecutter writes anything (cookiecutter_langchain_llm_checks.py).
CHECKED = "__answers_checked"


def not_blank(value):
    return "must not be empty" if not value.strip() else None


def one_line(value):
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "must be one line of text, without control characters"
    return None


def matches(pattern, rule):
    def check(value):
        return None if re.fullmatch(pattern, value) else rule

    return check


def at_most(limit):
    def check(value):
        if len(value) > limit:
            return f"is {len(value)} characters long; keep it to {limit}"
        return None

    return check


def not_python_word(value):
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        return "is a Python keyword"
    if value in dir(builtins):
        return f"would shadow Python's builtin {value}"
    return None


def free_module(value):
    if value in sys.stdlib_module_names:
        return "would shadow the standard-library module of that name"
    if value in TAKEN_MODULES:
        return "would shadow a package this one imports"
    return None


def free_class(value):
    if value in TAKEN_CLASSES:
        return "would hide a name the package imports or defines; pick another name"
    return None


def url(value):
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http:// or https:// URL with a host"
    if parts.query or parts.fragment or any(c in value for c in " \"'\\<>"):
        return "must be a plain URL without query, fragment, spaces or quotes"
    return None


def one_of(*choices):
    return matches("|".join(map(re.escape, choices)), "must be one of: " + ", ".join(choices))


def class_name_rules(example):
    return [
        not_blank,
        not_python_word,
        matches(
            r"[A-Z][A-Za-z0-9]*",
            f"use a CapWords Python identifier, starting with a capital letter (e.g. {example})",
        ),
        at_most(MAX_NAME),
        free_class,
    ]


TEXT = [not_blank, one_line]
# Each answer's checks, in order; the first that fails explains the answer.
RULES = {
    "provider_name": [*TEXT, at_most(MAX_DISPLAY)],
    "package_name": [
        not_blank,
        matches(
            r"[a-z][a-z0-9]*(-[a-z0-9]+)*",
            "use lowercase letters, digits and single hyphens, starting with a letter"
            " (e.g. langchain-parrot-link)",
        ),
        at_most(MAX_NAME),
    ],
    "module_name": [
        not_blank,
        not_python_word,
        matches(
            r"[a-z][a-z0-9_]*",
            "use lowercase letters, digits and underscores, starting with a letter",
        ),
        at_most(MAX_NAME),
        free_module,
    ],
    "class_name": class_name_rules("ParrotLinkLLM"),
    "chat_class_name": class_name_rules("ChatParrotLink"),
    "embeddings_class_name": class_name_rules("ParrotLinkEmbeddings"),
    "provider_id": [
        not_blank,
        matches(
            r"[a-z0-9]+([_-][a-z0-9]+)*",
            "use lowercase letters, digits and single underscores or hyphens (e.g. parrot_link)",
        ),
        at_most(MAX_NAME),
    ],
    "description": TEXT,
    "backend": [one_of("openai-compatible", "echo")],
    "api_key_env_var": [
        not_blank,
        matches(
            r"[A-Z_][A-Z0-9_]*",
            "use uppercase letters, digits and underscores, not starting with a digit",
        ),
        at_most(MAX_NAME),
    ],
    "api_base_url": [not_blank, url],
    "api_docs_url": [not_blank, url],
    "default_model": [
        not_blank,
        matches(
            r"[A-Za-z0-9][A-Za-z0-9._:/@+-]*",
            "use letters, digits and . _ : / @ + - (e.g. parrot-link-base)",
        ),
        at_most(MAX_NAME),
    ],
    "author_name": TEXT,
    "author_email": [
        not_blank,
        matches(r"[^@\s\"\\]+@[^@\s\"\\]+\.[^@\s\"\\]+", "must look like name@example.com"),
    ],
    "license": [one_of("MIT", "Apache-2.0", "BSD-3-Clause")],
    "version": [not_blank, matches(PEP440, "must be a PEP 440 version such as 0.1.0")],
}


def template_dir(context):
    """Where the template is: cookiecutter runs this hook from there, and names it in
    _repo_dir, relative to where it was started ("cookiecutter ." gives ".")."""
    named = context.get("_repo_dir")  # cruft does not name it
    places = [Path(named)] if named and os.path.isabs(named) else []
    try:
        places.append(Path(os.readlink(f"/proc/{os.getppid()}/cwd")))
    except OSError:
        pass  # not Linux
    if named and os.environ.get("PWD"):
        places.append(Path(os.environ["PWD"], named))
    return next((place for place in places if (place / "cookiecutter.json").is_file()), None)


def raw_defaults(folder):
    """cookiecutter.json as written: the Jinja expressions the defaults are made of."""
    try:
        return json.loads((folder / "cookiecutter.json").read_text(encoding="utf-8"))
    except (TypeError, OSError, ValueError):
        return {}


def derived_values(context, raw):
    """What each templated value of cookiecutter.json renders to from these answers, as
    cookiecutter renders them when it asks: an answer equal to it was derived, not typed;
    a computed (``__``) value unequal to it was edited, or replayed out of step."""
    try:
        from cookiecutter.environment import StrictEnvironment

        env = StrictEnvironment(context={"cookiecutter": raw})
    except Exception:  # noqa: BLE001 - without cookiecutter, messages just say less
        return {}
    derived, rendered = {}, dict(context)
    for name, template in raw.items():
        if name == CHECKED or not isinstance(template, str) or "{" not in template:
            continue
        try:
            derived[name] = env.from_string(template).render(cookiecutter=rendered)
        except Exception:  # noqa: BLE001 - a bad answer that a check reports
            continue
        if name.startswith("__"):
            rendered[name] = derived[name]
    return derived


def origins(name, context, derived):
    """The answers a derived value came from, back to the one that was typed."""
    chain = []
    while name in DERIVED_FROM and derived.get(name, object()) == context[name]:
        name = DERIVED_FROM[name]
        chain.append(name)
    return chain


def check(name, value):
    """Why the answer ``value`` to question ``name`` is refused, or None."""
    if name in FLAGS:
        return None if isinstance(value, bool) else "must be true or false"
    if not isinstance(value, str):
        return "must be text"
    return next(filter(None, (rule(value) for rule in RULES[name])), None)


# A class name that only an option uses, checked when that option is on (a derived
# default too long for the option's suffix must not refuse a render without it).
OPTION_OF = {"embeddings_class_name": "embeddings"}


def problems(context):
    """(answer, rule) for each bad answer, in the order the questions are asked."""
    for name in [*FLAGS, *RULES]:
        if name in OPTION_OF and context[OPTION_OF[name]] is not True:
            continue
        problem = check(name, context[name])
        if problem:
            yield name, problem
        elif name == "chat_class_name" and context["chat_model"] is True:
            if context[name] == context["class_name"]:
                yield name, "must differ from class_name, the name of the LLM class"
        elif name == "embeddings_class_name" and (clash := same_name_as(context, name)):
            yield name, f"must differ from {clash}, the name of another class"


def same_name_as(context, name):
    """The answer naming another rendered class the same as answer ``name``, or None."""
    others = ["class_name"] + ["chat_class_name"] * (context["chat_model"] is True)
    return next((other for other in others if context[other] == context[name]), None)


def stale_private_values(context, derived):
    """Values the template computes, edited out of step with the answers they follow
    (a replay file whose answers were changed by hand)."""
    for name, value in derived.items():
        if name.startswith("__") and context.get(name) != value:
            yield (
                f"ERROR: {name}={ascii(context.get(name))} no longer follows the answers;"
                f" in the replay file, set it to {ascii(value)}."
            )


def errors(context, raw):
    """One line for each bad answer (``raw``: cookiecutter.json, to tell derived ones)."""
    derived = derived_values(context, raw)
    found = dict(problems(context))
    lines = []
    for name, rule in found.items():
        chain = origins(name, context, derived)
        if found.keys() & set(chain):
            continue  # fixing the answer it came from changes it
        if not chain:
            lines.append(f"ERROR: {name}={ascii(context[name])}: {rule}.")
        else:
            source = chain[-1]
            lines.append(
                f"ERROR: {name}={ascii(context[name])}, derived from"
                f" {source}={ascii(context[source])}: {rule}; answer {name} yourself."
            )
    lines.extend(stale_private_values(context, derived))
    return lines


def replay_file(context):
    """The file cookiecutter saved these answers in, just before it ran this hook."""
    try:
        from cookiecutter.config import get_user_config

        saved = Path(get_user_config()["replay_dir"]).glob("*.json")
        newest_first = sorted(saved, key=lambda path: path.stat().st_mtime, reverse=True)
    except Exception:  # noqa: BLE001 - no cookiecutter to ask: say less
        return None
    for path in newest_first[:20]:
        try:
            answers = json.loads(path.read_text(encoding="utf-8"))["cookiecutter"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if all(answers.get(name) == context.get(name) for name in [*RULES, "_output_dir"]):
            return path
    return None  # cruft, or a --config-file naming another replay_dir


def how_to_answer_again(context):
    path = replay_file(context)
    if path is None:
        return "Nothing was written. Answer again with valid values."
    command = ["cookiecutter", "--replay-file", str(path), str(context["_template"])]
    if context.get("_checkout"):
        command[1:1] = ["--checkout", str(context["_checkout"])]
    output_dir = context.get("_output_dir")
    here = os.environ.get("PWD")
    if output_dir and not (here and os.path.realpath(here) == os.path.realpath(output_dir)):
        command[1:1] = ["-o", output_dir]
    return (
        f"Nothing was written. Your answers are saved in {path}: correct the ones named"
        f" above there, then run\n  {shlex.join(command)}"
    )


def main():
    context = json.loads(r'''{{ cookiecutter | tojson }}''')
    folder = template_dir(context)
    if folder:
        sys.path.append(str(folder))  # where the Jinja extension of cookiecutter.json is
    lines = errors(context, raw_defaults(folder))
    if lines:
        lines.append(how_to_answer_again(context))
        text = "\n".join(lines)
        print(text.encode("ascii", "backslashreplace").decode("ascii"), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
