"""The ``yangfan`` command. Thin: parse arguments, call a service, print in Chinese, exit 0 or not.

Every expected failure (bad plan file, unknown command, missing directory, port in use, unreachable
database) is one line on stderr and a non-zero exit status, never a traceback. Set YANGFAN_DEBUG=1 to
see the traceback of an unexpected error.

One module per command group (``server``: init and serve; ``plans``; ``users``: users and tokens; ``values``;
``indicators``; ``reports``; ``ingests``; ``demo``; ``tasks``; ``audit``; ``backup``: backup and restore), each
declaring its own subcommands in ``register``; ``parser`` assembles them and maps errors to messages in one place
(``main``); ``base`` holds what the groups share.
"""

from yangfan.cli.base import UsageError, progress_bar, setup_django
from yangfan.cli.parser import build_parser, entry, main

__all__ = ["UsageError", "build_parser", "entry", "main", "progress_bar", "setup_django"]
