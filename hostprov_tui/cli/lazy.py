"""A module that loads on first use: `--help` and usage errors never pay for what a command
body needs (rendering, the services, SQLAlchemy, pydantic)."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    """``name``'s module, executed the first time one of its attributes is read
    (``importlib.util.LazyLoader``); an already imported module is returned as it is."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


def escape(markup: str) -> str:
    """``rich.markup.escape``, with rich imported when something is printed, not at --help."""
    from rich.markup import escape as rich_escape

    return rich_escape(markup)
