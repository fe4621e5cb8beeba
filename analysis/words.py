"""Lists in words, written the same way in every sentence a member reads."""

from __future__ import annotations

from collections.abc import Sequence


def listed(items: Sequence[object], most: int | None = None, more: str = "more") -> str:
    """'a', 'a and b', 'a, b and c'; beyond ``most`` items, the first ``most`` and how many
    ``more``.

    >>> listed(["a"]), listed(["a", "b"]), listed(["a", "b", "c"])
    ('a', 'a and b', 'a, b and c')
    >>> listed(["North East", "North West", "London", "South East"], most=2, more="more regions")
    'North East, North West and 2 more regions'
    """
    words = [str(item) for item in items]
    if most is not None and len(words) > most:
        words = [*words[:most], f"{len(words) - most} {more}"]
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
