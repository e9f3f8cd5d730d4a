"""Break one checklist behaviour of a rendered package at a time: its tests must fail.

Each mutation edits the rendered source the way a contributor might get it wrong,
runs the rendered unit tests, and expects the named checklist test among the failures.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import pytest

from conftest import render, run

pytestmark = pytest.mark.slow


class Mutation(NamedTuple):
    file: str  # relative to the package's import folder
    original: str
    broken: str
    caught_by: str  # a test that must fail


SHARED_MUTATIONS = {
    "model classes imported with the package": Mutation(
        "__init__.py",
        "\nif TYPE_CHECKING:\n",
        "\nif True:\n",
        "test_importing_the_package_loads_no_model_class",
    ),
    "stop sequence dropped from the response": Mutation(
        "_stop.py",
        "return end if self._include_stop else -negative_start",
        "return -negative_start",
        "test_stop_sequence_is_included_in_response",
    ),
    "stop not found across chunk boundaries": Mutation(
        "_stop.py",
        "keep = self._longest_partial_match(buffer)",
        "keep = 0",
        "test_stream_ends_at_stop_split_across_chunks",
    ),
    "later stop sequence wins": Mutation(
        "_stop.py",
        "if best is None or candidate < best:",
        "if best is None or candidate > best:",
        "test_every_chunking_cuts_like_the_whole_text",
    ),
    "on_llm_new_token never called": Mutation(
        "_streaming.py",
        "                run_manager.on_llm_new_token(piece, chunk=chunk)\n",
        "                pass\n",
        "test_stream_reports_every_chunk_before_yielding_it",
    ),
    "async on_llm_new_token never called": Mutation(
        "_streaming.py",
        "                await run_manager.on_llm_new_token(piece, chunk=chunk)\n",
        "                pass\n",
        "test_astream_reports_every_chunk_before_yielding_it",
    ),
    "on_llm_new_token after the yield": Mutation(
        "_streaming.py",
        "            if run_manager:\n"
        "                run_manager.on_llm_new_token(piece, chunk=chunk)\n"
        "            yield chunk\n",
        "            yield chunk\n"
        "            if run_manager:\n"
        "                run_manager.on_llm_new_token(piece, chunk=chunk)\n",
        "test_stream_reports_every_chunk_before_yielding_it",
    ),
    "API key in the identifying params": Mutation(
        "llms.py",
        "    def _identifying_params(self) -> dict[str, Any]:\n"
        '        """Parameters that identify this model in ``print(llm)`` and caches."""\n'
        "        return {",
        "    def _identifying_params(self) -> dict[str, Any]:\n"
        '        """Parameters that identify this model in ``print(llm)`` and caches."""\n'
        '        return {"key": self.api_key.get_secret_value(), ',
        "test_key_absent_from_surface",
    ),
    "init param without docstring": Mutation(
        "llms.py",
        '    """Keep the matched stop sequence at the end of the output (False cuts it off)."""\n',
        "",
        "test_every_init_param_has_a_docstring",
    ),
    "plain-string API key": Mutation(
        "_credentials.py",
        "    api_key: SecretStr = Field(",
        "    api_key: str = Field(",
        "test_api_key_is_secret_str",
    ),
    "batch puts the first error in every place": Mutation(
        "_batching.py",
        "            except Exception as error:\n                return error\n",
        "            except Exception:\n                raise\n",
        "test_batch_keeps_each_prompts_own_error",
    ),
    "abatch leaves prompts running after a failure": Mutation(
        "_batching.py",
        "    try:\n        return await asyncio.gather(*tasks)\n    finally:\n"
        "        for task in tasks:\n            task.cancel()\n"
        "        await asyncio.gather(*tasks, return_exceptions=True)\n",
        "    return await asyncio.gather(*tasks)\n",
        "test_abatch_raises_the_first_error_and_leaves_nothing_running",
    ),
}
# invoke() must run _call and ainvoke() _acall, as the seed teaches: an author who
# edits them sees the effect.
ECHO_MUTATIONS = {
    "_call replaced": Mutation(
        "llms.py",
        '        """Complete ``prompt``, cut at the first of ``stop``."""\n'
        '        return "".join(self._stream_pieces(prompt, stop))\n',
        '        """Complete ``prompt``, cut at the first of ``stop``."""\n'
        '        return "edited"\n',
        "test_invoke",
    ),
    "_acall replaced": Mutation(
        "llms.py",
        '        """Complete ``prompt`` natively in the event loop, cut at ``stop``."""\n'
        '        return "".join([piece async for piece in self._astream_pieces(prompt, stop)])\n',
        '        """Complete ``prompt`` natively in the event loop, cut at ``stop``."""\n'
        '        return "edited"\n',
        "test_ainvoke",
    ),
    "stop ignored by invoke": Mutation(
        "llms.py",
        'return "".join(self._stream_pieces(prompt, stop))',
        "return self._complete(prompt)",
        "test_invoke_ends_at_first_stop",
    ),
    "batch runs prompts one after another": Mutation(
        "_batching.py",
        "max_workers=min(limit, len(items))",
        "max_workers=1",
        "test_batch_runs_prompts_concurrently",
    ),
}
OPENAI_MUTATIONS = {
    "_call replaced": Mutation(
        "llms.py",
        "        if stop:\n"
        "            return _joined(self._stream_pieces(prompt, stop, **kwargs))\n"
        "        payload = self._request_body(prompt, stream=False, **kwargs)\n"
        "        body = self._transport_of_model().post(_completions.PATH, payload)\n"
        "        return _completions.parse_completion(body)\n",
        '        return "edited"\n',
        "test_invoke",
    ),
    "_acall replaced": Mutation(
        "llms.py",
        "        if stop:\n"
        "            pieces = self._astream_pieces(prompt, stop, **kwargs)\n"
        "            return _joined([piece async for piece in pieces])\n"
        "        payload = self._request_body(prompt, stream=False, **kwargs)\n"
        "        body = await self._transport_of_model().apost(_completions.PATH, payload)\n"
        "        return _completions.parse_completion(body)\n",
        '        return "edited"\n',
        "test_ainvoke",
    ),
    "stop ignored by invoke": Mutation(
        "llms.py",
        "        if stop:\n            return _joined(self._stream_pieces(",
        "        if False:\n            return _joined(self._stream_pieces(",
        "test_invoke_ends_at_first_stop",
    ),
    "response kept open after the stop": Mutation(
        "llms.py",
        '                    info["finish_reason"] = "stop"\n                    break\n'
        "        yield from _last_pieces(scanner, info)\n",
        '                    info["finish_reason"] = "stop"\n'
        "        yield from _last_pieces(scanner, info)\n",
        "test_stream_hangs_up_at_the_stop",
    ),
    "a thread freed by a failure starts the next prompt": Mutation(
        "_batching.py",
        "        if failed.is_set():\n",
        "        if False:\n",
        "test_batch_raises_the_first_error_and_starts_nothing_after_it",
    ),
    "key repeated in an error": Mutation(
        "_transport.py",
        'return self._secret.sub("***", text) if self._secret else text',
        "return text",
        "test_the_key_is_sent_and_never_repeated_in_an_error",
    ),
    "key blanked out inside words": Mutation(
        "_transport.py",
        'rf"(?<![^\\W_]){re.escape(api_key)}(?![^\\W_])"',
        "re.escape(api_key)",
        "test_the_key_is_sent_and_never_repeated_in_an_error",
    ),
    "stream end not required": Mutation(
        "_completions.py",
        "    if not ended:\n        raise _incomplete()",
        "    if False:\n        raise _incomplete()",
        "test_a_stream_ending_without_done_is_interrupted",
    ),
    "client errors retried": Mutation(
        "_transport.py",
        "RETRIED = (RateLimitError, ServerError, APITimeoutError, APIConnectionError)",
        "RETRIED = (RateLimitError, ServerError, APITimeoutError, APIConnectionError,"
        " BadRequestError)",
        "test_other_client_errors_raise_bad_request_at_once",
    ),
    "server errors not retried": Mutation(
        "_transport.py",
        "RETRIED = (RateLimitError, ServerError, APITimeoutError, APIConnectionError)",
        "RETRIED = (RateLimitError, APITimeoutError, APIConnectionError)",
        "test_server_errors_are_retried_then_raised",
    ),
    "timeouts not retried": Mutation(
        "_transport.py",
        "RETRIED = (RateLimitError, ServerError, APITimeoutError, APIConnectionError)",
        "RETRIED = (RateLimitError, ServerError, APIConnectionError)",
        "test_no_answer_within_timeout_is_retried_then_raised",
    ),
    "Retry-After ignored": Mutation(
        "_transport.py",
        "if isinstance(error, APIError) and error.retry_after is not None:",
        "if False:",
        "test_429_is_retried_after_the_seconds_of_retry_after",
    ),
    "abatch runs prompts one after another": Mutation(
        "_batching.py",
        "slots = asyncio.Semaphore(limit)",
        "slots = asyncio.Semaphore(1)",
        "test_abatch_overlaps_up_to_max_concurrency",
    ),
    "an SSL context per client": Mutation(
        "_transport.py",
        'return {**self._options, "verify": shared_ssl_context()}',
        "return dict(self._options)",
        "test_all_clients_share_one_ssl_context",
    ),
}
CASES = [
    *[("echo", name, m) for name, m in {**SHARED_MUTATIONS, **ECHO_MUTATIONS}.items()],
    *[("openai-compatible", n, m) for n, m in {**SHARED_MUTATIONS, **OPENAI_MUTATIONS}.items()],
]
BACKENDS = ["echo", "openai-compatible"]


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One rendered package per backend, with its test environment."""
    rendered = {}
    for backend in BACKENDS:
        project = render(tmp_path_factory.mktemp(backend), backend=backend)
        run(["uv", "sync", "--no-default-groups", "--group", "test"], project)
        rendered[backend] = project
    return rendered


