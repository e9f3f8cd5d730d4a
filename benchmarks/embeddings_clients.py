"""Embedding figures: the rendered embeddings class, a bare-httpx floor and the peer.

Run by ``run.py`` with the Python of an environment holding a package rendered with
``embeddings=yes`` and ``langchain-openai``, after it started ``server.py``. Takes one
JSON argument (see ``run.py``), prints one JSON object.

Each client embeds the same short texts with ``embed_documents`` (then, in one event
loop, ``aembed_documents``) against the server answering each request after a delay,
in rounds whose order rotates, as ``clients.py`` does for the LLM:

* rendered: the package's class with its defaults (``chunk_size`` texts a request,
  ``max_concurrency`` requests at once, base64);
* floor: the same requests (the same chunks, the same concurrency, base64) sent with
  bare httpx, threads or a semaphore, the vectors decoded with ``array`` and nothing
  else: no checks, no order by index, no retries;
* peer: ``langchain_openai.OpenAIEmbeddings(check_embedding_ctx_length=False)`` with
  its defaults (1,000 texts a request, one request after another, base64 by the
  openai SDK).

Peak memory is tracemalloc's peak during one more call of each, outside the timing.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import importlib
import json
import sys
import time
import tracemalloc
from array import array
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from pydantic import SecretStr
from rotation import rotated


def decoded(embedding: str) -> list[float]:
    """A base64 vector of little-endian float32 as floats (this machine's order)."""
    return array("f", base64.b64decode(embedding)).tolist()


class BareEmbeddings:
    """The floor: the requests of the rendered class, bare httpx, nothing else."""

    def __init__(self, base_url: str, chunk_size: int, concurrency: int) -> None:
        self.url = f"{base_url}/embeddings"
        self.chunk_size = chunk_size
        self.concurrency = concurrency
        self.client = httpx.Client()
        self.aclient = httpx.AsyncClient()

    def _chunks(self, texts: list[str]) -> list[list[str]]:
        size = self.chunk_size
        return [texts[i : i + size] for i in range(0, len(texts), size)]

    def _body(self, chunk: list[str]) -> dict[str, Any]:
        return {"model": "bench", "input": chunk, "encoding_format": "base64"}

    def _vectors(self, answer: dict[str, Any]) -> list[list[float]]:
        return [decoded(item["embedding"]) for item in answer["data"]]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        def one(chunk: list[str]) -> list[list[float]]:
            return self._vectors(self.client.post(self.url, json=self._body(chunk)).json())

        with ThreadPoolExecutor(self.concurrency) as pool:
            return [vector for part in pool.map(one, self._chunks(texts)) for vector in part]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        semaphore = asyncio.Semaphore(self.concurrency)

        async def one(chunk: list[str]) -> list[list[float]]:
            async with semaphore:
                response = await self.aclient.post(self.url, json=self._body(chunk))
                return self._vectors(response.json())

        parts = await asyncio.gather(*(one(chunk) for chunk in self._chunks(texts)))
        return [vector for part in parts for vector in part]


def make_clients(config: dict[str, Any]) -> dict[str, Any]:
    from langchain_openai import OpenAIEmbeddings

    url = f"{config['base_url']}/delay-{config['embed_latency_ms']}/v1"
    module, _, name = config["embeddings"].partition(":")
    cls = getattr(importlib.import_module(module), name)
    kwargs: dict[str, Any] = {"base_url": url, "model": "bench"}
    if "api_key" in cls.model_fields:
        kwargs["api_key"] = "bench-key"
    rendered = cls(**kwargs)
    peer = OpenAIEmbeddings(
        base_url=url,
        api_key=SecretStr("bench-key"),
        model="bench",
        check_embedding_ctx_length=False,
    )
    floor = BareEmbeddings(url, rendered.chunk_size, rendered.max_concurrency)
    return {"rendered": rendered, "floor": floor, "peer": peer}


def check(name: str, vectors: Any, count: int, problems: list[str]) -> None:
    sizes = {len(vector) for vector in vectors}
    if len(vectors) != count or len(sizes) != 1 or not isinstance(vectors[0][0], float):
        problems.append(f"{name}: {len(vectors)} vectors of sizes {sorted(sizes)}")


def peak_mib(call: Callable[[], object]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


async def apeak_mib(call: Callable[[], Awaitable[object]]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        await call()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def run_sync(config: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    texts = [f"short text number {n}" for n in range(config["embed_texts"])]
    clients = make_clients(config)
    for name, client in clients.items():
        check(name, client.embed_documents(texts), len(texts), problems)
        for _ in range(config["embed_warmup"]):
            client.embed_documents(texts)
    seconds: dict[str, list[float]] = {name: [] for name in clients}
    for r in range(config["embed_rounds"]):
        for name in rotated(list(clients), r):
            gc.collect()
            started = time.perf_counter()
            clients[name].embed_documents(texts)
            seconds[name].append(time.perf_counter() - started)
    peaks = {name: [peak_mib(lambda c=c: c.embed_documents(texts))] for name, c in clients.items()}
    return {"embed_s": seconds, "embed_peak_mib": peaks}


async def run_async(config: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    texts = [f"short text number {n}" for n in range(config["embed_texts"])]
    clients = make_clients(config)
    for name, client in clients.items():
        check(name, await client.aembed_documents(texts), len(texts), problems)
        for _ in range(config["embed_warmup"]):
            await client.aembed_documents(texts)
    seconds: dict[str, list[float]] = {name: [] for name in clients}
    for r in range(config["embed_rounds"]):
        for name in rotated(list(clients), r):
            gc.collect()
            started = time.perf_counter()
            await clients[name].aembed_documents(texts)
            seconds[name].append(time.perf_counter() - started)
    peaks = {
        name: [await apeak_mib(lambda c=c: c.aembed_documents(texts))]
        for name, c in clients.items()
    }
    return {"aembed_s": seconds, "aembed_peak_mib": peaks}


def main() -> None:
    config, problems = json.loads(sys.argv[1]), []
    sync = run_sync(config, problems)
    print(json.dumps({**sync, **asyncio.run(run_async(config, problems)), "problems": problems}))


if __name__ == "__main__":
    main()
