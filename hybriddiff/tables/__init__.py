"""Trace tables that run an AD mode's own values through a graph: the Taylor-mode trace
(``taylor.py``: ``hd.taylor_table``). ad/ and graph/ are independent rooms, so a table that needs
both (ad's ``Taylor`` series, graph's nodes and names) binds them here, one layer above; the
interpreter itself stays in graph/ (``graph/taylor_table.py``). The forward and reverse tables need
no box (they evaluate the table's partials directly) and stay in ``graph/trace_tables.py``."""