def unit_tests(project: Path, paths: Sequence[str] = ("tests/unit_tests",)) -> tuple[int, str]:
    result = run(
        ["uv", "run", "--no-sync", "pytest", *paths, "-q", "-p", "no:cacheprovider"],
        project,
        check=False,
    )
    return result.returncode, result.stdout


@pytest.mark.parametrize("backend", BACKENDS)
def test_unbroken_package_passes(packages: dict[str, Path], backend: str) -> None:
    returncode, output = unit_tests(packages[backend])
    assert returncode == 0, output


@pytest.mark.parametrize(
    ("backend", "name", "mutation"), CASES, ids=[f"{b}-{n}" for b, n, _ in CASES]
)
def test_breaking_a_checklist_item_fails_its_test(
    packages: dict[str, Path], backend: str, name: str, mutation: Mutation
) -> None:
    assert_caught(packages[backend], name, mutation, unit_tests)


def assert_caught(
    project: Path, name: str, mutation: Mutation, tests: Callable[[Path], tuple[int, str]]
) -> None:
    """Apply ``mutation`` to ``project``, run ``tests``: its test must fail; undo it."""
    source = project / "langchain_parrot_link" / mutation.file
    original = source.read_text()
    assert original.count(mutation.original) >= 1, f"mutation {name!r} no longer applies"
    source.write_text(original.replace(mutation.original, mutation.broken))
    try:
        returncode, output = tests(project)
    finally:
        source.write_text(original)
    failed = re.findall(r"^FAILED \S+::(\w+)", output, flags=re.MULTILINE)
    assert returncode != 0, f"{name}: no test failed"
    assert mutation.caught_by in failed, output


