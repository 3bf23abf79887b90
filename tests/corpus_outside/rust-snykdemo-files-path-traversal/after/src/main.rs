use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer, Result};
use serde_json::json;
use std::collections::HashMap;
use std::fs;


async fn files(req: HttpRequest) -> Result<HttpResponse> {
    let query_string = req.query_string();
    let params: HashMap<String, String> = serde_urlencoded::from_str(query_string).unwrap_or_default();
    let filename = params.get("filename").map(|s| s.as_str()).unwrap_or("");

    let path = format!("./uploads/{}", filename);

    match fs::read_to_string(&path) { // EXPECT file path from the query string
        Ok(content) => Ok(HttpResponse::Ok().json(json!({ "content": content }))),
        Err(e) => Ok(HttpResponse::Ok().json(json!({ "error": e.to_string() }))),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    HttpServer::new(move || App::new().route("/api/files", web::get().to(files)))
        .bind("127.0.0.1:8080")?
        .run()
        .await
}
