package main

import (
	"database/sql"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"path/filepath"

	"github.com/gin-gonic/gin"
)

var db *sql.DB

func register(r *gin.Engine) {
	r.GET("/del", func(c *gin.Context) {
		db.Exec(fmt.Sprintf("DELETE FROM items WHERE name = '%s'", c.Query("name"))) // EXPECT sqli
	})
	r.GET("/raw", func(c *gin.Context) {
		c.HTML(http.StatusOK, "page.html", gin.H{"body": template.HTML(c.Query("b"))}) // EXPECT xss
	})
}

func file(w http.ResponseWriter, r *http.Request) {
	f, _ := os.Open(filepath.Join("/srv/data", r.URL.Query().Get("f"))) // EXPECT path
	defer f.Close()
}

func next(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, r.URL.Query().Get("next"), http.StatusFound) // EXPECT redirect
}
