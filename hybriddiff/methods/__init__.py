"""The differentiation methods of ``hd.METHODS``: one ``Method`` record each (``record.py``), listed in
one place (``registry.py``, with ``hd.derivative``); the adapters per family: ``ad.py``,
``symbolic.py`` and ``hybrid.py`` (sharing ``cas.py``), ``fd.py``."""
