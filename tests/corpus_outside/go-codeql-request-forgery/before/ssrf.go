package main

import (
	"net/http"
)

func handler(w http.ResponseWriter, req *http.Request) {
}
