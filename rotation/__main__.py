"""`python -m rotation`: the operator's command line (rotation/cli/commands.py)."""

import sys

from rotation.cli.commands import main

sys.exit(main())
