"""Each command lives in its own small module with a ``register(app)`` function.

The modules import only typer at load time; the work is imported inside each command.
"""

from __future__ import annotations

import importlib

COMMANDS = ("parse", "bodies", "coverage", "catalogs", "compare", "check")


def register_all(app) -> None:
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{name}":
                continue  # command not built in this checkout
            raise
        module.register(app)
