"""The intake service (spec: intake.md): how sites submit to the coordinating center.

``service.serve`` runs it (``vte-registry serve``): the application (``app.py``) with its
API (``api.py``) and pages (``pages.py``), who calls and what they may see (``callers.py``,
``sessions.py``, ``signin.py``), uploads streamed to disk (``uploads.py``), submissions as a
durable queue (``queue.py``) taken up by worker processes (``processing.py``). The accounts
(``accounts.py``, ``credentials.py``) are administered from the server's command line
(``vte-registry admin``); ``client.py`` is the other end (``vte-registry submit``); every
action is in the service's audit trail (``audit.py``).
"""
