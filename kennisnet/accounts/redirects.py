"""Where to go after logging in: only paths on this site, never another host."""

from urllib.parse import urlsplit


def safe_next_path(target: str | None, default: str) -> str:
    if not target or len(target) > 2000:
        return default
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
