"""Client-side stop sequences: literal, first match wins, safe across chunk boundaries.

Servers disagree on stop sequences (some strip the match, some ignore the parameter),
so the client enforces them itself, the same way for whole texts and for streams.
"""

from __future__ import annotations

from collections.abc import Sequence


class StopScanner:
    """Cut a text, fed piece by piece, at the first stop sequence to complete.

    "First" means the match that ends earliest, which is what a reader of the stream
    sees first; among matches ending at the same place the longest wins. Text that
    could still turn into a stop sequence is held back until the next piece decides.
    """

    def __init__(self, stop: Sequence[str] | None, *, include_stop: bool) -> None:
        """Create a scanner for ``stop`` (empty strings are ignored)."""
        self._stops = tuple(s for s in stop or () if s)
        self._include_stop = include_stop
        self._pending = ""
        self.stopped = False
        """Whether a stop sequence has matched: nothing more will be returned."""

    def feed(self, text: str) -> str:
        """Return the part of ``text`` that is safe to emit now."""
        if self.stopped:
            return ""
        buffer = self._pending + text
        cut = self._find_cut(buffer)
        if cut is not None:
            self.stopped = True
            self._pending = ""
            return buffer[:cut]
        keep = self._longest_partial_match(buffer)
        self._pending = buffer[len(buffer) - keep :]
        return buffer[: len(buffer) - keep]

    def flush(self) -> str:
        """Return the held-back text at the end of the stream."""
        rest, self._pending = self._pending, ""
        return "" if self.stopped else rest

    def _find_cut(self, buffer: str) -> int | None:
        # (end, -start) of the match that ends first, the longer one on a tie
        best: tuple[int, int] | None = None
        for stop in self._stops:
            start = buffer.find(stop)
            if start != -1:
                candidate = (start + len(stop), -start)
                if best is None or candidate < best:
                    best = candidate
        if best is None:
            return None
        end, negative_start = best
        return end if self._include_stop else -negative_start

    def _longest_partial_match(self, buffer: str) -> int:
        """Length of the longest suffix of ``buffer`` that starts some stop sequence."""
        longest = 0
        for stop in self._stops:
            for size in range(min(len(stop) - 1, len(buffer)), longest, -1):
                if buffer.endswith(stop[:size]):
                    longest = size
                    break
        return longest
