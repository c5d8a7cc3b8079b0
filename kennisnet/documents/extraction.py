"""Runs extract_child.py in its own process with memory, CPU-time and wall-clock limits."""

import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "extract_child.py")
MEMORY_LIMIT = 512 * 1024 * 1024
CPU_SECONDS = 15
WALL_SECONDS = 20
OUTPUT_LIMIT = 16 * 1024 * 1024


@dataclass
class Extraction:
    text: str | None
    error: str = ""
    peak_rss: int = 0  # bytes, as the kernel counted them for the child
    seconds: float = 0.0


def _limit_child() -> None:
    # Runs in the child between fork and exec: a hostile file can exhaust only these budgets.
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _run_child(path: str, mime: str) -> tuple[bytes, int, int, bool]:
    """stdout, exit code, an upper bound of the peak RSS in bytes, and whether the wall
    clock ran out.

    Reaped with os.wait4 rather than subprocess.run so the kernel's figure for the child's
    peak memory comes back even when the child was killed. That figure includes the parent's
    pages from before exec, so a child that finishes reports its own (smaller) peak instead.
    """
    child = subprocess.Popen(
        [sys.executable, "-I", CHILD, path, mime], stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, preexec_fn=_limit_child, env={"LC_ALL": "C.UTF-8"})
    timed_out = threading.Event()

    def kill() -> None:
        # os.kill, not child.kill(): that polls, and could reap the child before wait4 does.
        timed_out.set()
        try:
            os.kill(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(WALL_SECONDS, kill)
    timer.start()
    try:
        stdout = child.stdout.read(OUTPUT_LIMIT + 1)
        child.stdout.close()  # a child that writes on past the limit gets a broken pipe
        _, status, usage = os.wait4(child.pid, 0)
    finally:
        timer.cancel()
    child.returncode = os.waitstatus_to_exitcode(status)
    return stdout, child.returncode, usage.ru_maxrss * 1024, timed_out.is_set()


def extract(path: str, mime: str) -> Extraction:
    """The text of the file, or an error code ("timeout", "crashed", "corrupt", "encrypted",
    "active_content", ...)."""
    started = time.monotonic()
    stdout, returncode, peak_rss, timed_out = _run_child(path, mime)
    seconds = time.monotonic() - started
    if timed_out:
        return Extraction(None, "timeout", peak_rss, seconds)
    if returncode != 0 or len(stdout) > OUTPUT_LIMIT:
        return Extraction(None, "crashed", peak_rss, seconds)
    try:
        result = json.loads(stdout)
    except ValueError:
        return Extraction(None, "crashed", peak_rss, seconds)
    if not isinstance(result, dict):
        return Extraction(None, "crashed", peak_rss, seconds)
    peak_rss = int(result.get("peak_rss") or peak_rss)
    if "text" in result:
        return Extraction(result["text"], "", peak_rss, seconds)
    return Extraction(None, str(result.get("error", "corrupt"))[:50], peak_rss, seconds)
