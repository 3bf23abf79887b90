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

// --- sources: every framework's request data -------------------------------------------------

async fn axum_raw_query(RawQuery(query): RawQuery) -> Html<String> {
    let text = query.unwrap_or_default();
    // ruleid: rs-taint-xss
    Html(format!("<p>{}</p>", text))
}

async fn axum_qualified(axum::extract::Path(name): axum::extract::Path<String>) {
    // ruleid: rs-taint-command-injection
    let _ = tokio::process::Command::new(&name).output().await;
    // ok: rs-taint-command-injection
    let _ = tokio::process::Command::new("git").arg("status").output().await;
}

async fn axum_headers(headers: HeaderMap) -> Redirect {
    let back = headers.get("x-return-to").and_then(|v| v.to_str().ok()).unwrap_or("/").to_string();
    // ruleid: rs-taint-open-redirect
    Redirect::temporary(&back)
}

async fn axum_upload(mut multipart: Multipart, State(dir): State<PathBuf>) {
    while let Some(field) = multipart.next_field().await.unwrap() {
        let name = field.file_name().unwrap_or("upload.bin").to_string();
        let data = field.bytes().await.unwrap();
        // ruleid: rs-taint-path-traversal
        let _ = tokio::fs::write(dir.join(&name), &data).await;
        let kept = Path::new(&name).file_name().map(|n| n.to_owned()).unwrap_or_default();
        // ok: rs-taint-path-traversal
        let _ = tokio::fs::write(dir.join(kept), &data).await;
    }
}

async fn hyper_service(req: hyper::Request<hyper::body::Incoming>) {
    let query = req.uri().query().unwrap_or("").to_string();
    // ruleid: rs-taint-ssrf
    let _ = ureq::get(&query).call();
    // ok: rs-taint-ssrf
    let _ = ureq::get("https://api.example.com/status").call();
}

async fn tide_handler(req: tide::Request<()>) -> tide::Result {
    let name: String = req.param("name")?.to_string();
    let mut sql = String::from("SELECT * FROM users WHERE name = '");
    sql.push_str(&name);
    sql.push('\'');
    // ruleid: rs-taint-sql-injection
    let rows = sqlx::query(&sql).fetch_all(&pool).await?;
    // ok: rs-taint-sql-injection
    let safe = sqlx::query("SELECT * FROM users WHERE name = $1").bind(&name).fetch_all(&pool).await?;
    // ruleid: rs-taint-xss
    let page = Response::builder(200).body(format!("<h1>{}</h1>", name)).content_type(mime::HTML).build();
    // ok: rs-taint-xss
    let text = Response::builder(200).body(format!("{} rows", rows.len() + safe.len())).content_type(mime::PLAIN).build();
    Ok(page)
}

#[get("/hello/<name>")]
fn rocket_hello(name: &str, cfg: &State<Config>) -> content::RawHtml<String> {
    // ok: rs-taint-ssrf
    let _ = reqwest::blocking::get(&cfg.upstream);
    // ruleid: rs-taint-xss
    content::RawHtml(format!("<b>{}</b>", name))
}

#[get("/go?<next>")]
fn rocket_go(next: String) -> Redirect {
    // ruleid: rs-taint-open-redirect
    let away = Redirect::found(next.clone());
    if !next.starts_with('/') || next.starts_with("//") {
        return away;
    }
    // ok: rs-taint-open-redirect
    Redirect::to(next)
}

#[post("/download", data = "<form>")]
async fn rocket_download(form: Form<Download>) -> Option<NamedFile> {
    // ruleid: rs-taint-path-traversal
    NamedFile::open(Path::new("/srv/public").join(&form.file)).await.ok()
}

async fn warp_hello(name: String, db: Db) -> Result<impl warp::Reply, warp::Rejection> {
    // ruleid: rs-taint-xss
    let page = warp::reply::html(format!("<p>{}</p>", name));
    // ok: rs-taint-xss
    let safe = warp::reply::html(format!("<p>{}</p>", html_escape::encode_text(&name)));
    // ok: rs-taint-ssrf
    let _ = reqwest::get(db.upstream_url()).await;
    Ok(page)
}

fn warp_closure_routes() {
    // ruleid: rs-taint-xss
    let hi = warp::path!("hi" / String).map(|name: String| warp::reply::html(format!("<i>{}</i>", name)));
    // ok: rs-taint-xss
    let fixed = warp::path!("ok" / String).map(|_name: String| warp::reply::html("<i>hello</i>"));
}

async fn actix_web_redirect(query: web::Query<Next>) -> impl Responder {
    // ruleid: rs-taint-open-redirect
    web::Redirect::to(query.next.clone())
}

async fn actix_header_redirect(req: HttpRequest) -> HttpResponse {
    let target = req.match_info().get("to").unwrap_or("/").to_string();
    // ruleid: rs-taint-open-redirect
    let unchecked = HttpResponse::Found().insert_header((header::LOCATION, target.clone())).finish();
    if !ALLOWED_TARGETS.contains(&target.as_str()) {
        return unchecked;
    }
    // ok: rs-taint-open-redirect
    HttpResponse::Found().insert_header((header::LOCATION, target)).finish()
}

