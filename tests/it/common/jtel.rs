//! A jtel client as jtel's own clients are: `Authorization: Bearer <token>` at jtel's base
//! path `/rest/v1.0/{ClientsID}`.

use super::{Client, Reply, Server};
use reqwest::Method;
use serde_json::Value;

pub struct Bearer {
    pub http: reqwest::Client,
    /// `http://host:port/rest/v1.0/{ClientsID}`
    pub base: String,
    pub token: String,
}

impl Bearer {
    pub fn new(server: &Server, clients_id: &str, token: &str) -> Self {
        Self {
            http: super::http_client(),
            base: format!("{}/rest/v1.0/{clients_id}", server.base),
            token: token.to_string(),
        }
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Reply {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        Client::reply(request).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        self.send(Method::PUT, path, Some(body)).await
    }

    /// Imports one contact; returns its id and whether it was written over.
    pub async fn import(&self, contact: &Value, overwrite: bool) -> (i64, bool) {
        let reply = self
            .post(
                &format!("/dialler/contacts/import?overwriteDuplicates={overwrite}"),
                contact,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.body["count"], 1, "{}", reply.text);
        let record = &reply.body["records"][0];
        (
            record["DiallerContactsID"].as_i64().expect("DiallerContactsID"),
            record["bOverwritten"].as_bool().expect("bOverwritten"),
        )
    }

    /// The contact as `GET /dialler/contacts/{id}` answers it.
    pub async fn contact(&self, id: i64) -> Value {
        let reply = self.get(&format!("/dialler/contacts/{id}")).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.body["count"], 1, "{}", reply.text);
        reply.body["records"][0].clone()
    }
}
