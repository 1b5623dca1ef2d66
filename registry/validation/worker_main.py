"""Entry point of the expectation worker process (see ``worker.py``)."""

from __future__ import annotations

import os
import sys

from registry.validation.worker import _serve

if __name__ == "__main__":
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but the reply may reach the parent's pipe
    _serve(sys.stdin.buffer, out)
    out.close()
    # The reply is sent: skip the interpreter's teardown of Great Expectations (about a
    # second of atexit hooks and garbage collection the parent would otherwise wait for).
    os._exit(0)
