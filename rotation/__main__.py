"""`python -m rotation`: the operator's command line (rotation/cli.py)."""

import sys

from rotation.cli import main

sys.exit(main())
