"""Temporaries that name the process writing them (``NAME.tmp-PID``): whether that process still runs, so
that what a killed export or index save left behind can be removed and what a live one writes is kept."""

from __future__ import annotations

import os


def writer_running(pid: int) -> bool:
    """Whether process ``pid`` still runs (this process counts; one of another user counts too, since it
    cannot be asked)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
