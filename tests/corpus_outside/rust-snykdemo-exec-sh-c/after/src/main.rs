use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer, Result};
use serde_json::json;
use std::collections::HashMap;
use std::process::Command;


async fn exec(req: HttpRequest) -> Result<HttpResponse> {
    let query_string = req.query_string();
    let params: HashMap<String, String> = serde_urlencoded::from_str(query_string).unwrap_or_default();
    let cmd = params.get("cmd").map(|s| s.as_str()).unwrap_or("");

    let output = Command::new("sh")
        .arg("-c")
        .arg(cmd) // EXPECT shell command from the query string
        .output();

    match output {
        Ok(result) => {
            let stdout = String::from_utf8_lossy(&result.stdout);
            Ok(HttpResponse::Ok().json(json!({ "success": true, "output": stdout })))
        }
        Err(e) => Ok(HttpResponse::Ok().json(json!({ "error": e.to_string() }))),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    HttpServer::new(move || App::new().route("/api/exec", web::get().to(exec)))
        .bind("127.0.0.1:8080")?
        .run()
        .await
}
