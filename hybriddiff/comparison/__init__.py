"""The comparison (``hd.compare``): every method on the same function and point against a 50-digit
reference (``reference.py``), measured (``measure.py``), as rows and columns (``compare.py``,
``columns.py``), rendered as tables and plots (``render.py``)."""
