package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"strconv"
)

var db *sql.DB

func item(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.URL.Query().Get("id"))
	if err != nil {
		http.Error(w, "bad id", http.StatusBadRequest)
		return
	}
	rows, _ := db.Query(fmt.Sprintf("SELECT * FROM items WHERE id = %d", id))
	defer rows.Close()
	fmt.Fprintf(w, "%d items", id)
}

func login(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/login", http.StatusFound)
}

func clone(ctx context.Context, w http.ResponseWriter, r *http.Request) {
	exec.CommandContext(ctx, "git", "clone", "--", r.FormValue("url"), "/tmp/x").Run()
}

func api(w http.ResponseWriter, r *http.Request) {
	body, _ := json.Marshal(map[string]string{"q": r.URL.Query().Get("q")})
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}
