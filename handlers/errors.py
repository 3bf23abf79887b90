"""Errors a handler raises for a payload it cannot use."""


class PayloadError(ValueError):
    """The webhook payload lacks a field this event needs; the server answers 400."""
