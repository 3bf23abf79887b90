package main

import (
	"net/http"
)

func handler(req *http.Request) {
}
