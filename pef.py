"""Run pef from a source checkout without installing it: python pef.py -p TAKEOUT."""

import sys

# The pef/ package beside this file wins over this module on import (packages come first).
from pef.cli import main

if __name__ == "__main__":
    sys.exit(main())
