//! The HTTP layer under random input: valid requests of every dialect, mutated (bytes
//! flipped, cut, doubled, nested) and sent as they come. No answer may be a 5xx, the
//! server stays up, and another tenant's data never changes. Bounded in CI (seeded, the
//! seed printed on failure); `DIALBASE_FUZZ_CASES` runs more.

use crate::common::dialer::{add_records, record};
use crate::common::{Database, Server};
use reqwest::Method;

/// xorshift64*: a seeded generator without a dependency.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(body: &str, random: &mut Random) -> Vec<u8> {
    let mut bytes = body.as_bytes().to_vec();
    for _ in 0..=random.below(4) {
        match random.below(6) {
            0 if !bytes.is_empty() => {
                let at = random.below(bytes.len());
                bytes[at] = random.next() as u8;
            }
            1 => bytes.truncate(random.below(bytes.len() + 1)),
            2 => bytes = [bytes.clone(), bytes].concat(),
            3 => bytes = [b"[".to_vec(), bytes, b"]".to_vec()].concat(),
            4 if !bytes.is_empty() => {
                let at = random.below(bytes.len());
                let tokens: [&[u8]; 6] = [b"null", b"{}", b"[]", b"\"\\u0000\"", b"1e999", b"-9223372036854775809"];
                let token = tokens[random.below(tokens.len())];
                bytes.splice(at..at, token.iter().copied());
            }
            _ => bytes.push(random.next() as u8),
        }
    }
    bytes
}

#[tokio::test]
async fn mutated_requests_of_every_dialect_never_get_a_5xx() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Leads").await;
    add_records(&api, project, vec![record("3611111111", None)]).await;
    db.admin(&["key", "add", "othercc", "other", "--key", "other-key-01"]);
    let other = server.client_as("othercc", "other", "other-key-01");
    let theirs = other.project("Theirs").await;
    add_records(&other, theirs, vec![record("3622222222", None)]).await;
    let before = other.get(&format!("/v2/projects/{theirs}/records")).await.text;

    let requests: Vec<(Method, String, String)> = vec![
        (Method::POST, format!("/v2/projects/{project}/records"), r#"[{"form":{"name":"A","city":"Pécs"},"contacts":{"1":{"phone":"3612345678","email":"a@b.hu"}},"next_calldate":"2030-01-01 10:00:00"}]"#.into()),
        (Method::PUT, format!("/v2/projects/{project}/records"), r#"{"elements":[{"numberid":1,"form":{"city":"Győr"}},{"search":{"name":"A%"},"form":{"x":"y"}}]}"#.into()),
        (Method::POST, "/v2/robinson".into(), r#"{"phones":["3611111111","+36 1 222 3333"]}"#.into()),
        (Method::POST, "/v2/projects".into(), r#"{"name":"P","form":{"a":"b"}}"#.into()),
        (Method::POST, "/dialler/contacts/contact".into(), format!(r#"[{{"DiallerCampaignsID":{project},"UserData":"u1","Name":"N","PhoneNumber1":"3613333333"}}]"#)),
        (Method::POST, format!("/dialbase/v1/projects/{project}/claim"), r#"{"owner":"d","lease_seconds":60}"#.into()),
        (Method::PUT, format!("/dialbase/v1/projects/{project}/rules"), r#"{"calling_hours":{"mon":["09:00","20:00"]},"dedup":{"keys":["phone"]},"retries":{"max_attempts":3}}"#.into()),
        (Method::POST, "/dialbase/v1/dnc/lists/tcpa/entries".into(), r#"{"entries":[{"phone":"3614444444","expires_at":"2030-01-01 00:00:00"}]}"#.into()),
        (Method::POST, "/dialbase/v1/dnc/check".into(), r#"{"phones":["3614444444"]}"#.into()),
        (Method::POST, "/Contacts?v=3&method=createContacts".into(), "<?xml version=\"1.0\"?><request><contact><contact_id>c1</contact_id><mobile_phone>447772412312</mobile_phone></contact></request>".into()),
    ];
    let cases: usize = std::env::var("DIALBASE_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut random = Random(seed);
    for case in 0..cases {
        let (method, path, body) = &requests[random.below(requests.len())];
        let body = mutate(body, &mut random);
        let reply = api
            .http
            .request(method.clone(), format!("{}{path}", api.base))
            .basic_auth(&api.user, Some(&api.key))
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "seed {seed}, case {case}: no answer ({e}) to {path} {:?}",
                    String::from_utf8_lossy(&body)
                )
            });
        let status = reply.status();
        assert!(
            !status.is_server_error(),
            "seed {seed}, case {case}: {status} for {method} {path} {:?}",
            String::from_utf8_lossy(&body)
        );
    }
    assert_eq!(api.get("/v2/projects").await.status, 200, "seed {seed}: still serving");
    let after = other.get(&format!("/v2/projects/{theirs}/records")).await.text;
    assert_eq!(before, after, "seed {seed}: another tenant's records never change");
}

#[tokio::test]
async fn an_array_item_is_not_a_record() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Leads").await;
    let reply = api
        .post(&format!("/v2/projects/{project}/records"), r#"[[{"name":"x"}]]"#)
        .await;
    assert_eq!(
        reply.body["errors"][0]["errormessage"], "error.wrong_record_format",
        "{}",
        reply.text
    );
    assert_eq!(reply.body["response"], serde_json::json!({}));
}
