//! Round trips: random contacts created through createContacts, read with
//! getContactDetails (XML and JSON), written back with updateContacts from exactly what
//! was read, and read again: nothing changed. Seeded; the seed is printed on failure
//! (rerun one with `DIALBASE_ROUND_TRIP_SEED=<seed>`).

use crate::common::Client;
use crate::common::iovox::{children, escape, request, start_with_contacts, value};
use reqwest::Method;
use serde_json::Value;

/// xorshift64*: small, seeded, good enough to pick test data.
struct Rng(u64);

impl Rng {
    /// Spreads nearby seeds (clock readings) apart with one splitmix64 step.
    fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

fn seed() -> u64 {
    match std::env::var("DIALBASE_ROUND_TRIP_SEED") {
        Ok(seed) => seed.parse().expect("DIALBASE_ROUND_TRIP_SEED is a number"),
        Err(_) => {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64);
            nanos | 1
        }
    }
}

const NAMES: &[&str] = &["Ann", "Zoë", "Jean-Luc", "O'Brien", "Ólafur", "李", "J. R.", "Smith"];
const WORDS: &[&str] = &[
    "Acme",
    "Smith's & Sons",
    "<b>bold</b>",
    "\"quoted\"",
    "Straße 5",
    "🙂 ok",
    "a  b",
    "x > y",
];
const COUNTRIES: &[&str] = &["United Kingdom", "France", "Côte d'Ivoire", "United States", "Germany"];

/// A valid number: UK mobiles 447700900000-447700900999 and London 442079460000-...999.
fn phone(rng: &mut Rng, index: usize) -> String {
    let prefix = rng.pick(&["447700900", "442079460"]);
    format!("{prefix}{:03}", (index * 7 + rng.below(7)) % 1000)
}

/// One random contact's details (element, text), unescaped.
fn random_details(rng: &mut Rng, index: usize) -> Vec<(&'static str, String)> {
    let mut details = vec![("display_name", format!("{} {index}", rng.pick(NAMES)))];
    let text_details = [
        "company",
        "email_2",
        "work_address_1",
        "work_address_2",
        "work_city",
        "work_postcode",
        "home_address_1",
        "home_address_2",
        "home_city",
        "home_postcode",
        "notes",
    ];
    for name in ["first_name", "last_name"] {
        if rng.chance(70) {
            details.push((name, rng.pick(NAMES).to_owned()));
        }
    }
    for name in text_details {
        if rng.chance(60) {
            let text = format!("{} {}", rng.pick(WORDS), rng.below(1000));
            details.push((name, text));
        }
    }
    if rng.chance(30) {
        details.push(("notes", "line one\nline two".to_owned()));
        details.retain(|(name, text)| *name != "notes" || text.contains('\n'));
    }
    for name in ["email"] {
        for n in 0..rng.below(3) {
            details.push((name, format!("p{index}.{n}@example.com")));
        }
    }
    for name in ["mobile_phone", "home_phone", "business_phone", "business_fax"] {
        for _ in 0..rng.below(3) {
            details.push((name, phone(rng, index)));
        }
    }
    for name in ["work_country", "home_country", "business_country"] {
        if rng.chance(50) {
            details.push((name, rng.pick(COUNTRIES).to_owned()));
        }
    }
    details
}

fn contact_xml(id: &str, details: &[(String, String)]) -> String {
    let details: String = details
        .iter()
        .filter(|(name, _)| name != "contact_id")
        .map(|(name, text)| format!("<{name}>{}</{name}>", escape(text)))
        .collect();
    format!("<contact><contact_id>{}</contact_id>{details}</contact>", escape(id))
}

async fn details_xml(api: &Client, id: &str, seed: u64) -> (String, Vec<(String, String)>) {
    let path = format!("/Contacts?v=3&method=getContactDetails&contact_id={}", urlencode(id));
    let reply = api.iovox(Method::GET, &path, None).await;
    assert_eq!(reply.status, 200, "seed {seed}: {}", reply.text);
    let result = value(&reply.text, "result");
    (result.clone(), children(&result))
}

