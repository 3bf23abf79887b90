package main

import (
	"net/http"
)

func serve() {
	http.ListenAndServe(":80", nil)
}
