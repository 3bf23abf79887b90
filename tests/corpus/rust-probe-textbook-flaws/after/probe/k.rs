use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use sqlx::PgPool;

#[derive(Deserialize)]
struct Info {
    name: String,
}

#[get("/user")]
async fn user(info: web::Query<Info>, pool: web::Data<PgPool>) -> HttpResponse {
    let q = format!("SELECT * FROM users WHERE name = '{}'", info.name);
    let rows = sqlx::query(&q).fetch_all(pool.get_ref()).await; // EXPECT sqli
    HttpResponse::Ok().body(format!("{:?}", rows.is_ok()))
}

#[get("/run")]
async fn run(info: web::Query<Info>) -> HttpResponse {
    let out = std::process::Command::new("sh").arg("-c").arg(&info.name).output(); // EXPECT cmd
    HttpResponse::Ok().body(format!("{:?}", out.is_ok()))
}
