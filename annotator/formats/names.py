"""File names for document keys and layer names, which may hold anything (slashes, spaces, dots)."""

from __future__ import annotations

import hashlib
import re

_SAFE_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def file_stem(key: str) -> str:
    """A file name for a document key: the key when it is a plain name, else a cleaned one with a hash."""
    if _SAFE_STEM.fullmatch(key) and len(key) <= 120:
        return key
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()
    return f"{_UNSAFE.sub('_', key)[:100].lstrip('.')}-{digest}"
