"""Showing results: the generic ``Table`` (text, Markdown, HTML, JSON, DataFrame; ``table.py``), the
number formatting and JSON scrubbing every view shares (``format.py``) and matplotlib, imported
only when a picture is asked for (``plotting.py``)."""
