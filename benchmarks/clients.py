"""Client figures: the rendered client, the floor and the peer on one loopback server.

Run by ``run.py`` with the Python of the benchmark environment (the rendered package,
``langchain-openai`` and this directory's ``floor.py`` importable), after it started
``server.py``. Takes one JSON argument (see ``run.py``), prints one JSON object.

Rows: the workloads (invoke, ainvoke, stream, astream, batch, abatch) of each kind
of model: the ``LLM`` (rows without prefix: against ``FloorLLM`` and
``langchain_openai.OpenAI``) and the chat model (``chat_`` rows: against
``FloorChat`` and ``langchain_openai.ChatOpenAI``). The config's ``rows`` picks some.

Every figure is measured in rounds; in each round every client runs the same block
of work, in an order that rotates from round to round, so drift (CPU frequency,
cache, the other core's load) hits all of them alike. ``run.py`` takes medians.

``--profile ROW CLIENT OUT`` instead runs one row's workload under pyinstrument and
writes its text report to OUT.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from floor import BareBatch, BareChatBatch, FloorChat, FloorLLM
from langchain_core.language_models import BaseLanguageModel
from langchain_core.runnables import RunnableConfig
from pydantic import SecretStr
from rotation import rotated

PROMPT = "Say something short."

Model = BaseLanguageModel[Any]
Samples = dict[str, list[float]]


def make_rendered(path: str, url: str, concurrency: int) -> Model:
    module, _, name = path.partition(":")
    cls = getattr(importlib.import_module(module), name)
    kwargs: dict[str, Any] = {"base_url": url, "model": "bench"}
    fields = cls.model_fields
    if "api_key" in fields or any(f.alias == "api_key" for f in fields.values()):
        kwargs["api_key"] = "bench-key"
    if "max_concurrency" in fields:
        kwargs["max_concurrency"] = concurrency
    return cls(**kwargs)


def make_peer(url: str) -> Model:
    from langchain_openai import OpenAI

    return OpenAI(base_url=url, api_key=SecretStr("bench-key"), model="bench")


def make_clients(config: dict[str, Any], url: str, concurrency: int = 16) -> dict[str, Model]:
    return {
        "rendered": make_rendered(config["rendered"], url, concurrency),
        "floor": FloorLLM(base_url=url),
        "peer": make_peer(url),
    }


def batch_clients(config: dict[str, Any]) -> dict[str, Any]:
    url = f"{config['base_url']}/delay-{config['latency_ms']}/v1"
    clients = make_clients(config, url, config["concurrency"])
    return {
        "rendered": clients["rendered"],
        # FloorLLM keeps LLM's default _generate/_agenerate: one prompt after another
        "default": clients["floor"],
        "peer": clients["peer"],
        "httpx": BareBatch(url, config["concurrency"]),
    }


def make_chat_clients(config: dict[str, Any], url: str) -> dict[str, Model]:
    from langchain_openai import ChatOpenAI

    return {
        "rendered": make_rendered(config["rendered_chat"], url, config["concurrency"]),
        "floor": FloorChat(base_url=url),
        "peer": ChatOpenAI(base_url=url, api_key=SecretStr("bench-key"), model="bench"),
    }


def chat_batch_clients(config: dict[str, Any]) -> dict[str, Any]:
    url = f"{config['base_url']}/delay-{config['latency_ms']}/v1"
    # the floor's batch is Runnable's default: concurrent, max_concurrency at a time
    return {**make_chat_clients(config, url), "httpx": BareChatBatch(url, config["concurrency"])}


@dataclass(frozen=True)
class Kind:
    """One kind of model measured: how to make its clients and read its answers."""

    clients: Callable[[dict[str, Any], str], dict[str, Any]]
    batch_clients: Callable[[dict[str, Any]], dict[str, Any]]
    text: Callable[[Any], object]


KINDS = {
    "": Kind(make_clients, batch_clients, lambda answer: answer),
    # a message's content; bare httpx gives the text itself
    "chat_": Kind(make_chat_clients, chat_batch_clients, lambda a: getattr(a, "content", a)),
}
"""Each kind by the prefix of its rows' names (LLM rows have none)."""


def invoke_block(llm: Model, calls: int) -> None:
    for _ in range(calls):
        llm.invoke(PROMPT)


def consume_stream(llm: Model) -> None:
    for _ in llm.stream(PROMPT):
        pass


def timed(work: Callable[[], object]) -> float:
    gc.collect()
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


async def atimed(work: Callable[[], Any]) -> float:
    gc.collect()
    started = time.perf_counter()
    await work()
    return time.perf_counter() - started


