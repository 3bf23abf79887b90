use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer, Result};
use serde_json::json;
use std::collections::HashMap;


async fn redirect(req: HttpRequest) -> Result<HttpResponse> {
    let query_string = req.query_string();
    let params: HashMap<String, String> = serde_urlencoded::from_str(query_string).unwrap_or_default();
    let url = params.get("url").map(|s| s.as_str()).unwrap_or("https://example.com");

    Ok(HttpResponse::Found()
        .header("Location", url) // EXPECT redirect to a URL from the query
        .finish())
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    HttpServer::new(move || App::new().route("/api/redirect", web::get().to(redirect)))
        .bind("127.0.0.1:8080")?
        .run()
        .await
}
