"""Order totals."""

from collections.abc import Iterable, Mapping


def line_total(order: Mapping[str, float]) -> float:
    return order["price"] * order["quantity"]


def total(orders: Iterable[Mapping[str, float]]) -> float:
    return sum(line_total(order) for order in orders)
