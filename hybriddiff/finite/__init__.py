"""Finite differences: the schemes (``schemes.py``, one record each), exact stencils and steps
(``stencils.py``), safe evaluation of f along a coordinate (``probe.py``), fixed stencils with error
estimates (``fixed.py``), kinks and jumps at x (``kink.py``), domain edges (``edge.py``), the complex
step (``complexstep.py``), Richardson extrapolation (``richardson.py``) and the public entry points
(``difference.py``).
This room knows nothing of AD or graphs."""
