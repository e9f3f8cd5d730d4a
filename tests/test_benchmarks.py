"""The benchmarks work: the quick mode measures every figure and writes sane JSON.

No timing thresholds here (timings are the benchmark's business, not a test's): only
that every figure is there, every number is positive and finite, and every ratio the
README's Performance table quotes can be computed.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from typing import Any

import pytest

from conftest import TEMPLATE, clean_env

# figure -> the sides it must have and the ratios it must give
EXPECTED = {
    "render": ({"template", "floor"}, {"template / floor"}),
    "render_tests": ({"uv", "fetched", "pip"}, {"fetched / uv", "pip / uv"}),
    "import": (
        {"llm_class", "llm", "package_after_llm", "llm_class_after_llm", "chat_after_llm"},
        {"LLM class / LLM"},
    ),
    "invoke": ({"rendered", "floor", "peer"}, {"rendered / floor", "rendered / peer"}),
    "ainvoke": ({"rendered", "floor", "peer"}, {"rendered / floor", "rendered / peer"}),
    "stream": ({"rendered", "floor", "peer"}, {"rendered / floor", "rendered / peer"}),
    "astream": ({"rendered", "floor", "peer"}, {"rendered / floor", "rendered / peer"}),
    "batch": ({"rendered", "default", "peer", "httpx"}, {"rendered / ideal", "rendered / httpx"}),
    "abatch": ({"rendered", "default", "peer", "httpx"}, {"rendered / ideal", "rendered / httpx"}),
    "embed": ({"rendered", "floor", "peer"}, {"rendered / floor", "rendered / peer"}),
    "aembed": ({"rendered", "floor", "peer"}, {"rendered / floor", "rendered / peer"}),
}
# the chat model's rows (on in the default render): the same, against the chat floor
for _name in ("invoke", "ainvoke", "stream", "astream"):
    EXPECTED[f"chat_{_name}"] = EXPECTED[_name]
for _name in ("batch", "abatch"):
    EXPECTED[f"chat_{_name}"] = (
        {"rendered", "floor", "peer", "httpx"},
        {"rendered / ideal", "rendered / httpx"},
    )


def positive(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and value > 0


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("bench") / "quick.json"
    result = subprocess.run(
        [sys.executable, str(TEMPLATE / "benchmarks" / "run.py"), "--quick", "--json", str(out)],
        cwd=TEMPLATE,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    return result.stdout, json.loads(out.read_text())


@pytest.mark.slow
def test_quick_mode_measures_every_figure(quick_run: tuple[str, dict[str, Any]]) -> None:
    _, data = quick_run
    assert data["meta"]["quick"] is True
    assert data["problems"] == []
    figures = data["figures"]
    assert set(figures) == set(EXPECTED)
    for name, (sides, ratios) in EXPECTED.items():
        row = figures[name]
        assert sides <= set(row["samples"]), name
        for side, samples in row["samples"].items():
            assert samples, (name, side)
            assert all(positive(v) for v in samples), (name, side, samples)
            assert positive(row["median"][side]), (name, side)
        assert ratios <= set(row["ratios"]), name
        assert all(positive(v) for v in row["ratios"].values()), (name, row["ratios"])
        assert row["met"] in (True, False, None)
    assert math.isfinite(figures["import"]["added_ms"])
    assert positive(figures["import"]["own_ms"])
    assert positive(figures["import"]["llm_class_ms"])
    assert positive(figures["import"]["chat_ms"])
    assert positive(figures["batch"]["ideal_ms"])
    for name in ("embed", "aembed"):
        assert all(positive(v) for v in figures[name]["peak_mib"].values()), name


@pytest.mark.slow
def test_quick_mode_prints_the_table(quick_run: tuple[str, dict[str, Any]]) -> None:
    stdout, data = quick_run
    assert stdout.startswith("| figure | unit | medians | ratios | target | met |")
    rows = [line for line in stdout.splitlines() if line.startswith("| ")]
    assert len(rows) == len(data["figures"]) + 1  # the header and one row a figure


@pytest.mark.slow
def test_the_render_peer_is_measured_or_says_why(quick_run: tuple[str, dict[str, Any]]) -> None:
    _, data = quick_run
    render = data["figures"]["render"]
    if "peer" in render["samples"]:
        assert positive(render["ratios"]["template / peer"])
    else:
        assert any(note.startswith("render peer:") for note in data["notes"])


def test_the_default_output_is_ignored_by_git() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "benchmarks/results/latest.json"],
        cwd=TEMPLATE,
        check=False,
    )
    assert ignored.returncode == 0, "benchmarks/results/ must stay out of commits"
