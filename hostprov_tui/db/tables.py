"""The declarative spelling of the model files, built on SQLAlchemy Core alone.

hostprov only ever runs Core statements (``select``, ``insert``, ``update`` on connections): it
never uses an ORM ``Session``. Importing ``sqlalchemy.orm`` and mapping classes cost every
command about a fifth of its start-up, for nothing. ``DeclarativeBase``, ``Mapped`` and
``mapped_column`` here keep the model files as they read: each subclass with a ``__tablename__``
becomes a plain :class:`~sqlalchemy.Table` (``cls.__table__``), its columns stay class attributes
(``KSession.SessionID``), and the class itself stands for the table wherever SQLAlchemy takes
one (``select_from(KSession)``, ``insert(HostSession)``), through ``__clause_element__``.

As with the ORM's ``mapped_column``, a column without an explicit ``nullable`` is NOT NULL
unless its ``Mapped[...]`` annotation admits ``None``; a foreign-key column without a type takes
the type of the column it refers to (Core does this itself).
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar

from sqlalchemy import Column, MetaData, Table
from sqlalchemy.sql.schema import SchemaConst

#: ``Mapped[int]`` in a model file: the class attribute is that Core column.
Mapped = Column


def mapped_column(*args: Any, **kwargs: Any) -> Column[Any]:
    """A Core column, named after the class attribute it is assigned to."""
    return Column(*args, **kwargs)


class DeclarativeBase:
    """Base of a group of tables (set ``metadata``); each subclass with a ``__tablename__`` is
    one table."""

    metadata: ClassVar[MetaData]
    __table__: ClassVar[Table]
    __tablename__: ClassVar[str]
    __table_args__: ClassVar[tuple[Any, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__tablename__" not in cls.__dict__:
            return  # a base that only holds the MetaData
        annotations = inspect.get_annotations(cls)
        columns = []
        for key, value in cls.__dict__.items():
            if not isinstance(value, Column):
                continue
            value.key = key
            if value.name is None:
                value.name = key
            if value._user_defined_nullable is SchemaConst.NULL_UNSPECIFIED \
                    and not value.primary_key:
                value.nullable = _optional(annotations.get(key))
            columns.append(value)
        cls.__table__ = Table(cls.__tablename__, cls.metadata, *columns, *cls.__table_args__)

    @classmethod
    def __clause_element__(cls) -> Table:
        return cls.__table__


def _optional(annotation: Any) -> bool:
    """Whether a ``Mapped[...]`` annotation (a string under postponed evaluation) admits None."""
    text = str(annotation or "")
    return not text or "None" in text or "Optional" in text
