use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer, Result};
use serde_json::json;
use std::collections::HashMap;


async fn search(req: HttpRequest) -> Result<HttpResponse> {
    let query_string = req.query_string();
    let params: HashMap<String, String> = serde_urlencoded::from_str(query_string).unwrap_or_default();
    let query = params.get("query").map(|s| s.as_str()).unwrap_or("");

    Ok(HttpResponse::Ok()
        .content_type("text/html")
        .body(format!("<h1>Search Results for: {}</h1>", query))) // EXPECT request value in an HTML response
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    HttpServer::new(move || App::new().route("/api/search", web::get().to(search)))
        .bind("127.0.0.1:8080")?
        .run()
        .await
}
