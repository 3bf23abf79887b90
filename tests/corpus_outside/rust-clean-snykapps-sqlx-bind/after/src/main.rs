use sqlx::{sqlite::SqlitePool, Pool, Row, Sqlite};
use std::fs;

async fn get_pool() -> Pool<Sqlite> {
    let pool = SqlitePool::connect("sqlite:///var/tmp/database.db").await.unwrap();
    println!("Resolved DB pool");
    pool
}

async fn lookup(tainted_key: String, db: &Pool<Sqlite>) -> sqlx::sqlite::SqliteRow {
    sqlx::query("SELECT * FROM someTable WHERE key = $1")
        .bind(tainted_key.trim())
        .fetch_one(db)
        .await
        .unwrap()
}

#[tokio::main]
async fn main() {
    let db_key = fs::read_to_string("/var/tmp/tainted_file.txt").unwrap();
    let db = get_pool().await;
    let row = lookup(db_key, &db).await;
    println!("Got results: {:?}", row.columns());
}
