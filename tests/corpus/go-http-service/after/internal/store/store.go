package store

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
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

func (s *Store) Search(ctx context.Context, term, sort string) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, fmt.Sprintf( // EXPECT: SQL built with Sprintf
		"SELECT id, name FROM products WHERE name LIKE '%%%s%%' ORDER BY %s", term, sort))
}

func (s *Store) Delete(ctx context.Context, sku string) error {
	_, err := s.db.ExecContext(ctx, "DELETE FROM products WHERE sku = '"+sku+"'") // EXPECT: SQL concatenation
	return err
}

func (s *Store) CountByVendor(ctx context.Context, vendor string) (int, error) {
	query := fmt.Sprintf("SELECT count(*) FROM products WHERE vendor = '%s'", vendor)
	var n int
	err := s.db.QueryRowContext(ctx, query).Scan(&n) // EXPECT: SQL built in a variable with Sprintf
	return n, err
}

func (s *Store) SetPassword(ctx context.Context, user, password string) error {
	sum := md5.Sum([]byte(password)) // EXPECT: MD5 password hash
	_, err := s.db.ExecContext(ctx, "UPDATE users SET password_hash = $1 WHERE name = $2", hex.EncodeToString(sum[:]), user)
	return err
}

func (s *Store) Import(ctx context.Context, paths []string) error {
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close() // EXPECT: defer inside a loop keeps every file open
		if _, err := s.db.ExecContext(ctx, "INSERT INTO imports (path) VALUES ($1)", f.Name()); err != nil {
			return err
		}
	}
	return nil
}
