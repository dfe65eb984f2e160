"""plexbook: documented Plex web-app flows, run in a real browser, with evidence of every run."""

__version__ = "0.1.0"
