"""Runs extract_child.py in its own process with memory, CPU-time and wall-clock limits."""

import json
import os
import resource
import subprocess
import sys
from dataclasses import dataclass

CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "extract_child.py")
MEMORY_LIMIT = 768 * 1024 * 1024
CPU_SECONDS = 20
WALL_SECONDS = 40
OUTPUT_LIMIT = 16 * 1024 * 1024


@dataclass
class Extraction:
    text: str | None
    error: str = ""


def _limit_child() -> None:
    # Runs in the child between fork and exec: a hostile file can exhaust only these budgets.
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def extract(path: str, mime: str) -> Extraction:
    """The text of the file, or an error code ("timeout", "crashed", "corrupt", "encrypted")."""
    try:
        done = subprocess.run(
            [sys.executable, "-I", CHILD, path, mime], capture_output=True,
            timeout=WALL_SECONDS, preexec_fn=_limit_child, env={"LC_ALL": "C.UTF-8"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Extraction(None, "timeout")
    if done.returncode != 0 or len(done.stdout) > OUTPUT_LIMIT:
        return Extraction(None, "crashed")
    try:
        result = json.loads(done.stdout)
    except ValueError:
        return Extraction(None, "crashed")
    if "text" in result:
        return Extraction(result["text"])
    return Extraction(None, str(result.get("error", "corrupt"))[:50])
