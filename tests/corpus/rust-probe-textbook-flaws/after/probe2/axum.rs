use axum::extract::Query;
use serde::Deserialize;
use std::process::Command;

#[derive(Deserialize)]
pub struct Params {
    cmd: String,
    path: String,
    url: String,
}

pub async fn run(Query(p): Query<Params>) -> String {
    let out = Command::new("sh").arg("-c").arg(&p.cmd).output().unwrap(); // EXPECT cmd
    String::from_utf8_lossy(&out.stdout).to_string()
}

pub async fn read(Query(p): Query<Params>) -> String {
    std::fs::read_to_string(format!("/data/{}", p.path)).unwrap_or_default() // EXPECT path
}

pub async fn fetch(Query(p): Query<Params>) -> String {
    reqwest::get(&p.url).await.unwrap().text().await.unwrap() // EXPECT ssrf
}
