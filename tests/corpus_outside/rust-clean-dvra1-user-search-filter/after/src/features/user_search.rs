//! User search by username.
//!
//! GET /users/search?username=<name>

use crate::{App, Request, Response};

pub fn fixed_handle(app: &App, req: &Request) -> Response {
    let username = req.query_get("username").unwrap_or("");
    let names: Vec<String> = app
        .db
        .users
        .iter()
        .filter(|u| u.username == username)
        .map(|u| u.username.clone())
        .collect();
    Response::ok(format!("matches: {}", names.join(",")))
}
