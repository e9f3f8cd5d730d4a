"""Check every answer before anything is written; explain each bad one on one line."""

import json
import keyword
import re
import sys
from urllib.parse import urlsplit

CONTEXT = json.loads(r'''{{ cookiecutter | tojson }}''')

# Import names a package must not take: they would hide what it imports.
TAKEN_MODULES = {"langchain", "langchain_core", "pydantic", "httpx", "pytest", "tests"}
# Names llms.py imports: a class named like one of them would hide it.
TAKEN_CLASSES = {"LLM", "Any", "ConfigDict", "Field", "SecretStr", "Generation"}
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


def package_name(value):
    if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", value):
        return "use lowercase letters, digits and single hyphens (e.g. langchain-parrot-link)"
    return None


def module_name(value):
    if not re.fullmatch(r"[a-z][a-z0-9_]*", value):
        return "use lowercase letters, digits and underscores, starting with a letter"
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        return "is a Python keyword"
    if value in sys.stdlib_module_names or value in TAKEN_MODULES:
        return "would shadow a module the package needs; pick another name"
    return None


def class_name(value):
    if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", value):
        return "use a CapWords Python identifier (e.g. ParrotLinkLLM)"
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
    def check(value):
        return None if value in choices else "must be one of: " + ", ".join(choices)

    return check


RULES = {
    "provider_name": free_text,
    "package_name": package_name,
    "module_name": module_name,
    "class_name": class_name,
    "description": free_text,
    "backend": one_of("openai-compatible", "echo"),
    "api_key_env_var": matches(
        r"[A-Z_][A-Z0-9_]*", "use uppercase letters, digits and underscores"
    ),
    "api_base_url": url,
    "api_docs_url": url,
    "default_model": matches(
        r"[A-Za-z0-9][A-Za-z0-9._:/@+-]*",
        "use letters, digits and . _ : / @ + - (e.g. parrot-link-base)",
    ),
    "author_name": free_text,
    "author_email": matches(
        r"[^@\s\"\\]+@[^@\s\"\\]+\.[^@\s\"\\]+", "must look like name@example.com"
    ),
    "license": one_of("MIT", "Apache-2.0", "BSD-3-Clause"),
    "version": matches(PEP440, "must be a PEP 440 version such as 0.1.0"),
}

FLAGS = ("streaming", "use_api_key", "run_tests")


def problems():
    for name in FLAGS:
        if not isinstance(CONTEXT[name], bool):
            yield name, "must be true or false"
    for name, check in RULES.items():
        value = CONTEXT[name]
        problem = check(value) if isinstance(value, str) else "must be text"
        if problem:
            yield name, problem


errors = [f"ERROR: {name}={ascii(CONTEXT[name])} {rule}." for name, rule in problems()]
if errors:
    print("\n".join(errors), file=sys.stderr)
    print("Nothing was written. Answer again with valid values.", file=sys.stderr)
    sys.exit(1)
