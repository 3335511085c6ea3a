"""The graph room: the IR (``ir.py``, a hash-consed Wengert list; the leaf), tracing (``tracing.py``),
and one interpreter per thing a graph does: evaluation (``evaluate.py``, ``arguments.py``),
derivative graphs (``diffgraph.py``), code generation (``codegen.py``, ``inplace.py``), listings
(``listing.py``), trace tables (``trace_tables.py``; the Taylor-mode one, ``taylor_table.py``, on
series values that ``tables/`` gives it), drawing (``draw.py``, ``layout.py``) and the SymPy bridge
(``symbolic/``). ``facade.py`` holds the user-facing ``Graph`` and ``trace``: it calls down into the
interpreters, which never import it."""
