package main

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"crypto/tls"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
)

func client() *tls.Config {
	// ruleid: go-tls-insecure-skip-verify
	bad := &tls.Config{InsecureSkipVerify: true}
	_ = bad
	// ok: go-tls-insecure-skip-verify
	return &tls.Config{InsecureSkipVerify: false, MinVersion: tls.VersionTLS12}
}

func run(ctx context.Context, name string) {
	// ruleid: go-exec-shell-injection
	exec.Command("sh", "-c", "ls "+name).Run()
	// ruleid: go-exec-shell-injection
	exec.CommandContext(ctx, "/bin/bash", "-c", fmt.Sprintf("grep %s", name)).Run()
	// ok: go-exec-shell-injection
	exec.Command("sh", "-c", "ls -la").Run()
	// ok: go-exec-shell-injection
	exec.Command("ls", name).Run()
}

func query(ctx context.Context, db *sql.DB, id string) {
	// ruleid: go-sql-string-formatting
	db.Query(fmt.Sprintf("SELECT * FROM users WHERE id = '%s'", id))
	// ruleid: go-sql-string-formatting
	db.ExecContext(ctx, "DELETE FROM users WHERE id = "+id)
	// ruleid: go-sql-string-formatting
	db.Query("SELECT * FROM users WHERE name = '" + id + "' LIMIT 1")
	// ruleid: go-sql-string-formatting
	db.ExecContext(ctx, "UPDATE users SET seen = now() WHERE id = '"+id+"'")
	// ok: go-sql-string-formatting
	db.Query("SELECT * FROM users WHERE id = $1", id)
	byName := fmt.Sprintf("SELECT * FROM users WHERE name = '%s'", id)
	// ruleid: go-sql-string-formatting
	db.Query(byName)
	purge := "DELETE FROM sessions WHERE user_id = " + id
	// ruleid: go-sql-string-formatting
	db.ExecContext(ctx, purge)
	fixed := "SELECT * FROM users WHERE id = $1"
	// ok: go-sql-string-formatting
	db.QueryContext(ctx, fixed, id)
	limit := len(id)
	// ok: go-sql-string-formatting
	db.Query(fmt.Sprintf("SELECT * FROM users LIMIT %d OFFSET %d", limit, limit*2))
	// ruleid: go-sql-string-formatting
	db.Query(fmt.Sprintf("SELECT * FROM users WHERE id = %v LIMIT %d", id, limit))
	page := fmt.Sprintf("SELECT * FROM users LIMIT %d", limit)
	// ok: go-sql-string-formatting
	db.Query(page)
}

func hashes(data []byte) {
	// ruleid: go-weak-crypto
	sum := md5.Sum(data)
	_ = sum
	// ok: go-weak-crypto
	good := sha256.Sum256(data)
	_ = good
}

func files(names []string) {
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		// ruleid: go-defer-in-loop
		defer f.Close()
	}
	for _, name := range names {
		func() {
			f, _ := os.Open(name)
			// ok: go-defer-in-loop
			defer f.Close()
		}()
	}
	f, _ := os.Open("x")
	// ok: go-defer-in-loop
	defer f.Close()
}