def check_text(name: str, text: object, problems: list[str]) -> None:
    if not isinstance(text, str) or "benchmark completion" not in text:
        problems.append(f"{name}: unexpected answer {text!r}")


def invoke_latency(kind: Kind, config: dict[str, Any], problems: list[str]) -> Samples:
    """Mean seconds per call of a block of ``calls`` calls, per round."""
    clients = kind.clients(config, f"{config['base_url']}/v1")
    for name, llm in clients.items():
        check_text(name, kind.text(llm.invoke(PROMPT)), problems)
        for _ in range(config["warmup"]):
            llm.invoke(PROMPT)
    samples: Samples = {name: [] for name in clients}
    for r in range(config["rounds"]):
        for name in rotated(list(clients), r):
            elapsed = timed(partial(invoke_block, clients[name], config["calls"]))
            samples[name].append(elapsed / config["calls"])
    return samples


async def ainvoke_latency(kind: Kind, config: dict[str, Any], problems: list[str]) -> Samples:
    """Async twin of ``invoke_latency``."""
    clients = kind.clients(config, f"{config['base_url']}/v1")
    calls = config["calls"]
    for name, llm in clients.items():
        check_text(name, kind.text(await llm.ainvoke(PROMPT)), problems)
        for _ in range(config["warmup"]):
            await llm.ainvoke(PROMPT)
    samples: Samples = {name: [] for name in clients}
    for r in range(config["rounds"]):
        for name in rotated(list(clients), r):
            llm = clients[name]

            async def block(llm: Model = llm) -> None:
                for _ in range(calls):
                    await llm.ainvoke(PROMPT)

            samples[name].append(await atimed(block) / calls)
    return samples


def stream_rate(kind: Kind, config: dict[str, Any], problems: list[str]) -> Samples:
    """Chunks per second over one long stream, per round."""
    chunks = config["stream_chunks"]
    clients = kind.clients(config, f"{config['base_url']}/chunks-{chunks}/v1")
    for name, llm in clients.items():
        seen = sum(1 for piece in llm.stream(PROMPT) if kind.text(piece))
        if seen < chunks:
            problems.append(f"{name}: stream gave {seen} chunks of {chunks}")
    samples: Samples = {name: [] for name in clients}
    for r in range(config["stream_rounds"]):
        for name in rotated(list(clients), r):
            samples[name].append(chunks / timed(partial(consume_stream, clients[name])))
    return samples


async def astream_rate(kind: Kind, config: dict[str, Any], problems: list[str]) -> Samples:
    """Async twin of ``stream_rate``."""
    chunks = config["stream_chunks"]
    clients = kind.clients(config, f"{config['base_url']}/chunks-{chunks}/v1")
    for name, llm in clients.items():
        seen = 0
        async for piece in llm.astream(PROMPT):
            seen += bool(kind.text(piece))
        if seen < chunks:
            problems.append(f"{name}: astream gave {seen} chunks of {chunks}")
    samples: Samples = {name: [] for name in clients}
    for r in range(config["stream_rounds"]):
        for name in rotated(list(clients), r):
            llm = clients[name]

            async def consume(llm: Model = llm) -> None:
                async for _ in llm.astream(PROMPT):
                    pass

            samples[name].append(chunks / await atimed(consume))
    return samples


def batch_time(kind: Kind, config: dict[str, Any], problems: list[str]) -> Samples:
    """Seconds per batch of ``batch_size`` prompts at ``concurrency``, 50 ms server."""
    clients = kind.batch_clients(config)
    prompts: list[Any] = [f"{PROMPT} #{i}" for i in range(config["batch_size"])]
    options = RunnableConfig(max_concurrency=config["concurrency"])
    for name, llm in clients.items():
        for output in llm.batch(prompts[:2], config=options):
            check_text(name, kind.text(output), problems)
    samples: Samples = {name: [] for name in clients}
    for r in range(config["batch_rounds"]):
        for name in rotated(list(clients), r):
            llm = clients[name]
            samples[name].append(timed(partial(llm.batch, prompts, config=options)))
    return samples


async def abatch_time(kind: Kind, config: dict[str, Any], problems: list[str]) -> Samples:
    """Async twin of ``batch_time``."""
    clients = kind.batch_clients(config)
    prompts: list[Any] = [f"{PROMPT} #{i}" for i in range(config["batch_size"])]
    options = RunnableConfig(max_concurrency=config["concurrency"])
    for name, llm in clients.items():
        for output in await llm.abatch(prompts[:2], config=options):
            check_text(name, kind.text(output), problems)
    samples: Samples = {name: [] for name in clients}
    for r in range(config["batch_rounds"]):
        for name in rotated(list(clients), r):
            llm = clients[name]
            samples[name].append(await atimed(partial(llm.abatch, prompts, config=options)))
    return samples


