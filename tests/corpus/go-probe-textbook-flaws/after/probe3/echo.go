package main

import (
	"net/http"
	"os/exec"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

var gdb *gorm.DB

func routes(e *echo.Echo) {
	e.GET("/p", func(c echo.Context) error {
		return c.HTML(http.StatusOK, "<p>"+c.QueryParam("n")+"</p>") // EXPECT xss
	})
	e.POST("/run", func(c echo.Context) error {
		return exec.Command("bash", "-c", c.FormValue("cmd")).Run() // EXPECT cmd
	})
	e.GET("/u", func(c echo.Context) error {
		var users []map[string]interface{}
		gdb.Raw("SELECT * FROM users WHERE name = '" + c.QueryParam("name") + "'").Scan(&users) // EXPECT sqli
		gdb.Where("email = '" + c.QueryParam("email") + "'").Find(&users) // EXPECT sqli
		return c.JSON(http.StatusOK, users)
	})
}
