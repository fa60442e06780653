"""Memory measurement shared by the benchmark scripts: the growth of the resident high-water mark
(``VmHWM``, reset through ``/proc/self/clear_refs``) over a step, or ``tracemalloc``'s peak where the
mark cannot be reset."""

from __future__ import annotations

import contextlib
import gc
import time
import tracemalloc
from pathlib import Path


def status_mb(key: str) -> float:
    status = Path("/proc/self/status").read_text().splitlines()
    return next(int(ln.split()[1]) for ln in status if ln.startswith(f"{key}:")) * 1024 / 1e6


def can_reset() -> bool:
    """Whether VmHWM can be reset (Linux ``clear_refs`` 5) and read."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return abs(status_mb("VmHWM") - status_mb("VmRSS")) < 50
    except (OSError, StopIteration):
        return False


HWM = can_reset()


@contextlib.contextmanager
def peak_delta():
    """Yield a dict whose ``mb`` is set on exit to the step's peak memory above the start, in MB."""
    out = {"mb": float("nan")}
    gc.collect()
    if HWM:
        Path("/proc/self/clear_refs").write_text("5")
        start = status_mb("VmRSS")
    else:
        tracemalloc.start()
    try:
        yield out
    finally:
        if HWM:
            out["mb"] = status_mb("VmHWM") - start
        else:
            out["mb"] = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()


def traced_mb(fn) -> float:
    """Peak of Python/numpy allocations while ``fn`` runs again (``tracemalloc``; not timed)."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def make_timer(table: list, unit: str = "rows"):
    """A ``timed(label, fn, rows=None, trace=False)`` that runs ``fn`` once, prints seconds, ``rows`` (a count,
    or a function of the result) in ``unit`` and peak memory growth, appends ``(label, n, seconds, MB,
    traced MB)`` to ``table`` and returns the result. ``trace``: run it a second time under ``tracemalloc``
    (not timed) and report its allocation peak too; the RSS figure reads about 0 when a step fits in memory
    the process freed earlier."""

    def timed(label: str, fn, rows=None, trace: bool = False):
        with peak_delta() as mem:
            t0 = time.perf_counter()
            out = fn()
            s = time.perf_counter() - t0
        n = rows(out) if callable(rows) else rows
        traced = traced_mb(fn) if trace else float("nan")
        table.append((label, n or 0, s, mem["mb"], traced))
        shown = f"{n:>10,} {unit}" if n else " " * (11 + len(unit))
        extra = f", allocated {traced:7.1f} MB (tracemalloc)" if trace else ""
        print(f"  {label:<44}{s:8.3f} s {shown}  peak +{mem['mb']:7.1f} MB{extra}", flush=True)
        return out

    return timed
