use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer, Result};
use serde_json::json;
use std::collections::HashMap;


async fn proxy(req: HttpRequest) -> Result<HttpResponse> {
    let query_string = req.query_string();
    let params: HashMap<String, String> = serde_urlencoded::from_str(query_string).unwrap_or_default();
    let url = params.get("url").map(|s| s.as_str()).unwrap_or("");

    let response = reqwest::blocking::get(url); // EXPECT server-side request to a URL from the query

    match response {
        Ok(resp) => {
            let body = resp.text().unwrap_or_default();
            Ok(HttpResponse::Ok().json(json!({ "data": body })))
        }
        Err(e) => Ok(HttpResponse::Ok().json(json!({ "error": e.to_string() }))),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    HttpServer::new(move || App::new().route("/api/proxy", web::get().to(proxy)))
        .bind("127.0.0.1:8080")?
        .run()
        .await
}
