package main

import (
	"html"
	"strconv"

	"github.com/gofiber/fiber/v2"
)

func safeRoutes(app *fiber.App) {
	app.Get("/q", func(c *fiber.Ctx) error {
		return c.JSON(fiber.Map{"q": c.Query("q")})
	})
	app.Get("/s", func(c *fiber.Ctx) error {
		return c.SendString("hello " + c.Query("name"))
	})
	app.Get("/h", func(c *fiber.Ctx) error {
		c.Set("Content-Type", "text/html")
		return c.SendString("<p>" + html.EscapeString(c.Query("name")) + "</p>")
	})
	app.Get("/n", func(c *fiber.Ctx) error {
		n, _ := strconv.Atoi(c.Params("n"))
		return c.Redirect("/items/" + strconv.Itoa(n))
	})
	app.Get("/f", func(c *fiber.Ctx) error {
		return c.SendFile("/srv/static/index.html")
	})
}
