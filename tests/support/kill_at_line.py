"""Run ``write_private_file`` and SIGKILL this process at its Nth executed line (0: never).

``python kill_at_line.py N PATH REPLACE``: exits 0 when the write finished before line N.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

TEXT = "# a complete file\n" + "key = 1\n" * 200


def main() -> int:
    limit, path, replace = int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "1"
    from hostprov_tui.config import private_file

    watched = private_file.__file__
    seen = 0

    def trace(frame: FrameType, event: str, _arg: Any) -> Any:
        nonlocal seen
        if frame.f_code.co_filename != watched:
            return None
        if event == "line":
            seen += 1
            if seen == limit:
                os.kill(os.getpid(), signal.SIGKILL)
        return trace

    sys.settrace(trace)
    private_file.write_private_file(path, TEXT, replace=replace)
    sys.settrace(None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
