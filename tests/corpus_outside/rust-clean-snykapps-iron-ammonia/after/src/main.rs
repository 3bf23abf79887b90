extern crate iron;

use ammonia::clean;
use iron::prelude::*;
use iron::status;

fn handler(req: &mut Request) -> IronResult<Response> {
    let res = req.url.path();
    let response = format!("<h1>Assessing resource, {:?}!</h1>", res);

    let sanitized = clean(&*response);
    Ok(Response::with((status::Ok, sanitized)))
}

pub fn main() {
    Iron::new(handler).http("localhost:3000").unwrap();
}
