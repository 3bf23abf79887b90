//! File download from the upload directory.
//!
//! GET /files/download?name=<filename>

use crate::{App, Request, Response};
use std::path::Path;

pub fn handle(app: &App, req: &Request) -> Response {
    let name = req.query_get("name").unwrap_or("");
    let base = Path::new(&app.config.upload_dir);

    // Join the user-supplied name onto the upload directory and serve it.
    let full = base.join(name); // EXPECT path from the query string escapes the upload directory

    Response::ok(format!("serving: {}", full.display()))
}
