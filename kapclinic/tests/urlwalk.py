"""Enumerate every named URL pattern of the project, for the role walk test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class NamedPattern:
    name: str  # "namespace:name"
    route: str


def iter_patterns(
    patterns: list[URLPattern | URLResolver] | None = None,
    namespace: str = "",
    prefix: str = "",
) -> Iterator[NamedPattern]:
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from iter_patterns(entry.url_patterns, full_ns, prefix + str(entry.pattern))
        else:
            name = entry.name or f"<unnamed {prefix}{entry.pattern}>"
            full = f"{namespace}:{name}" if namespace else name
            yield NamedPattern(full, prefix + str(entry.pattern))
