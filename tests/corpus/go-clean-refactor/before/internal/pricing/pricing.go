package pricing

import (
	"context"
	"database/sql"
	"fmt"
)

type Line struct {
	SKU      string
	Quantity int
	Cents    int64
}

func Total(lines []Line) int64 {
	var total int64
	for i := 0; i < len(lines); i++ {
		total = total + lines[i].Cents*int64(lines[i].Quantity)
	}
	return total
}

func Format(cents int64) string {
	return fmt.Sprintf("%d.%02d", cents/100, cents%100)
}

func Load(ctx context.Context, db *sql.DB, order int64) ([]Line, error) {
	rows, err := db.QueryContext(ctx, "SELECT sku, quantity, cents FROM order_lines WHERE order_id = $1", order)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var lines []Line
	for rows.Next() {
		var l Line
		if err := rows.Scan(&l.SKU, &l.Quantity, &l.Cents); err != nil {
			return nil, err
		}
		lines = append(lines, l)
	}
	return lines, rows.Err()
}
