"""``python -m prodlife``: the ``prodlife`` command (see :mod:`prodlife.cli`)."""

from prodlife.cli import main

raise SystemExit(main())
