package main

import (
	"html/template"
	"net/http"
	textt "text/template"
)

func page(w http.ResponseWriter, r *http.Request) {
	t := template.Must(template.New("x").Parse(r.URL.Query().Get("tpl"))) // EXPECT ssti
	t.Execute(w, nil)
}

func raw(w http.ResponseWriter, r *http.Request) {
	t := textt.Must(textt.New("x").Parse("<p>{{.}}</p>"))
	t.Execute(w, r.URL.Query().Get("name")) // not found: xss
}
