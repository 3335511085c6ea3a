"""Studies built on the comparison: step sizes (``stepstudy.py``), cost against dimension
(``scaling.py``), expression swell (``swell.py``), the ready-made function families
(``families.py``) and the self-contained report (``report.py``)."""
