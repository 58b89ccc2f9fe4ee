"""``-v``/``-vv``: the library's loggers (``jde_zoho_sdk.*``) to stderr, through rich on a terminal.

The library installs its redaction filter on each of its loggers, so records reach this handler already
scrubbed; the handler only formats them. Nothing here formats a record's arguments itself.
"""

from __future__ import annotations

import logging

from rich.console import Console
from rich.logging import RichHandler

__all__ = ["configure_logging"]

_ROOT = "jde_zoho_sdk"
_MARK = "_jde_zoho_cli_handler"


def configure_logging(verbosity: int, console: Console) -> None:
    """Send the library's log records to ``console`` (stderr): INFO with ``-v``, DEBUG with ``-vv``.

    Calling it again replaces the handler it added before (test runners invoke the CLI many times).

    Args:
        verbosity: The number of ``-v`` flags (0: warnings and errors only, through logging's default).
        console: The stderr console.
    """
    logger = logging.getLogger(_ROOT)
    for old in [handler for handler in logger.handlers if getattr(handler, _MARK, False)]:
        logger.removeHandler(old)
    if verbosity <= 0:
        logger.setLevel(logging.NOTSET)
        return
    handler: logging.Handler
    if console.is_terminal:
        handler = RichHandler(console=console, show_path=False, rich_tracebacks=False, markup=False)
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    else:
        handler = logging.StreamHandler(console.file)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    setattr(handler, _MARK, True)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbosity == 1 else logging.DEBUG)
