package main

import (
	"database/sql"
	"os/exec"

	"github.com/go-chi/chi/v5"
	"github.com/gofiber/fiber/v2"
	"net/http"
)

var db *sql.DB

func fiberRoutes(app *fiber.App) {
	app.Get("/u", func(c *fiber.Ctx) error {
		db.Query("SELECT * FROM users WHERE name = '" + c.Query("name") + "'") // EXPECT sqli
		return c.SendString("ok")
	})
	app.Get("/run", func(c *fiber.Ctx) error {
		return exec.Command("sh", "-c", c.Query("cmd")).Run() // EXPECT cmd
	})
	app.Get("/f", func(c *fiber.Ctx) error {
		return c.SendFile("/srv/files/" + c.Params("name")) // EXPECT path
	})
}

func chiRoutes(r chi.Router) {
	r.Get("/p/{id}", func(w http.ResponseWriter, req *http.Request) {
		db.Exec("DELETE FROM posts WHERE id = " + chi.URLParam(req, "id")) // EXPECT sqli
	})
}
