import sys

from dlcost.cli import main

sys.exit(main())
