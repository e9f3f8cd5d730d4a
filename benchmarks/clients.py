"""Client figures: the rendered client, the floor and the peer on one loopback server.

Run by ``run.py`` with the Python of the benchmark environment (the rendered package,
``langchain-openai`` and this directory's ``floor.py`` importable), after it started
``server.py``. Takes one JSON argument (see ``run.py``), prints one JSON object.

Every figure is measured in rounds; in each round every client runs the same block
of work, in an order that rotates from round to round, so drift (CPU frequency,
cache, the other core's load) hits all of them alike. ``run.py`` takes medians.

``--profile WORKLOAD CLIENT OUT`` instead runs one workload under pyinstrument and
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
from functools import partial
from typing import Any

from floor import BareBatch, FloorLLM
from langchain_core.language_models.llms import BaseLLM
from langchain_core.runnables import RunnableConfig
from pydantic import SecretStr
from rotation import rotated

PROMPT = "Say something short."


def make_rendered(path: str, url: str, concurrency: int) -> BaseLLM:
    module, _, name = path.partition(":")
    cls = getattr(importlib.import_module(module), name)
    kwargs: dict[str, Any] = {"base_url": url, "model": "bench"}
    fields = cls.model_fields
    if "api_key" in fields or any(f.alias == "api_key" for f in fields.values()):
        kwargs["api_key"] = "bench-key"
    if "max_concurrency" in fields:
        kwargs["max_concurrency"] = concurrency
    return cls(**kwargs)


def make_peer(url: str) -> BaseLLM:
    from langchain_openai import OpenAI

    return OpenAI(base_url=url, api_key=SecretStr("bench-key"), model="bench")


def make_clients(config: dict[str, Any], url: str, concurrency: int = 16) -> dict[str, BaseLLM]:
    return {
        "rendered": make_rendered(config["rendered"], url, concurrency),
        "floor": FloorLLM(base_url=url),
        "peer": make_peer(url),
    }


def invoke_block(llm: BaseLLM, calls: int) -> None:
    for _ in range(calls):
        llm.invoke(PROMPT)


def consume_stream(llm: BaseLLM) -> None:
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


def run_sync(config: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    base = config["base_url"]
    rounds, calls = config["rounds"], config["calls"]
    results: dict[str, Any] = {}

    # invoke latency: mean seconds per call of a block of `calls` calls, per round
    clients = make_clients(config, f"{base}/v1")
    for name, llm in clients.items():
        check_text(name, llm.invoke(PROMPT), problems)
        for _ in range(config["warmup"]):
            llm.invoke(PROMPT)
    samples: dict[str, list[float]] = {name: [] for name in clients}
    for r in range(rounds):
        for name in rotated(list(clients), r):
            llm = clients[name]
            elapsed = timed(partial(invoke_block, llm, calls))
            samples[name].append(elapsed / calls)
    results["invoke_s"] = samples

    # streaming: chunks per second over one long stream, per round
    chunks = config["stream_chunks"]
    clients = make_clients(config, f"{base}/chunks-{chunks}/v1")
    samples = {name: [] for name in clients}
    counts: dict[str, int] = {}
    for name, llm in clients.items():
        counts[name] = sum(1 for piece in llm.stream(PROMPT) if piece)
        if counts[name] < chunks:
            problems.append(f"{name}: stream gave {counts[name]} chunks of {chunks}")
    for r in range(config["stream_rounds"]):
        for name in rotated(list(clients), r):
            llm = clients[name]
            elapsed = timed(partial(consume_stream, llm))
            samples[name].append(chunks / elapsed)
    results["stream_chunks_per_s"] = samples
    results["stream_chunks_seen"] = counts

    # batch of n prompts at `concurrency` against a server with latency
    results["batch_s"] = run_batches(config, problems)
    return results


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


def run_batches(config: dict[str, Any], problems: list[str]) -> dict[str, list[float]]:
    clients = batch_clients(config)
    prompts: list[Any] = [f"{PROMPT} #{i}" for i in range(config["batch_size"])]
    options = RunnableConfig(max_concurrency=config["concurrency"])
    samples: dict[str, list[float]] = {name: [] for name in clients}
    for name, llm in clients.items():
        outputs = llm.batch(prompts[:2], config=options)
        for output in outputs:
            check_text(name, output, problems)
    for r in range(config["batch_rounds"]):
        for name in rotated(list(clients), r):
            llm = clients[name]
            samples[name].append(timed(partial(llm.batch, prompts, config=options)))
    return samples


async def run_async(config: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    base = config["base_url"]
    rounds, calls = config["rounds"], config["calls"]
    results: dict[str, Any] = {}

    clients = make_clients(config, f"{base}/v1")
    for name, llm in clients.items():
        check_text(name, await llm.ainvoke(PROMPT), problems)
        for _ in range(config["warmup"]):
            await llm.ainvoke(PROMPT)
    samples: dict[str, list[float]] = {name: [] for name in clients}
    for r in range(rounds):
        for name in rotated(list(clients), r):
            llm = clients[name]

            async def block(llm: BaseLLM = llm) -> None:
                for _ in range(calls):
                    await llm.ainvoke(PROMPT)

            samples[name].append(await atimed(block) / calls)
    results["ainvoke_s"] = samples

    chunks = config["stream_chunks"]
    clients = make_clients(config, f"{base}/chunks-{chunks}/v1")
    samples = {name: [] for name in clients}
    for name, llm in clients.items():
        seen = 0
        async for piece in llm.astream(PROMPT):
            seen += bool(piece)
        if seen < chunks:
            problems.append(f"{name}: astream gave {seen} chunks of {chunks}")
    for r in range(config["stream_rounds"]):
        for name in rotated(list(clients), r):
            llm = clients[name]

            async def consume(llm: BaseLLM = llm) -> None:
                async for _ in llm.astream(PROMPT):
                    pass

            samples[name].append(chunks / await atimed(consume))
    results["astream_chunks_per_s"] = samples

    clients = batch_clients(config)
    prompts: list[Any] = [f"{PROMPT} #{i}" for i in range(config["batch_size"])]
    options = RunnableConfig(max_concurrency=config["concurrency"])
    samples = {name: [] for name in clients}
    for name, llm in clients.items():
        for output in await llm.abatch(prompts[:2], config=options):
            check_text(name, output, problems)
    for r in range(config["batch_rounds"]):
        for name in rotated(list(clients), r):
            llm = clients[name]
            samples[name].append(await atimed(partial(llm.abatch, prompts, config=options)))
    results["abatch_s"] = samples
    return results


def profile(config: dict[str, Any], workload: str, client: str, out: str) -> None:
    """Run one workload of one client under pyinstrument; write the text report."""
    from pyinstrument import Profiler

    base, calls = config["base_url"], config["calls"]
    if workload in ("batch", "abatch"):
        llm = batch_clients(config)[client]
    elif workload in ("stream", "astream"):
        llm = make_clients(config, f"{base}/chunks-{config['stream_chunks']}/v1")[client]
    else:
        llm = make_clients(config, f"{base}/v1")[client]
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
