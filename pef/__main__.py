import sys

from pef.cli import main

sys.exit(main())
