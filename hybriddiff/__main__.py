"""``python -m hybriddiff``: the same as the ``hybriddiff`` command."""
import sys

from .cli import main

sys.exit(main())
