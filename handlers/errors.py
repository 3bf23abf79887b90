"""Errors a handler raises for a payload it cannot use."""


class PayloadError(ValueError):
    """The webhook payload lacks a field this event needs; the server answers 400."""


def positive_int(value: object, name: str) -> int:
    """An id or number from a payload: a whole number of at least 1, else PayloadError naming it."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PayloadError(f"payload has an invalid {name}")
    return value
