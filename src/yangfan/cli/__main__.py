import sys

from yangfan.cli import main

sys.exit(main())