# Each workload by name, with the key of its samples in the output.
SYNC_WORKLOADS = {
    "invoke": ("invoke_s", invoke_latency),
    "stream": ("stream_chunks_per_s", stream_rate),
    "batch": ("batch_s", batch_time),
}
ASYNC_WORKLOADS = {
    "ainvoke": ("ainvoke_s", ainvoke_latency),
    "astream": ("astream_chunks_per_s", astream_rate),
    "abatch": ("abatch_s", abatch_time),
}
ROWS = [f"{prefix}{name}" for prefix in KINDS for name in (*SYNC_WORKLOADS, *ASYNC_WORKLOADS)]
"""Every row this script can measure: invoke, ..., chat_invoke, ..."""


def wanted(config: dict[str, Any]) -> list[tuple[str, Kind, str]]:
    """(prefix, kind, workload) of each row the config asks for (default: all)."""
    rows = config.get("rows") or ROWS
    if "rendered_chat" not in config:  # rendered without the chat model
        rows = [row for row in rows if not row.startswith("chat_")]
    found = []
    for prefix, kind in KINDS.items():
        for workload in (*SYNC_WORKLOADS, *ASYNC_WORKLOADS):
            if f"{prefix}{workload}" in rows:
                found.append((prefix, kind, workload))
    return found


def run_sync(config: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for prefix, kind, workload in wanted(config):
        if workload in SYNC_WORKLOADS:
            key, measure = SYNC_WORKLOADS[workload]
            results[prefix + key] = measure(kind, config, problems)
    return results


async def run_async(config: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for prefix, kind, workload in wanted(config):
        if workload in ASYNC_WORKLOADS:
            key, ameasure = ASYNC_WORKLOADS[workload]
            results[prefix + key] = await ameasure(kind, config, problems)
    return results


def profile(config: dict[str, Any], row: str, client: str, out: str) -> None:
    """Run one row's workload of one client under pyinstrument; write the text report."""
    from pyinstrument import Profiler

    prefix = next(p for p in sorted(KINDS, reverse=True) if row.startswith(p))
    kind, workload = KINDS[prefix], row.removeprefix(prefix)
    base, calls = config["base_url"], config["calls"]
    if workload in ("batch", "abatch"):
        llm = kind.batch_clients(config)[client]
    elif workload in ("stream", "astream"):
        llm = kind.clients(config, f"{base}/chunks-{config['stream_chunks']}/v1")[client]
    else:
        llm = kind.clients(config, f"{base}/v1")[client]
    prompts: list[Any] = [f"{PROMPT} #{i}" for i in range(config["batch_size"])]
    options = RunnableConfig(max_concurrency=config["concurrency"])
    repeat = {"invoke": calls, "ainvoke": calls}.get(workload, 3)

    async def arun() -> None:
        for _ in range(repeat):
            if workload == "ainvoke":
                await llm.ainvoke(PROMPT)
            elif workload == "astream":
                async for _ in llm.astream(PROMPT):
                    pass
            else:
                await llm.abatch(prompts, config=options)

    def run() -> None:
        for _ in range(repeat):
            if workload == "invoke":
                llm.invoke(PROMPT)
            elif workload == "stream":
                for _ in llm.stream(PROMPT):
                    pass
            else:
                llm.batch(prompts, config=options)

    # every frame of the thread (the event loop's too), not only the awaited task's
    profiler = Profiler(interval=0.0002, async_mode="disabled")

    async def warm_then_profile() -> None:  # one event loop: its clients stay valid
        await arun()
        with profiler:
            await arun()

    if workload.startswith("a"):
        asyncio.run(warm_then_profile())
    else:
        run()
        with profiler:
            run()
    with open(out, "w") as file:
        file.write(profiler.output_text(unicode=False, color=False, show_all=True))
        file.write("\n\nSelf time by function:\n")
        file.write(profiler.output_text(unicode=False, color=False, flat=True, show_all=True))


def main() -> None:
    config = json.loads(sys.argv[1])
    if len(sys.argv) > 2 and sys.argv[2] == "--profile":
        profile(config, *sys.argv[3:6])
        return
    problems: list[str] = []
    results = run_sync(config, problems)
    results.update(asyncio.run(run_async(config, problems)))
    results["problems"] = problems
    print(json.dumps(results))


if __name__ == "__main__":
    main()