# --- The chat model (chat_model, on by default): its checklist items, each broken once.
CHAT_SHARED_MUTATIONS = {
    "chat tracing ignores the per-call model": Mutation(
        "chat_models.py",
        "params = super()._get_ls_params(stop=stop or self.stop, **kwargs)",
        "params = super()._get_ls_params(stop=stop or self.stop)",
        "test_chat_model_can_be_overridden_per_call",
    ),
    "chat tracing without the provider": Mutation(
        "chat_models.py",
        '        params["ls_provider"] = PROVIDER\n',
        "",
        "test_chat_tracing_params_name_provider_and_model",
    ),
    "chat docstring without the API link": Mutation(
        "chat_models.py",
        "https://docs.parrot-link.example/api",
        "the provider's website",
        "test_chat_docstring_links_the_provider_api",
    ),
    "chat API key in the identifying params": Mutation(
        "chat_models.py",
        '        """Parameters that identify this model in ``print(chat)`` and caches."""\n'
        "        return {",
        '        """Parameters that identify this model in ``print(chat)`` and caches."""\n'
        '        return {"key": self.api_key.get_secret_value(), ',
        "test_chat_key_absent_from_surface",
    ),
    "chat plain-string API key": Mutation(
        "_credentials.py",
        "    api_key: SecretStr = Field(",
        "    api_key: str = Field(",
        "test_chat_api_key_is_secret_str",
    ),
}
CHAT_ECHO_MUTATIONS = {
    "chat stop ignored": Mutation(
        "chat_models.py",
        "scanner = StopScanner(stop or self.stop, include_stop=False)",
        "scanner = StopScanner([], include_stop=False)",
        "test_chat_invoke_ends_before_the_first_stop",
    ),
    "chat streams the whole answer as one chunk": Mutation(
        "chat_models.py",
        "        for piece in self._pieces(messages, stop):\n            text += piece\n",
        '        for piece in ["".join(self._pieces(messages, stop))]:\n'
        "            text += piece\n",
        "test_chat_stream_reports_every_chunk_before_yielding_it",
    ),
    "chat usage not reported": Mutation(
        "chat_models.py",
        "usage_metadata=_usage(messages, text),",
        "usage_metadata=None,",
        "test_chat_invoke_reports_usage",
    ),
    "chat param without docstring": Mutation(
        "chat_models.py",
        '    """How many characters of the last message to echo back."""\n',
        "",
        "test_every_chat_param_has_a_docstring",
    ),
    "chat model override ignored": Mutation(
        "chat_models.py",
        'model = kwargs.get("model") or self.model',
        "model = self.model",
        "test_chat_model_can_be_overridden_per_call",
    ),
}
CHAT_OPENAI_MUTATIONS = {
    "chat stop not enforced on the client": Mutation(
        "chat_models.py",
        "text = scanner.feed(message.text) + scanner.flush()",
        "text = message.text",
        "test_chat_invoke_ends_before_the_first_stop",
    ),
    "chat stream not cut at the stop": Mutation(
        "chat_models.py",
        "        chunk.content = scanner.feed(chunk.content)\n",
        "        scanner.feed(chunk.content)\n",
        "test_chat_stream_ends_before_a_stop_split_across_chunks",
    ),
    "chat stream kept open after the stop": Mutation(
        "chat_models.py",
        "                    if scanner.stopped:\n                        break\n",
        "",
        "test_chat_stream_hangs_up_at_the_stop",
    ),
    "chat usage not reported": Mutation(
        "_chat_completions.py",
        'usage_metadata=usage_metadata(body.get("usage")),',
        "usage_metadata=None,",
        "test_chat_invoke_reports_usage",
    ),
    "chat streams do not ask for usage": Mutation(
        "_chat_completions.py",
        '            body["stream_options"] = {"include_usage": True}\n',
        "            pass\n",
        "test_chat_stream_reports_usage_once",
    ),
    "tool calls not parsed": Mutation(
        "_chat_completions.py",
        "tool_calls.append(parsed)",
        "pass",
        "test_tool_calls_are_parsed",
    ),
    "repeated tool-call id and name concatenated": Mutation(
        "_chat_completions.py",
        "if value and seen.get(key) != value",
        "if value",
        "test_repeated_tool_call_identity_is_merged_once",
    ),
    "assistant content null beside tool calls": Mutation(
        "_chat_completions.py",
        '            message["content"] = _text_of(message.get("content"))\n',
        '            message["content"] = message.get("content") or None\n',
        "test_every_kind_of_message_is_sent",
    ),
    "tool_choice 'required' for a single tool": Mutation(
        "_chat_completions.py",
        'return _named(names[0]) if len(names) == 1 else "required"',
        'return "required"',
        "test_every_tool_choice_form",
    ),
    "refused tool_choice 'required' not asked again": Mutation(
        "_chat_completions.py",
        '    if payload.get("tool_choice") != "required":\n        return None\n',
        "    return None\n",
        "test_a_refused_required_tool_choice_is_asked_again_with_auto",
    ),
    "every refused request asked again": Mutation(
        "_chat_completions.py",
        '    if payload.get("tool_choice") != "required":\n        return None\n',
        "",
        "test_other_refused_requests_are_not_asked_again",
    ),
    "chat param without docstring": Mutation(
        "chat_models.py",
        '    """Ask for the token usage at the end of each stream.\n\n'
        "    Servers that do not send it are fine; turn it off for one that refuses\n"
        '    ``stream_options``.\n    """\n',
        "",
        "test_every_chat_param_has_a_docstring",
    ),
    "chat model override ignored": Mutation(
        "chat_models.py",
        'model = kwargs.pop("model", None) or self.model',
        'kwargs.pop("model", None)\n        model = self.model',
        "test_chat_model_can_be_overridden_per_call",
    ),
}
CHAT_CASES = [
    *[("echo", n, m) for n, m in {**CHAT_SHARED_MUTATIONS, **CHAT_ECHO_MUTATIONS}.items()],
    *[
        ("openai-compatible", n, m)
        for n, m in {**CHAT_SHARED_MUTATIONS, **CHAT_OPENAI_MUTATIONS}.items()
    ],
]


