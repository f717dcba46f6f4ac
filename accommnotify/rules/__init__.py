"""Pure domain rules of accommnotify (no Flask, no database, no marshmallow).

One copy of every rule, shared by the JSON API, the facility web form and file import.
Every rule returns :class:`~accommnotify.rules.issues.Issue` values; nothing raises for bad input.
"""

from .issues import Issue, prefix

__all__ = ["Issue", "prefix"]
