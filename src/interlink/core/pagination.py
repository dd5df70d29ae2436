"""Cursor pagination: opaque cursors carry the last id seen, so pages stay stable under inserts."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from interlink.core.errors import InvalidInput
from interlink.core.i18n import msg

T = TypeVar("T")
MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, value = raw.partition(":")
        if prefix != "id":
            raise ValueError(prefix)
        return int(value)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("this cursor is not one we issued") from exc


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(msg("limit must be between 1 and %(max_limit)s", max_limit=MAX_LIMIT))
    return limit


# --- pages of a list: a total, a sort, and a keyset cursor -----------------------------------
# A list page orders by one column and the primary key; its cursor carries both values of the
# last row shown, so the next page starts right after it even when rows arrive in between.


@dataclass(frozen=True, slots=True)
class ListPage(Generic[T]):
    items: list[T]
    total: int
    next_cursor: str | None


def _encode_key(sort: str, value: Any, last_id: int) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    elif isinstance(value, Enum):
        value = value.value
    raw = json.dumps(["k", sort, value, last_id], ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_key(cursor: str, sort: str, column: Any) -> tuple[Any, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        tag, cursor_sort, value, last_id = json.loads(raw)
        if tag != "k" or cursor_sort != sort or not isinstance(last_id, int):
            raise ValueError(tag)
        if value is not None and _python_type(column) is datetime:
            value = datetime.fromisoformat(value)
        return value, last_id
    except (ValueError, TypeError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput("this cursor is not one we issued for this sort order") from exc


def _python_type(column: Any) -> type | None:
    column_type = getattr(column.type, "impl_instance", column.type)  # a TypeDecorator's base
    try:
        return column_type.python_type  # type: ignore[no-any-return]
    except NotImplementedError:
        return None


def count_rows(session: Session, stmt: Select[Any]) -> int:
    """How many rows a filtered statement yields, whatever its order or limit."""
    inner = stmt.order_by(None).limit(None).offset(None).subquery()
    return int(session.scalar(select(func.count()).select_from(inner)) or 0)


# A list's sort orders by name: "newest" -> (Model.created_at, descending=True).
SortOrders = Mapping[str, tuple[Any, bool]]


def keyset_page(
    session: Session,
    stmt: Select[Any],
    *,
    id_column: Any,
    sorts: SortOrders,
    sort: str,
    cursor: str | None,
    limit: int,
) -> ListPage[Any]:
    """One page of `stmt` (a select of one entity) in the named sort order, then by id.

    A sort column must not be null for any row: a null would fall out of the keyset.
    """
    check_limit(limit)
    if sort not in sorts:
        raise InvalidInput(msg("sort must be one of: %(value)s", value=", ".join(sorts)))
    sort_column, descending = sorts[sort]
    total = count_rows(session, stmt)
    same_column = sort_column is id_column
    if cursor:
        value, last_id = _decode_key(cursor, sort, sort_column)
        if same_column:
            stmt = stmt.where(id_column < last_id if descending else id_column > last_id)
        elif descending:
            stmt = stmt.where(
                or_(sort_column < value, and_(sort_column == value, id_column < last_id))
            )
        else:
            stmt = stmt.where(
                or_(sort_column > value, and_(sort_column == value, id_column > last_id))
            )
    order = [sort_column.desc() if descending else sort_column.asc()]
    if not same_column:
        order.append(id_column.desc() if descending else id_column.asc())
    rows = list(session.scalars(stmt.order_by(None).order_by(*order).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode_key(
            sort, getattr(last, sort_column.key), getattr(last, id_column.key)
        )
    return ListPage(items=rows, total=total, next_cursor=next_cursor)
