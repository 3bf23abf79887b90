package store

import (
	"context"
	"crypto/sha1"
	"database/sql"
	"encoding/hex"
)

type Store struct {
	db *sql.DB
}

func New(db *sql.DB) *Store {
	return &Store{db: db}
}

// ETag is a cache validator; pre-existing use of SHA-1 that this change does not touch.
func ETag(body []byte) string {
	sum := sha1.Sum(body)
	return hex.EncodeToString(sum[:])
}

func (s *Store) Product(ctx context.Context, id int64) (string, error) {
	var name string
	err := s.db.QueryRowContext(ctx, "SELECT name FROM products WHERE id = $1", id).Scan(&name)
	return name, err
}