// --- sinks and sanitisers ---------------------------------------------------------------------

async fn shell_variable(web::Query(q): web::Query<Job>) {
    let mut cmd = std::process::Command::new("bash");
    cmd.arg("-c");
    // ruleid: rs-taint-command-injection
    cmd.arg(&q.script);
    // ok: rs-taint-command-injection
    std::process::Command::new("tar").arg("-czf").arg(&q.script).output().unwrap();
}

async fn files(Path(name): Path<String>) -> std::io::Result<()> {
    // ruleid: rs-taint-path-traversal
    std::fs::remove_file(format!("/var/data/{}", name))?;
    // ruleid: rs-taint-path-traversal
    let _ = OpenOptions::new().append(true).open(&name)?;
    let mut full = PathBuf::from("/var/data");
    // ruleid: rs-taint-path-traversal
    full.push(&name);
    let mut names = Vec::new();
    // ok: rs-taint-path-traversal
    names.push(name.clone());
    let base = std::fs::canonicalize("/var/data")?;
    let joined = std::fs::canonicalize(base.join(&name))?;
    if !joined.starts_with(&base) {
        return Ok(());
    }
    // ok: rs-taint-path-traversal
    let _ = std::fs::read_to_string(&joined)?;
    // ruleid: rs-taint-path-traversal
    let _svc = ServeFile::new(format!("assets/{}", name));
    Ok(())
}

async fn fetch_checked(Query(q): Query<HashMap<String, String>>, client: reqwest::Client) {
    let raw = q.get("url").cloned().unwrap_or_default();
    let url = url::Url::parse(&raw).unwrap();
    // ruleid: rs-taint-ssrf
    let _ = client.get(url.clone()).send().await;
    // ruleid: rs-taint-ssrf
    let _ = surf::get(&raw).await;
    if !ALLOWED_HOSTS.contains(&url.host_str().unwrap_or("")) {
        return;
    }
    // ok: rs-taint-ssrf
    let _ = client.get(url).send().await;
}

async fn sanitised_pages(Query(q): Query<HashMap<String, String>>) -> Html<String> {
    let bio = q.get("bio").cloned().unwrap_or_default();
    // ok: rs-taint-xss
    let cleaned = Html(ammonia::clean(&bio));
    // ok: rs-taint-xss
    let escaped: Markup = html! { p { (bio) } };
    // ruleid: rs-taint-xss
    let raw: Markup = PreEscaped(format!("<p>{}</p>", bio));
    // ok: rs-taint-xss
    let rendered = Html(ProfileTemplate { bio: &bio }.render().unwrap());
    Html(format!("{}{}", cleaned.0, rendered.0))
}

async fn diesel_and_builder(Path(name): Path<String>, conn: &mut PgConnection) {
    let statement = "SELECT * FROM users WHERE name = '".to_owned() + &name + "'";
    // ruleid: rs-taint-sql-injection, rs-sql-format
    let _ = diesel::sql_query(statement).load::<User>(conn);
    let mut qb: QueryBuilder<Postgres> = QueryBuilder::new("SELECT * FROM users WHERE ");
    // ruleid: rs-taint-sql-injection
    qb.push(format!("name = '{}'", name));
    // ok: rs-taint-sql-injection
    qb.push("name = ").push_bind(name.clone());
}

async fn decode(body: web::Bytes) {
    // ruleid: rs-taint-bincode-unbounded
    let state: Session = bincode::deserialize(&body).unwrap();
    // ok: rs-taint-bincode-unbounded
    let limited: Session = bincode::DefaultOptions::new().with_limit(4096).deserialize(&body).unwrap();
}

fn unpack_tar(archive: &mut tar::Archive<File>, dest: &Path) -> std::io::Result<()> {
    for entry in archive.entries()? {
        let mut entry = entry?;
        // ruleid: rs-taint-archive-entry-path
        entry.unpack(dest.join(entry.path()?))?;
        // ok: rs-taint-archive-entry-path
        entry.unpack_in(dest)?;
    }
    Ok(())
}

fn unzip(archive: &mut zip::ZipArchive<File>, dest: &Path) -> zip::result::ZipResult<()> {
    for i in 0..archive.len() {
        let file = archive.by_index(i)?;
        // ruleid: rs-taint-archive-entry-path
        let _out = File::create(dest.join(file.name()))?;
        if let Some(inside) = file.enclosed_name() {
            // ok: rs-taint-archive-entry-path
            let _ok = File::create(dest.join(inside))?;
        }
    }
    Ok(())
}

fn shells(script: &str) {
    // ruleid: rs-shell-command-built
    tokio::process::Command::new("sh").args(["-c", script]);
    // ok: rs-shell-command-built
    tokio::process::Command::new("sh").args(["-c", "make all"]);
}

