use rocket::response::content::RawHtml;
use rocket::get;

#[get("/hello?<name>")]
fn hello(name: &str) -> RawHtml<String> {
    RawHtml(format!("<h1>Hello {}</h1>", name)) // EXPECT xss
}

#[get("/run?<cmd>")]
fn run(cmd: String) -> String {
    let out = std::process::Command::new(cmd).output().unwrap(); // EXPECT cmd
    String::from_utf8_lossy(&out.stdout).into_owned()
}
