use sqlx::{sqlite::SqlitePool, Pool, Row, Sqlite};
use warp::Filter;

async fn get_pool() -> Pool<Sqlite> {
    let pool = SqlitePool::connect("sqlite:///var/tmp/database.db").await.unwrap();
    println!("Resolved DB pool");
    pool
}

#[tokio::main]
async fn main() {
    let route = warp::path::param().then(|tainted_param: String| async move {
        let db = get_pool().await;

        let tainted_query = format!("SELECT * FROM someTable WHERE key = '{}'", tainted_param);

        let result = sqlx::query(&tainted_query) // EXPECT SQL formatted from a path parameter
            .fetch_one(&db)
            .await
            .unwrap();

        format!(
            "Got {:?} -> {:?} -> {:?}",
            tainted_param,
            tainted_query,
            result.columns()
        )
    });

    warp::serve(route).run(([127, 0, 0, 1], 3030)).await;
}
