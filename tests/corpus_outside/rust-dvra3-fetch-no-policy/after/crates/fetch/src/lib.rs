use reqwest::Client;
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct Fetcher {
    vulnerable_client: Client,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FetchResponse {
    pub status: u16,
    pub final_url: String,
    pub body: String,
}

impl Fetcher {
    /// Accepts an attacker-controlled URL, applies no destination policy, follows redirects.
    pub async fn fetch_vulnerable(&self, raw_url: &str) -> Result<FetchResponse, reqwest::Error> {
        let response = self.vulnerable_client.get(raw_url).send().await?; // EXPECT request to a caller-supplied URL
        let status = response.status().as_u16();
        let final_url = response.url().to_string();
        let body = response.bytes().await?;

        Ok(FetchResponse {
            status,
            final_url,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }
}
