//! User search by username.
//!
//! GET /users/search?username=<name>

use crate::{App, Request, Response};

pub fn handle(app: &App, req: &Request) -> Response {
    let username = req.query_get("username").unwrap_or("");

    // Build the lookup query from the incoming username.
    let query = format!(
        "SELECT id, username FROM users WHERE username = '{}'", // EXPECT SQL built from the username parameter
        username
    );

    let rows = app.db.query_users(&query);
    let names: Vec<String> = rows.into_iter().map(|u| u.username).collect();
    Response::ok(format!("matches: {}", names.join(",")))
}
