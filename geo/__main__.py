"""``python -m geo``: the ``tensionmap`` command."""

import sys

from geo.cli import main

sys.exit(main())
