"""``python -m plexbook``: the same command line as ``plexbook``."""

from plexbook.cli.main import app

app(prog_name="plexbook")
