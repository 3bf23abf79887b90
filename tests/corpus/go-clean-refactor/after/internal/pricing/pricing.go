package pricing

import (
	"context"
	"database/sql"
	"fmt"

	"example.com/shop/internal/money"
)

type Line struct {
	SKU      string
	Quantity int
	Price    money.Cents
}

// Subtotal is the price of one line: unit price times quantity.
func (l Line) Subtotal() money.Cents {
	return l.Price * money.Cents(l.Quantity)
}

func Total(lines []Line) money.Cents {
	var total money.Cents
	for _, line := range lines {
		total += line.Subtotal()
	}
	return total
}

const linesQuery = "SELECT sku, quantity, cents FROM order_lines WHERE order_id = $1"

func Load(ctx context.Context, db *sql.DB, order int64) ([]Line, error) {
	rows, err := db.QueryContext(ctx, linesQuery, order)
	if err != nil {
		return nil, fmt.Errorf("load order %d: %w", order, err)
	}
	defer rows.Close()
	var lines []Line
	for rows.Next() {
		var l Line
		if err := rows.Scan(&l.SKU, &l.Quantity, &l.Price); err != nil {
			return nil, fmt.Errorf("scan order %d: %w", order, err)
		}
		lines = append(lines, l)
	}
	return lines, rows.Err()
}
