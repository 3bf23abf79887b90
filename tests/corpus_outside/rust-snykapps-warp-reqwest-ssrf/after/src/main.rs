use warp::Filter;

#[tokio::main]
async fn main() {
    let routes = warp::path::param().then(|tainted_param: String| async move {
        let response = reqwest::Client::new()
            .post(format!("https://{}", tainted_param)) // EXPECT the request's host comes from the URL path
            .form(&[("one", "1")])
            .send()
            .await
            .expect("send");

        format!("{} {}", tainted_param, response.status())
    });

    warp::serve(routes).run(([127, 0, 0, 1], 3030)).await;
}
