//! Issue 14, item 2: whatever VCC Live's record read answers in `data` can be written back
//! (Modify record, batch record modification, Modify contact) and changes nothing. Random
//! records, seeded: `DIALBASE_ROUND_TRIP_SEED` replays a run; a failure prints its seed.

use crate::common::{Client, Database, Server};
use crate::model::rng::Rng;
use serde_json::{Map, Value, json};

const RECORDS: usize = 40;

fn seed() -> u64 {
    std::env::var("DIALBASE_ROUND_TRIP_SEED")
        .ok()
        .and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        })
}

/// The project: every field type, list values whose names are digits (so that ids and names
/// can be mistaken for each other), and the phone fields contacts 2 and 3 need.
async fn project(api: &Client) -> i64 {
    let project = api.project("Round trips").await;
    let fields = [
        json!({"name": "city", "type": "simple", "values": [{"name": "Budapest"}, {"name": "Pécs"}, {"name": "Szeged"}]}),
        json!({"name": "likes", "type": "multiple", "values": [{"name": "sports"}, {"name": "movies"}, {"name": "music"}, {"name": "books"}]}),
        json!({"name": "size", "type": "simple", "values": [{"name": "1"}, {"name": "2"}, {"name": "10"}]}),
        json!({"name": "tags", "type": "multiple", "indexed": "yes", "values": [{"name": "3"}, {"name": "vip"}]}),
        json!({"name": "note", "type": "text"}),
        json!({"name": "phone2", "type": "text"}),
        json!({"name": "phone3", "type": "text"}),
    ];
    for field in fields {
        let reply = api
            .post(&format!("/v2/projects/{project}/fields"), &field.to_string())
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    project
}

/// A name in a random case: list values are one whatever their case.
fn any_case(rng: &mut Rng, name: &str) -> String {
    name.chars()
        .map(|c| {
            if rng.chance(30) {
                c.to_uppercase().collect::<String>()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn random_record(rng: &mut Rng, n: usize) -> Value {
    let texts = ["Peter Green", "a|b", "Ünïcode ✓", "  spaced  ", "42", "line\nbreak", ""];
    let mut form = Map::new();
    form.insert("name".into(), json!(format!("{} {n}", rng.pick(&texts))));
    if rng.chance(60) {
        form.insert("note".into(), json!(rng.pick(&texts)));
    }
    if rng.chance(80) {
        let city = if rng.chance(20) {
            format!("Town {}", rng.below(5))
        } else {
            rng.pick(&["Budapest", "Pécs", "Szeged"]).to_string()
        };
        form.insert("city".into(), json!(any_case(rng, &city)));
    }
    if rng.chance(80) {
        let mut likes: Vec<String> = Vec::new();
        for _ in 0..rng.below(5) {
            let like = if rng.chance(15) {
                format!("hobby {}", rng.below(4))
            } else {
                rng.pick(&["sports", "movies", "music", "books"]).to_string()
            };
            likes.push(any_case(rng, &like));
        }
        let value = if rng.chance(50) {
            json!(likes.join("|"))
        } else {
            json!(likes)
        };
        form.insert("likes".into(), value);
    }
    if rng.chance(60) {
        form.insert("size".into(), json!(rng.pick(&["1", "2", "10"])));
    }
    if rng.chance(50) {
        let tags: Vec<&str> = ["3", "vip", "VIP", "new"]
            .into_iter()
            .filter(|_| rng.chance(50))
            .collect();
        form.insert("tags".into(), json!(tags));
    }
    let mut contacts = Map::new();
    contacts.insert(
        "1".into(),
        json!({"phone": format!("36 1 {:07}", rng.below(9_999_999)), "name": "First"}),
    );
    for slot in ["2", "3"] {
        if rng.chance(40) {
            let contact = json!({"phone": format!("+44 7700 {:06}", rng.below(999_999)), "title": rng.pick(&["Boss", "CTO"]),
                                 "email": format!("c{n}@example.com")});
            contacts.insert(slot.into(), contact);
        }
    }
    let mut record = json!({"form": form, "contacts": contacts});
    if rng.chance(50) {
        record["user_data"] = json!(format!("crm-{n}"));
    }
    if rng.chance(30) {
        record["next_calldate"] = json!("2031-05-06 07:08:09");
    }
    record
}

/// A record as compared: without the moment it was last written.
fn comparable(record: &Value) -> Value {
    let mut record = record.clone();
    if let Some(object) = record.as_object_mut() {
        object.remove("update_date");
    }
    record
}

async fn read(api: &Client, project: i64, id: i64) -> Value {
    let reply = api.get(&format!("/v2/projects/{project}/records/{id}")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["response"].clone()
}

async fn read_all(api: &Client, project: i64) -> Vec<Value> {
    let reply = api.get(&format!("/v2/projects/{project}/records?limit=1000")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["response"].as_array().expect("records").clone()
}

#[tokio::test]
async fn records_read_and_written_back_do_not_change() {
    let seed = seed();
    let mut rng = Rng::new(seed);
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = project(&api).await;
    let records: Vec<Value> = (0..RECORDS).map(|n| random_record(&mut rng, n)).collect();
    let ids = api.add_records(project, &Value::Array(records).to_string()).await;
    let schema_before = api.get(&format!("/v2/projects/{project}")).await.body;

    for (n, &id) in ids.iter().enumerate() {
        let before = read(&api, project, id).await;
        // The vendor's flat body for half of them, the "Add record" shape for the others.
        let body = if n % 2 == 0 {
            before["data"].clone()
        } else {
            json!({"form": before["data"], "user_data": before["user_data"], "next_calldate": before["next_calldate"],
                   "phone_field": before["phone_field"]})
        };
        let reply = api
            .put(&format!("/v2/projects/{project}/records/{id}"), &body.to_string())
            .await;
        assert_eq!(
            reply.body,
            json!({"errors": [], "response": true}),
            "seed {seed:#x}, record {id}: {body}"
        );
        for (slot, contact) in before["contacts"].as_object().expect("contacts") {
            let slot = slot.trim_start_matches("phone");
            let path = format!("/v2/projects/{project}/records/{id}/contacts/{slot}");
            let reply = api.put(&path, &contact.to_string()).await;
            assert_eq!(reply.status, 200, "seed {seed:#x}, record {id}: {}", reply.text);
        }
        let after = read(&api, project, id).await;
        assert_eq!(
            comparable(&after),
            comparable(&before),
            "seed {seed:#x}: record {id} changed when written back"
        );
    }

    // The list's records, written back with one batch record modification.
    let listed = read_all(&api, project).await;
    let elements: Vec<Value> = listed
        .iter()
        .map(|r| json!({"numberid": r["numberid"], "form": r["data"]}))
        .collect();
    let reply = api
        .put(
            &format!("/v2/projects/{project}/records"),
            &json!({"elements": elements}).to_string(),
        )
        .await;
    assert_eq!(reply.status, 200, "seed {seed:#x}: {}", reply.text);
    assert_eq!(reply.body["errors"], json!([]), "seed {seed:#x}: {}", reply.text);
    let relisted = read_all(&api, project).await;
    assert_eq!(
        relisted.iter().map(comparable).collect::<Vec<_>>(),
        listed.iter().map(comparable).collect::<Vec<_>>(),
        "seed {seed:#x}: the list changed when written back"
    );
    let schema_after = api.get(&format!("/v2/projects/{project}")).await.body;
    assert_eq!(
        schema_after, schema_before,
        "seed {seed:#x}: writing back created fields or values"
    );
}

/// A JSON number names a list value by id when the field has a value with that id; a
/// number that is no value id of the field is taken as a value name, as a string is.
#[tokio::test]
async fn a_number_names_a_value_by_id_else_it_is_a_name() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Ids").await;
    let field = json!({"name": "color", "type": "simple", "values": [{"name": "red"}, {"name": "blue"}]});
    api.post(&format!("/v2/projects/{project}/fields"), &field.to_string())
        .await;
    let likes = json!({"name": "likes", "type": "multiple", "values": [{"name": "sports"}, {"name": "movies"}]});
    api.post(&format!("/v2/projects/{project}/fields"), &likes.to_string())
        .await;
    let schema = api.get(&format!("/v2/projects/{project}")).await.body;
    let id_of = |field: &str, name: &str| {
        schema["response"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == field)
            .and_then(|f| f["values"].as_array().unwrap().iter().find(|v| v["name"] == name))
            .and_then(|v| v["valueid"].as_i64())
            .unwrap()
    };
    let (blue, movies, sports) = (
        id_of("color", "blue"),
        id_of("likes", "movies"),
        id_of("likes", "sports"),
    );

    let body = json!({"form": {"color": blue, "likes": [movies, "Sports", 987654]}});
    let id = api.add_records(project, &body.to_string()).await[0];
    let record = read(&api, project, id).await;
    assert_eq!(record["data"]["color"], json!(blue));
    assert_eq!(record["values"]["color"], "blue");
    let values = record["data"]["likes"].as_array().unwrap().clone();
    assert_eq!(
        values[..2],
        [json!(movies), json!(sports)],
        "an id, then a name whatever its case"
    );
    assert_eq!(
        record["values"]["likes"], "movies|sports|987654",
        "a number that is no value id is a name"
    );

    // A string of digits is always a name.
    let reply = api
        .put(
            &format!("/v2/projects/{project}/records/{id}"),
            &json!({"color": blue.to_string()}).to_string(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let record = read(&api, project, id).await;
    assert_eq!(record["values"]["color"], json!(blue.to_string()));
    assert_ne!(record["data"]["color"], json!(blue));
}
