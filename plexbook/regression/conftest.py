"""``pytest --pyargs plexbook.regression`` brings plexbook's plugin with it.

The plugin is not installed into every pytest run of the environment: a suite uses it
when it asks (``-p plexbook.pytest_plugin``), and this package is such a suite.
"""

from plexbook.pytest_plugin import (  # noqa: F401 - pytest finds hooks and fixtures by name here
    plex_browser_build,
    plex_browser_traces,
    plex_request,
    plex_secrets,
    plex_target,
    pytest_addoption,
    pytest_configure,
)
