"""Entry point of the chunk helper process (see ``chunks.py``)."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

from registry.validation.chunks import serve

if __name__ == "__main__":
    gc.disable()  # millions of short-lived, acyclic records (as in validate.py)
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but the replies may reach the parent's pipe
    serve(Path(sys.argv[1]), sys.argv[2], sys.stdin.buffer, out)
    out.close()
    os._exit(0)  # the replies are sent; skip the interpreter's teardown
