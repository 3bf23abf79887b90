package main

import (
	"database/sql"
	"net/http"
)

func handler(db *sql.DB, req *http.Request) {
}
