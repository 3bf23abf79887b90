package main

import (
	"net/http"
)

func serve() {
}