@pytest.mark.parametrize(
    ("backend", "name", "mutation"), CHAT_CASES, ids=[f"{b}-{n}" for b, n, _ in CHAT_CASES]
)
def test_breaking_a_chat_checklist_item_fails_its_test(
    packages: dict[str, Path], backend: str, name: str, mutation: Mutation
) -> None:
    test_breaking_a_checklist_item_fails_its_test(packages, backend, name, mutation)


# --- Embeddings (embeddings=yes): a package of each backend with them on; each mutation
# runs the embeddings tests only.
EMBEDDINGS_SHARED_MUTATIONS = {
    "embeddings docstring without the API link": Mutation(
        "embeddings.py",
        "https://docs.parrot-link.example/api",
        "the provider's website",
        "test_embeddings_docstring_links_the_provider_api",
    ),
    "embeddings plain-string API key": Mutation(
        "_credentials.py",
        "    api_key: SecretStr = Field(",
        "    api_key: str = Field(",
        "test_embeddings_api_key_is_secret_str",
    ),
}
EMBEDDINGS_ECHO_MUTATIONS = {
    "embeddings param without docstring": Mutation(
        "embeddings.py",
        '    """Size of every vector."""\n',
        "",
        "test_every_embeddings_param_has_a_docstring",
    ),
    "vectors not of length one": Mutation(
        "embeddings.py",
        "vector[slot] = count / norm",
        "vector[slot] = count",
        "test_vectors_have_the_size_asked_and_length_one",
    ),
    "vectors from the process's own hash()": Mutation(
        "embeddings.py",
        "Counter(_hash(word) % self.dimensions",
        "Counter(hash(word) % self.dimensions",
        "test_vectors_are_the_same_in_every_process",
    ),
}
EMBEDDINGS_OPENAI_MUTATIONS = {
    "embeddings param without docstring": Mutation(
        "embeddings.py",
        '    """Most texts in one request; a longer list is sent in several."""\n',
        "",
        "test_every_embeddings_param_has_a_docstring",
    ),
    "vectors in the order listed, not by index": Mutation(
        "_embeddings.py",
        'vectors[index] = _vector(item["embedding"], index)',
        'vectors[position] = _vector(item["embedding"], index)',
        "test_vectors_come_in_the_order_of_the_texts",
    ),
    "chunk_size ignored": Mutation(
        "embeddings.py",
        "        size = self.chunk_size\n",
        "        size = 1000\n",
        "test_texts_go_in_requests_of_chunk_size",
    ),
    "embed_documents unbounded": Mutation(
        "embeddings.py",
        "map_concurrently(embed, chunks, self.max_concurrency)",
        "map_concurrently(embed, chunks, len(chunks) or 1)",
        "test_requests_overlap_up_to_max_concurrency",
    ),
    "aembed_documents one request after another": Mutation(
        "embeddings.py",
        "amap_concurrently(embed, chunks, self.max_concurrency)",
        "amap_concurrently(embed, chunks, 1)",
        "test_requests_overlap_up_to_max_concurrency",
    ),
    "fewer vectors than texts accepted": Mutation(
        "_embeddings.py",
        "if not isinstance(data, list) or len(data) != count:",
        "if not isinstance(data, list):",
        "test_each_malformed_answer_raises_a_clear_error",
    ),
    "vectors of mixed sizes accepted": Mutation(
        "_embeddings.py",
        "    if len(sizes) > 1:\n",
        "    if False:\n",
        "test_vectors_of_mixed_sizes_across_requests_raise",
    ),
    "values not checked to be numbers": Mutation(
        "_embeddings.py",
        'return array("d", embedding).tolist()',
        "return list(embedding)",
        "test_each_malformed_answer_raises_a_clear_error",
    ),
    "base64 read as float64": Mutation(
        "_embeddings.py",
        'floats = array("f", raw)',
        'floats = array("d", raw)',
        "test_every_encoding_gives_the_same_vectors",
    ),
}
EMBEDDINGS_CASES = [
    *[
        ("echo", n, m)
        for n, m in {**EMBEDDINGS_SHARED_MUTATIONS, **EMBEDDINGS_ECHO_MUTATIONS}.items()
    ],
    *[
        ("openai-compatible", n, m)
        for n, m in {**EMBEDDINGS_SHARED_MUTATIONS, **EMBEDDINGS_OPENAI_MUTATIONS}.items()
    ],
]


