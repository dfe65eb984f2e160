"""The regression suite: ``pytest --pyargs plexbook.regression [--plex-target live]``."""
