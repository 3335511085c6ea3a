"""The core: the table of primitives (``primitives.py``, one ``Primitive`` record each, ``record.py``),
the one dispatch point ``bind`` and nesting levels (``dispatch.py``), the functions composed from
primitives and the name tables built from the records (``functions.py``), operator overloading and
NumPy ufuncs (``overloads.py``), the rule printer (``printer.py``), the generated float fast paths
(``fastpath.py``), checks of user input (``checks.py``) and time-boxed worker processes
(``timebox.py``). Every other room builds on this one; it imports none of them."""
