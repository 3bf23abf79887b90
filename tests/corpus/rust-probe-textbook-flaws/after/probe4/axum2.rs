use axum::extract::{Path, Query};
use axum::response::{Html, Redirect};
use std::collections::HashMap;

pub async fn hello(Query(q): Query<HashMap<String, String>>) -> Html<String> {
    Html(format!("<h1>{}</h1>", q.get("name").cloned().unwrap_or_default())) // not found: xss
}

pub async fn go(Query(q): Query<HashMap<String, String>>) -> Redirect {
    Redirect::to(&q["next"]) // EXPECT redirect
}

pub async fn file(Path(name): Path<String>) -> String {
    std::fs::read_to_string(format!("/srv/{}", name)).unwrap() // EXPECT path
}
