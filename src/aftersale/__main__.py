"""The ``aftersale`` console script: the project's ``manage.py``."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersale.settings")
    from django.core.management import execute_from_command_line

    from aftersale.config import ConfigError

    try:
        execute_from_command_line(sys.argv)
    except ConfigError as exc:
        # One clear line naming the variable, not a traceback.
        sys.stderr.write(f"aftersale: configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
