"""Check every answer before anything is written; explain each bad one on one line."""

import json
import keyword
import re
import sys
from urllib.parse import urlsplit

CONTEXT = json.loads(r'''{{ cookiecutter | tojson }}''')

# Import names a package must not take: they would hide what it imports.
TAKEN_MODULES = {"langchain", "langchain_core", "pydantic", "httpx", "pytest", "tests"}
# Names that llms.py or __init__.py import or define: a class named like one would hide it.
TAKEN_CLASSES = {
    *("Any", "AsyncIterator", "Counter", "Iterable", "Iterator"),
    *("ConfigDict", "Field", "PrivateAttr", "SecretStr"),
    *("LLM", "LLMResult", "Generation", "GenerationChunk", "LangSmithParams"),
    *("AsyncCallbackManagerForLLMRun", "CallbackManagerForLLMRun"),
    *("StopScanner", "Transport", "APIError", "APIConnectionError", "APITimeoutError"),
    *("AuthenticationError", "BadRequestError", "MalformedResponseError"),
    *("RateLimitError", "ServerError", "StreamInterruptedError"),
}
# Longest answers the rendered code is tested with: its lines stay within 88 columns.
MAX_NAME, MAX_TEXT = 30, 60
PEP440 = (
    r"([1-9][0-9]*!)?(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*"
    r"((a|b|rc)(0|[1-9][0-9]*))?(\.post(0|[1-9][0-9]*))?(\.dev(0|[1-9][0-9]*))?"
)


def free_text(value):
    if not value.strip():
        return "must not be empty"
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
            return f"keep it to {limit} characters so the code stays readable"
        return None

    return check


def python_module(value):
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        return "is a Python keyword"
    if value in sys.stdlib_module_names:
        return "would shadow the standard-library module of that name"
    if value in TAKEN_MODULES:
        return "would shadow a package this one imports"
    return None


def python_class(value):
    if value in TAKEN_CLASSES:
        return "would hide a name the module imports; pick another name"
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


# Each answer's checks, in order; the first that fails explains the answer.
RULES = {
    "provider_name": [free_text],
    "package_name": [
        matches(
            r"[a-z][a-z0-9]*(-[a-z0-9]+)*",
            "use lowercase letters, digits and single hyphens (e.g. langchain-parrot-link)",
        ),
        at_most(MAX_TEXT),
    ],
    "module_name": [
        matches(
            r"[a-z][a-z0-9_]*",
            "use lowercase letters, digits and underscores, starting with a letter",
        ),
        at_most(MAX_NAME),
        python_module,
    ],
    "class_name": [
        matches(r"[A-Z][A-Za-z0-9]*", "use a CapWords Python identifier (e.g. ParrotLinkLLM)"),
        at_most(MAX_NAME),
        python_class,
    ],
    "description": [free_text],
    "backend": [one_of("openai-compatible", "echo")],
    "api_key_env_var": [
        matches(r"[A-Z_][A-Z0-9_]*", "use uppercase letters, digits and underscores"),
        at_most(MAX_NAME),
    ],
    "api_base_url": [url],
    "api_docs_url": [url],
    "default_model": [
        matches(
            r"[A-Za-z0-9][A-Za-z0-9._:/@+-]*",
            "use letters, digits and . _ : / @ + - (e.g. parrot-link-base)",
        ),
        at_most(MAX_TEXT),
    ],
    "author_name": [free_text],
    "author_email": [
        matches(r"[^@\s\"\\]+@[^@\s\"\\]+\.[^@\s\"\\]+", "must look like name@example.com")
    ],
    "license": [one_of("MIT", "Apache-2.0", "BSD-3-Clause")],
    "version": [matches(PEP440, "must be a PEP 440 version such as 0.1.0")],
}
FLAGS = ("streaming", "use_api_key", "run_tests")


def problems():
    for name in FLAGS:
        if not isinstance(CONTEXT[name], bool):
            yield name, "must be true or false"
    for name, checks in RULES.items():
        value = CONTEXT[name]
        if not isinstance(value, str):
            yield name, "must be text"
            continue
        problem = next(filter(None, (check(value) for check in checks)), None)
        if problem:
            yield name, problem


errors = [f"ERROR: {name}={ascii(CONTEXT[name])}: {rule}." for name, rule in problems()]
if errors:
    print("\n".join(errors), file=sys.stderr)
    print("Nothing was written. Answer again with valid values.", file=sys.stderr)
    sys.exit(1)
