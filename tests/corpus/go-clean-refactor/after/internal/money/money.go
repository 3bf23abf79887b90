// Package money formats amounts held as integer cents.
package money

import "fmt"

// Cents is an amount of money in the smallest unit of its currency.
type Cents int64

func (c Cents) String() string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}
