package main

import (
	"archive/zip"
	"database/sql"
	"fmt"
	"html"
	"html/template"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

var db *sql.DB

func ping(w http.ResponseWriter, r *http.Request) {
	host := r.URL.Query().Get("host")
	// ruleid: go-taint-command-injection
	out, _ := exec.Command("sh", "-c", "ping -c 1 "+host).Output()
	// ok: go-taint-command-injection
	out2, _ := exec.Command("ping", "-c", "1", host).Output()
	log.Printf("%d %d", len(out), len(out2))
}

type Server struct{}

func (s *Server) users(w http.ResponseWriter, r *http.Request) {
	name := r.FormValue("name")
	// ruleid: go-taint-sql-injection
	rows, _ := db.Query("SELECT * FROM users WHERE name = '" + name + "'")
	query := fmt.Sprintf("DELETE FROM users WHERE name = '%s'", name)
	// ruleid: go-taint-sql-injection
	db.ExecContext(r.Context(), query)
	// ok: go-taint-sql-injection
	rows2, _ := db.Query("SELECT * FROM users WHERE name = $1", name)
	id, _ := strconv.Atoi(r.FormValue("id"))
	// ok: go-taint-sql-injection
	db.Exec(fmt.Sprintf("DELETE FROM users WHERE id = %d", id))
	_, _ = rows, rows2
	// ruleid: go-taint-xss
	fmt.Fprintf(w, "<p>Hello %s</p>", name)
	// ok: go-taint-xss
	fmt.Fprintf(w, "<p>Hello %s</p>", html.EscapeString(name))
	// ruleid: go-taint-xss
	io.WriteString(w, "<p>"+name+"</p>")
}

func download(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("file")
	// ruleid: go-taint-path-traversal
	data, _ := os.ReadFile(filepath.Join("/srv/files", name))
	// ok: go-taint-path-traversal
	safe, _ := os.ReadFile(filepath.Join("/srv/files", filepath.Base(name)))
	// ruleid: go-taint-path-traversal
	http.ServeFile(w, r, "/srv/files/"+name)
	log.Printf("%d %d", len(data), len(safe))
}

func proxy(w http.ResponseWriter, r *http.Request) {
	target := r.URL.Query().Get("url")
	// ruleid: go-taint-ssrf
	resp, _ := http.Get(target)
	// ok: go-taint-ssrf
	resp2, _ := http.Get("https://api.example.com/items/" + target)
	_, _ = resp, resp2
	next := r.FormValue("next")
	if next == "home" {
		// ok: go-taint-open-redirect
		http.Redirect(w, r, "/home/"+next, http.StatusFound)
		return
	}
	// ruleid: go-taint-open-redirect
	http.Redirect(w, r, next, http.StatusFound)
}

func unzip(r *zip.Reader, dest string) error {
	for _, f := range r.File {
		path := filepath.Join(dest, f.Name)
		// ruleid: go-zip-slip
		out, err := os.Create(path)
		if err != nil {
			return err
		}
		out.Close()
	}
	for _, f := range r.File {
		path := filepath.Join(dest, f.Name)
		if !strings.HasPrefix(path, filepath.Clean(dest)+string(os.PathSeparator)) {
			return fmt.Errorf("illegal path %s", f.Name)
		}
		// ok: go-zip-slip
		out, err := os.Create(path)
		if err != nil {
			return err
		}
		out.Close()
	}
	return nil
}

// --- framework sink APIs from each framework's documentation ---------------------------------

func away(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	if next == "/home" {
		// ok: go-taint-open-redirect
		http.Redirect(w, r, next, http.StatusFound)
		return
	}
	// ruleid: go-taint-open-redirect
	w.Header().Add("Location", next)
}

func echoPage(c echo.Context) error {
	// ruleid: go-taint-xss
	return c.HTMLBlob(http.StatusOK, []byte("<p>"+c.QueryParam("name")+"</p>"))
}

func ginPage(c *gin.Context) {
	// ruleid: go-taint-xss
	c.Writer.WriteString("<p>" + c.Query("name") + "</p>")
	// ruleid: go-taint-open-redirect
	c.Header("Location", c.Query("next"))
}

type runRequest struct {
	Cmd  string `json:"cmd"`
	Page string `json:"page"`
}

func runJSON(w http.ResponseWriter, r *http.Request) {
	var req runRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		return
	}
	// ruleid: go-taint-command-injection
	exec.Command("sh", "-c", req.Cmd).Run()
	// ok: go-taint-command-injection
	exec.Command("ls", "-la").Run()
}

func ginBind(c *gin.Context) {
	var req runRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		return
	}
	// ruleid: go-taint-path-traversal
	c.File("/srv/pages/" + req.Page)
}

func echoBind(c echo.Context) error {
	var req runRequest
	_ = c.Bind(&req)
	// ruleid: go-taint-open-redirect
	return c.Redirect(http.StatusFound, req.Page)
}

func fiberRoutes(app *fiber.App) {
	app.Get("/users", func(c *fiber.Ctx) error {
		// ruleid: go-taint-sql-injection
		rows, _ := db.Query("SELECT * FROM users WHERE name = '" + c.Query("name") + "'")
		defer rows.Close()
		// ruleid: go-taint-path-traversal
		return c.SendFile("/srv/files/" + c.Params("file"))
	})
	app.Post("/run", func(c *fiber.Ctx) error {
		var req runRequest
		if err := c.BodyParser(&req); err != nil {
			return err
		}
		// ruleid: go-taint-command-injection
		exec.Command("sh", "-c", req.Cmd).Run()
		// ok: go-taint-command-injection
		exec.Command("ls", "-la").Run()
		// ruleid: go-taint-open-redirect
		return c.Redirect(c.Query("next"))
	})
}

func templates(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-taint-xss
	page := template.Must(template.New("page").Parse(r.URL.Query().Get("tpl")))
	// ok: go-taint-xss
	fixed := template.Must(template.New("page").Parse("<p>{{.}}</p>"))
	// ok: go-taint-xss
	fixed.Execute(w, r.URL.Query().Get("name"))
	page.Execute(w, nil)
}
