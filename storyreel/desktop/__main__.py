"""``python -m storyreel.desktop``."""

from storyreel.desktop.app import main

raise SystemExit(main())
