extern crate iron;

use iron::prelude::*;
use iron::status;

fn handler(req: &mut Request) -> IronResult<Response> {
    let res = req.url.path();
    let response = format!("<h1>Assessing resource, {:?}!</h1>", res);
    Ok(Response::with((status::Ok, response))) // EXPECT request path written into an HTML response
}

pub fn main() {
    Iron::new(handler).http("localhost:3000").unwrap();
}
