"""Imports every capability's tables, so Base.metadata is complete (Alembic, tests)."""

from __future__ import annotations

import importlib
import pkgutil

import interlink
from interlink.core.db import Base


def load_all_models() -> type[Base]:
    for module in pkgutil.iter_modules(interlink.__path__):
        if module.ispkg:
            try:
                importlib.import_module(f"interlink.{module.name}.models")
            except ModuleNotFoundError as exc:
                if exc.name != f"interlink.{module.name}.models":
                    raise
    importlib.import_module("interlink.core.audit")
    importlib.import_module("interlink.core.checkpoints")
    return Base
