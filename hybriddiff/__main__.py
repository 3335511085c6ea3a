"""``python -m hybriddiff``: the same as the ``hybriddiff`` command."""
import sys

from .cli.commands import main

sys.exit(main())
