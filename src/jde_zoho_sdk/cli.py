"""The ``jde-zoho`` command line (needs the ``cli`` extra: ``pip install 'jde-zoho-sdk[cli]'``)."""

from __future__ import annotations

import importlib.util
import sys

_INSTALL_HINT = (
    "jde-zoho needs the 'cli' extra (click and rich). Install it with:\n    pip install 'jde-zoho-sdk[cli]'\n"
)


def main(argv: list[str] | None = None) -> int:
    """Run the ``jde-zoho`` command; the exit status is returned (and used by the console script).

    Args:
        argv: Arguments without the program name (defaults to ``sys.argv[1:]``).

    Returns:
        The exit status: 0 on success, 2 when the ``cli`` extra is missing or the usage is wrong.
    """
    if importlib.util.find_spec("click") is None or importlib.util.find_spec("rich") is None:
        sys.stderr.write(_INSTALL_HINT)
        return 2
    from jde_zoho_sdk._cli.app import run  # noqa: PLC0415 - click is an optional extra

    return run(argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
