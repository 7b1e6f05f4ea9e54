"""PyInstaller entry point of the desktop bundle: the same `main()` as the `opgelucht-desk` command."""

import sys

from opgelucht_desk.__main__ import main

sys.exit(main())
