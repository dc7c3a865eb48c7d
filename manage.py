#!/usr/bin/env python
"""Django's command-line utility for SME Rank."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smerank.settings")
    from django.core.management import execute_from_command_line

    from smerank.env import SettingsError

    try:
        execute_from_command_line(sys.argv)
    except SettingsError as exc:
        # A bad environment variable is the operator's mistake, not a bug: one line.
        sys.stderr.write(f"configuration error: {exc}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
