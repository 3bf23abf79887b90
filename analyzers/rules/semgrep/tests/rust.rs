use actix_web::{get, web, HttpResponse, Responder};
use axum::extract::Query;
use axum::response::{Html, Redirect};
use std::collections::HashMap;
use std::process::Command;

#[derive(serde::Deserialize)]
struct Ping {
    host: String,
}

async fn ping(info: web::Query<Ping>) -> impl Responder {
    // ruleid: rs-taint-command-injection, rs-shell-command-built
    let out = Command::new("sh").arg("-c").arg(format!("ping -c 1 {}", info.host)).output();
    // ok: rs-taint-command-injection
    let out2 = Command::new("ping").arg("-c").arg("1").arg(&info.host).output();
    HttpResponse::Ok().body(format!("{:?} {:?}", out, out2))
}

async fn run(Query(params): Query<HashMap<String, String>>) -> Html<String> {
    let name = params.get("name").cloned().unwrap_or_default();
    // ruleid: rs-taint-command-injection
    let out = Command::new(&name).output();
    // ruleid: rs-taint-path-traversal
    let text = std::fs::read_to_string(format!("/srv/files/{}", name)).unwrap_or_default();
    // ok: rs-taint-path-traversal
    let safe = std::fs::read_to_string("/srv/files/index.txt").unwrap_or_default();
    // ruleid: rs-taint-xss
    Html(format!("<p>Hello {}</p>{:?}{}{}", name, out, text, safe))
}

async fn proxy(Query(params): Query<HashMap<String, String>>) -> Redirect {
    let url = params.get("url").cloned().unwrap_or_default();
    // ruleid: rs-taint-ssrf
    let _ = reqwest::get(&url).await;
    // ok: rs-taint-ssrf
    let _ = reqwest::get("https://api.example.com/health").await;
    if url.is_empty() {
        // ok: rs-taint-open-redirect
        return Redirect::to("/home");
    }
    // ruleid: rs-taint-open-redirect
    Redirect::to(&url)
}

async fn greet(Query(params): Query<HashMap<String, String>>) -> Html<String> {
    let name = params.get("name").cloned().unwrap_or_default();
    // ok: rs-taint-xss
    Html(format!("<p>Hello {}</p>", html_escape::encode_text(&name)))
}

async fn users(pool: &sqlx::PgPool, name: &str) {
    // ruleid: rs-sql-format
    let rows = sqlx::query(&format!("SELECT * FROM users WHERE name = '{}'", name)).fetch_all(pool).await;
    // ok: rs-sql-format
    let safe = sqlx::query("SELECT * FROM users WHERE name = $1").bind(name).fetch_all(pool).await;
    let _ = (rows, safe);
}

fn client() -> reqwest::Client {
    // ruleid: rs-tls-verification-disabled
    reqwest::Client::builder().danger_accept_invalid_certs(true).build().unwrap()
}

fn strict_client() -> reqwest::Client {
    // ok: rs-tls-verification-disabled
    reqwest::Client::builder().danger_accept_invalid_certs(false).build().unwrap()
}

fn post_process(program: &str, artifact: &str) {
    // ruleid: rs-shell-command-built
    Command::new("sh").arg("-c").arg(format!("{} {}", program, artifact)).output();
    // ok: rs-shell-command-built
    Command::new(program).arg(artifact).output();
}

fn extract(entries: Vec<Entry>, destination: &Path) {
    for entry in entries {
        // ruleid: rs-taint-archive-entry-path
        let out = destination.join(entry.path);
        // ok: rs-taint-archive-entry-path
        let named = destination.join("manifest.json");
    }
}

fn lookup(store: &Store, name: &str) {
    let sql = format!("SELECT id FROM users WHERE name = '{}'", name);
    // ruleid: rs-sql-format-any-call
    store.fetch_rows(&sql);
    // ok: rs-sql-format-any-call
    store.fetch_rows("SELECT id FROM users");
}

async fn forward(client: reqwest::Client, Query(params): Query<HashMap<String, String>>) {
    let target = params.get("target").cloned().unwrap_or_default();
    // ruleid: rs-taint-ssrf
    let _ = client.post(&target).header("x-forwarded", "1").send().await;
    // ok: rs-taint-ssrf
    let _ = client.post("https://api.example.com/audit").json(&params).send().await;
}

fn warp_routes() {
    let relay = warp::path::param().then(|host: String| async move {
        // ruleid: rs-warp-param-request-url
        let response = reqwest::Client::new().post(format!("https://{}/hook", host)).form(&[("a", "1")]).send().await;
        format!("{:?}", response.is_ok())
    });
    let fetch = warp::query::<HashMap<String, String>>().and_then(|q: HashMap<String, String>| async move {
        let url = q.get("url").cloned().unwrap_or_default();
        // ruleid: rs-warp-param-request-url
        reqwest::get(url).await
    });
    let item = warp::path::param().then(|id: u64| async move {
        // ok: rs-warp-param-request-url
        reqwest::get(format!("https://api.example.com/items/{}", id)).await
    });
    let fixed = warp::path::param().then(|name: String| async move {
        // ok: rs-warp-param-request-url
        let response = reqwest::get("https://api.example.com/health").await;
        format!("{} {:?}", name, response.is_ok())
    });
}
