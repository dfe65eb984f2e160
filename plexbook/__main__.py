"""``python -m plexbook``: the same command line as ``plexbook``."""

from plexbook.cli.entry import main

main()
