"""Order totals."""


def total(orders):
    result = 0
    for order in orders:
        result = result + order["price"] * order["quantity"]
    return result