async fn details_json(api: &Client, id: &str, seed: u64) -> Value {
    let query = format!("&method=getContactDetails&contact_id={}", urlencode(id));
    let reply = api.contacts_json(&query).await;
    assert_eq!(reply.status, 200, "seed {seed}: {}", reply.text);
    let results = reply.body["response"]["results"]["result"].as_array().cloned();
    let results = results.unwrap_or_else(|| panic!("seed {seed}: {}", reply.text));
    assert_eq!(results.len(), 1, "seed {seed}: {}", reply.text);
    results[0].clone()
}

/// A JSON result as (element, text) pairs in its order, list values one by one.
fn json_pairs(result: &Value) -> Vec<(String, String)> {
    let object = result.as_object().expect("a result object");
    let mut pairs = Vec::new();
    for (name, value) in object {
        match value {
            Value::Array(values) => pairs.extend(
                values
                    .iter()
                    .map(|v| (name.clone(), v.as_str().expect("text").to_owned())),
            ),
            value => pairs.push((name.clone(), value.as_str().expect("text").to_owned())),
        }
    }
    pairs
}

fn sorted(mut pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    pairs.sort();
    pairs
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn what_get_contact_details_answers_writes_back_unchanged() {
    let seed = seed();
    eprintln!("round trip seed {seed}");
    let mut rng = Rng::new(seed);
    let ids: Vec<String> = (0..12).map(|i| format!("id {i}&{}", rng.below(100))).collect();
    let created: Vec<Vec<(&'static str, String)>> = (0..ids.len()).map(|i| random_details(&mut rng, i)).collect();
    let contacts: Vec<String> = ids
        .iter()
        .zip(&created)
        .map(|(id, details)| {
            let owned: Vec<(String, String)> = details.iter().map(|(n, t)| ((*n).to_owned(), t.clone())).collect();
            contact_xml(id, &owned)
        })
        .collect();
    let (_db, _server, api) = start_with_contacts(&[]).await;
    let reply = api.create_contacts(&request("", &contacts)).await;
    assert_eq!(reply.status, 201, "seed {seed}: {}", reply.text);

    for (id, sent) in ids.iter().zip(&created) {
        // What was created reads back (phones and countries in their stored form).
        let (raw, read) = details_xml(&api, id, seed).await;
        for (name, text) in sent {
            let found = read
                .iter()
                .any(|(n, t)| n == name && (t == text || t.eq_ignore_ascii_case(text)));
            assert!(found, "seed {seed}: {name}={text:?} of {id:?} not in {read:?}");
        }
        assert_eq!(read[0], ("contact_id".to_owned(), id.clone()), "seed {seed}");

        // XML: exactly the <result>'s content back as the <contact>.
        let update = request("", &[format!("<contact>{raw}</contact>")]);
        let reply = api.update_contacts(&update).await;
        assert_eq!(reply.status, 204, "seed {seed}: {}", reply.text);
        let (raw_again, _) = details_xml(&api, id, seed).await;
        assert_eq!(raw_again, raw, "seed {seed}: XML round trip of {id:?}");

        // The same, replacing the lists with what was read.
        let replace = request(
            "<replace_details>TRUE</replace_details>",
            &[format!("<contact>{raw}</contact>")],
        );
        let reply = api.update_contacts(&replace).await;
        assert_eq!(reply.status, 204, "seed {seed}: {}", reply.text);
        assert_eq!(details_xml(&api, id, seed).await.0, raw, "seed {seed}: {id:?}");

        // JSON: the same values as the XML; written back as elements, nothing changes.
        let json = details_json(&api, id, seed).await;
        let pairs = json_pairs(&json);
        assert_eq!(
            sorted(pairs.clone()),
            sorted(read.clone()),
            "seed {seed}: JSON and XML of {id:?}"
        );
        let update = request("", &[contact_xml(id, &pairs)]);
        let reply = api.update_contacts(&update).await;
        assert_eq!(reply.status, 204, "seed {seed}: {}", reply.text);
        assert_eq!(
            details_json(&api, id, seed).await,
            json,
            "seed {seed}: JSON round trip of {id:?}"
        );
        assert_eq!(details_xml(&api, id, seed).await.0, raw, "seed {seed}: {id:?}");
    }
}
