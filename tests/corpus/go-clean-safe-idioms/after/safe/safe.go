package main

import (
	"database/sql"
	"encoding/json"
	"html/template"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
)

var db *sql.DB
var page = template.Must(template.New("p").Parse("<h1>{{.}}</h1>"))

func user(w http.ResponseWriter, r *http.Request) {
	rows, _ := db.Query("SELECT name FROM users WHERE name = $1", r.URL.Query().Get("name"))
	defer rows.Close()
	json.NewEncoder(w).Encode(map[string]bool{"ok": true})
}

func hello(w http.ResponseWriter, r *http.Request) {
	page.Execute(w, r.URL.Query().Get("name"))
}

func list(w http.ResponseWriter, r *http.Request) {
	out, _ := exec.Command("ls", "-l", "--", r.URL.Query().Get("dir")).Output()
	json.NewEncoder(w).Encode(map[string]string{"out": string(out)})
}

func file(w http.ResponseWriter, r *http.Request) {
	f, _ := os.Open(filepath.Join("/srv/data", filepath.Base(r.URL.Query().Get("f"))))
	defer f.Close()
}

func echo(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"q": r.URL.Query().Get("q")})
}
