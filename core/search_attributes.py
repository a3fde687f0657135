"""Custom search attributes, registered idempotently at worker start-up.

``temporal server start-dev --search-attribute`` only registers on a *new* DB file, so
the worker makes sure they exist on every start (dev server and real clusters alike).
Search attributes are NOT encrypted: only opaque ids and keywords may go there.
"""

from __future__ import annotations

from collections.abc import Mapping

import structlog
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

log = structlog.get_logger(__name__)

# name -> type of every custom search attribute the workflows set (none yet)
CUSTOM_SEARCH_ATTRIBUTES: dict[str, IndexedValueType.ValueType] = {}


async def ensure_search_attributes(
    client: Client,
    attributes: Mapping[str, IndexedValueType.ValueType],
    namespace: str | None = None,
) -> list[str]:
    """Register the attributes that do not exist yet; returns the names it added.
    Tolerates a concurrent registration ("already exists")."""
    if not attributes:
        return []
    namespace = namespace or client.namespace
    listed = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=namespace)
    )
    missing = {k: v for k, v in attributes.items() if k not in listed.custom_attributes}
    for name, kind in listed.custom_attributes.items():
        if name in attributes and attributes[name] != kind:
            raise RuntimeError(
                f"search attribute {name} exists as {IndexedValueType.Name(kind)}, "
                f"expected {IndexedValueType.Name(attributes[name])}"
            )
    if not missing:
        return []
    try:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=namespace, search_attributes=missing)
        )
    except RPCError as err:
        if err.status != RPCStatusCode.ALREADY_EXISTS:
            raise
    log.info("search_attributes_registered", names=sorted(missing), namespace=namespace)
    return sorted(missing)