@pytest.fixture(scope="module")
def embeddings_packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One package per backend with embeddings on, with its test environment."""
    rendered = {}
    for backend in BACKENDS:
        where = tmp_path_factory.mktemp(f"{backend}-embeddings")
        project = render(where, backend=backend, embeddings=True)
        run(["uv", "sync", "--no-default-groups", "--group", "test"], project)
        rendered[backend] = project
    return rendered


def embeddings_tests(project: Path) -> tuple[int, str]:
    """The embeddings' test files only: each embeddings mutation is caught there."""
    files = project.glob("tests/unit_tests/test_embeddings*.py")
    return unit_tests(project, sorted(str(path.relative_to(project)) for path in files))


@pytest.mark.parametrize("backend", BACKENDS)
def test_unbroken_embeddings_pass(embeddings_packages: dict[str, Path], backend: str) -> None:
    returncode, output = embeddings_tests(embeddings_packages[backend])
    assert returncode == 0, output


@pytest.mark.parametrize(
    ("backend", "name", "mutation"),
    EMBEDDINGS_CASES,
    ids=[f"{b}-{n}" for b, n, _ in EMBEDDINGS_CASES],
)
def test_breaking_an_embeddings_item_fails_its_test(
    embeddings_packages: dict[str, Path], backend: str, name: str, mutation: Mutation
) -> None:
    assert_caught(embeddings_packages[backend], name, mutation, embeddings_tests)
