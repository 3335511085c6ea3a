"""The SymPy bridge of the graph room: graphs to SymPy (``bridge.py``, flat lists so depth never
matters), SymPy to graphs (``from_sympy.py``, iterative) and time-boxed simplification
(``simplify.py``)."""
