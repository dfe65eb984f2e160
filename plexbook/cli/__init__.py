"""The ``plexbook`` command line: one module per command or group, mounted in ``main``."""
