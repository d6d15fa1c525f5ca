"""The ``phongtrao`` console script: behaves like ``manage.py``."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phongtrao.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:  # a configuration mistake: say what to set, without a traceback
        sys.stderr.write(f"phongtrao: configuration error: {exc}\n")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
