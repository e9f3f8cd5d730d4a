"""The stop-sequence scanner: a stream of any chunking is cut like the whole text."""

import pytest

from {{ cookiecutter.module_name }}._stop import (
    StopScanner,
)


def cut(pieces: list[str], stop: list[str], *, include_stop: bool) -> str:
    """What a stream of ``pieces`` yields, fed through a scanner."""
    scanner = StopScanner(stop, include_stop=include_stop)
    return "".join(scanner.feed(piece) for piece in pieces) + scanner.flush()


def chunkings(text: str) -> list[list[str]]:
    """The text cut into pieces of every size from 1 to len(text)."""
    return [
        [text[i : i + size] for i in range(0, len(text), size)]
        for size in range(1, len(text) + 1)
    ]


@pytest.mark.parametrize(
    ("text", "stop", "expected"),
    [
        ("abcdef", ["cd"], "abcd"),
        ("abcdef", ["ef", "bc"], "abc"),
        ("abcdef", ["abcd", "c"], "abc"),  # "c" completes before "abcd"
        ("abcdef", ["bc", "abc"], "abc"),  # same end: the longer one
        ("aab", ["ab"], "aab"),  # a partial match that fails, then a real one
        ("a.b*c", [".b*"], "a.b*"),  # literal, not a regular expression
        ("abc", ["x", ""], "abc"),  # empty stop sequences are ignored
        ("", ["a"], ""),
        ("héllo wörld", ["ö"], "héllo wö"),
    ],
)
def test_every_chunking_cuts_like_the_whole_text(
    text: str, stop: list[str], expected: str
) -> None:
    for pieces in [[text], *chunkings(text)]:
        assert cut(pieces, stop, include_stop=True) == expected


def test_exclude_stop() -> None:
    for pieces in chunkings("hello world"):
        assert cut(pieces, ["o w"], include_stop=False) == "hell"


def test_holds_back_only_what_could_become_a_stop() -> None:
    scanner = StopScanner(["world"], include_stop=True)
    assert scanner.feed("hello wo") == "hello "
    assert scanner.feed("lf") == "wolf"
    assert not scanner.stopped
    assert scanner.feed(" world!") == " world"
    assert scanner.stopped
    assert scanner.feed("more") == ""
    assert scanner.flush() == ""


def test_flush_returns_held_text_at_end_of_stream() -> None:
    scanner = StopScanner(["world"], include_stop=True)
    assert scanner.feed("hello wor") == "hello "
    assert scanner.flush() == "wor"
