"""The registry database: what is stored and how a submission gets there.

- ``store.py``: engines (SQLite by default, PostgreSQL by URL), the audit table, the schema
  through the Alembic migrations of ``migrations/``;
- ``loading.py``: a load, all or nothing; ``writing.py``: its one transaction and the load
  guard; ``copying.py``: staged rows in; ``changes.py``: what a load adds, changes and
  removes; ``submission_order.py``: the order of a site's submissions;
- ``central.py``: the rule catalogue run on the registry database (``validate --db``).
"""