fn sql_query_as(pool: &PgPool, id: &str) {
    // ruleid: rs-sql-format
    let _ = sqlx::query_as::<_, User>(&format!("SELECT * FROM users WHERE id = {}", id)).fetch_one(pool);
    let by_name = "SELECT * FROM users WHERE name = '".to_owned() + id + "'";
    // ruleid: rs-sql-format
    let _ = conn.execute(&by_name, []);
    let fixed = "SELECT * FROM users WHERE active".to_owned();
    // ok: rs-sql-format
    let _ = conn.execute(&fixed, []);
}

// A hand-written request type: its accessors are named for what they return.
fn download(app: &App, req: &Request) -> Response {
    let name = req.path_param("file").unwrap_or_default();
    // ruleid: rs-taint-path-traversal
    let text = std::fs::read_to_string(app.root.join(&name)).unwrap_or_default();
    let page = app.settings.index_page();
    // ok: rs-taint-path-traversal
    let index = std::fs::read_to_string(app.root.join(page)).unwrap_or_default();
    Response::ok(format!("{}{}", text, index))
}

#[post("/upload/<name>", data = "<upload>")]
async fn rocket_upload(name: &str, mut upload: TempFile<'_>) -> std::io::Result<()> {
    // ruleid: rs-taint-path-traversal
    upload.persist_to(format!("/srv/uploads/{}", name)).await?;
    // ok: rs-taint-path-traversal
    upload.persist_to(format!("/srv/uploads/{}", Uuid::new_v4())).await?;
    Ok(())
}

// iron: the handler is a closure whose parameter is the request.
fn iron_server() {
    Iron::new(|req: &mut Request| {
        let target = req.url.to_string();
        // ruleid: rs-taint-ssrf
        let body = reqwest::blocking::get(target).unwrap().text().unwrap();
        let page = format!("http://my.app/{}", req.url.path().join("/"));
        // ok: rs-taint-ssrf
        let fixed = reqwest::blocking::get(page).unwrap();
        Ok(Response::with((status::Ok, "done")))
    })
    .http("localhost:8080")
    .unwrap();
    // ok: rs-taint-ssrf
    let numbers: Vec<u32> = (0..3).map(|n: u32| n * 2).collect();
}

// --- framework sink APIs from each framework's documentation ----------------------------------

async fn actix_html(query: web::Query<Ping>) -> web::Html {
    // ok: rs-taint-xss
    let fixed = web::Html::new("<p>pong</p>");
    // ruleid: rs-taint-xss
    web::Html::new(format!("<p>{}</p>", query.host))
}

async fn tide_pages(req: tide::Request<()>) -> tide::Result {
    let next: String = req.param("next")?.to_string();
    if next == "/home" {
        // ok: rs-taint-open-redirect
        return Ok(Redirect::new(&next).into());
    }
    // ruleid: rs-taint-open-redirect
    let away: Response = Redirect::new(&next).into();
    let mut res = Response::new(StatusCode::Ok);
    // ruleid: rs-taint-open-redirect
    res.insert_header("Location", &next);
    res.set_content_type(mime::HTML);
    // ruleid: rs-taint-xss
    res.set_body(format!("<p>{}</p>", next));
    let mut plain = Response::new(StatusCode::Ok);
    plain.set_content_type(mime::PLAIN);
    // ok: rs-taint-xss
    plain.set_body(format!("{}", next));
    // ruleid: rs-taint-path-traversal
    let file = Body::from_file(format!("/srv/files/{}", next)).await?;
    // ok: rs-taint-path-traversal
    let index = Body::from_file("/srv/files/index.html").await?;
    Ok(res)
}

fn iron_responses(req: &mut Request) -> IronResult<Response> {
    let target = req.url.query().unwrap_or("/").to_string();
    // ruleid: rs-taint-open-redirect
    let away = Response::with((status::Found, RedirectRaw(target.clone())));
    // ok: rs-taint-open-redirect
    let home = Response::with((status::Found, RedirectRaw("/".to_string())));
    // ruleid: rs-taint-xss
    let page = Response::with((ContentType::html().0, status::Ok, format!("<p>{}</p>", target)));
    // ok: rs-taint-xss
    let text = Response::with((ContentType::plaintext().0, status::Ok, format!("{}", target)));
    // ruleid: rs-taint-path-traversal
    let file = Response::with((status::Ok, Path::new(&target)));
    Ok(page)
}

async fn seaorm_search(Query(q): Query<HashMap<String, String>>, db: &DatabaseConnection) {
    let name = q.get("name").cloned().unwrap_or_default();
    // ruleid: rs-taint-sql-injection
    let stmt = Statement::from_string(DbBackend::Postgres, format!("SELECT * FROM users WHERE name = '{}'", name));
    // ok: rs-taint-sql-injection
    let safe = Statement::from_sql_and_values(DbBackend::Postgres, "SELECT * FROM users WHERE name = $1", [name.into()]);
    let sql = format!("DELETE FROM users WHERE name = '{}'", name);
    // ruleid: rs-taint-sql-injection, rs-sql-format
    db.execute_unprepared(&sql).await;
}
