"""`python -m hubcensus ...` is the same as the `hubcensus` console script."""

import sys

from hubcensus.cli import main

sys.exit(main())
