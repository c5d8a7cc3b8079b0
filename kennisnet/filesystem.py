"""Small file-system steps shared by the parts that write files atomically."""

import os


def fsync_directory(path: str | os.PathLike) -> None:
    """Make a rename in this folder durable: after a power cut the new name is there."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
