//! The rest of VCC Live's Database API v2: fields and values, listing, modifying,
//! dispositions and the Robinson list.

use crate::common::{Database, Server};
use serde_json::{Value, json};

fn values_of(schema: &Value, field: &str) -> Vec<(String, i64)> {
    let fields = schema["response"]["fields"].as_array().unwrap();
    let field = fields.iter().find(|f| f["name"] == field).unwrap();
    field["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["name"].as_str().unwrap().into(), v["valueid"].as_i64().unwrap()))
        .collect()
}

#[tokio::test]
async fn fields_and_values_are_added_modified_and_deleted() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Fields").await;
    let field_body = json!({"name": "education", "label": "education attainment", "type": "simple", "indexed": "yes",
        "customised": "yes", "quota": "none", "values": [
            {"name": "high school", "exportvalue": "HS", "description": "high school graduate", "commission": "100", "price": "200"},
            {"name": "university", "exportvalue": "U", "description": "university degree", "commission": "10", "price": "20"}]});
    let field = api
        .post(&format!("/v2/projects/{project}/fields"), &field_body.to_string())
        .await;
    assert_eq!(field.status, 200);
    let field = field.body["response"].as_i64().unwrap();
    let duplicate = api
        .post(&format!("/v2/projects/{project}/fields"), &field_body.to_string())
        .await;
    assert_eq!(
        duplicate.body["errors"][0]["errormessage"],
        "error.field_name_already_exists"
    );

    let values = json!([{"name": "college"}, {"name": ""}, {"name": "phd"}, {"name": "university"}]);
    let reply = api
        .post(
            &format!("/v2/projects/{project}/fields/{field}/values"),
            &values.to_string(),
        )
        .await;
    assert_eq!(reply.status, 200);
    let errors = &reply.body["errors"];
    assert_eq!(
        errors[0],
        json!({"index": 1, "errorcode": 417, "errormessage": "error.name_must_be_between", "property": "name"})
    );
    assert_eq!(
        errors[1],
        json!({"index": 3, "errorcode": 417, "errormessage": "error.value_name_already_exists", "property": "name"})
    );
    let created = reply.body["response"].as_object().unwrap();
    assert_eq!(created.keys().collect::<Vec<_>>(), ["0", "2"]);

    let id = api
        .add_records(project, r#"{"form": {"education": "university"}}"#)
        .await[0];
    let schema = api.get(&format!("/v2/projects/{project}")).await.body;
    let university = values_of(&schema, "education")
        .into_iter()
        .find(|(n, _)| n == "university")
        .unwrap()
        .1;
    let modify = api
        .put(
            &format!("/v2/projects/{project}/fields/{field}/values/{university}"),
            r#"{"name": "Subscription1", "description": "renamed", "export_value": "E002", "price": "1000", "commission": "2000"}"#,
        )
        .await;
    assert_eq!(modify.body, json!({"errors": [], "response": true}));
    let r = api.get(&format!("/v2/projects/{project}/records/{id}")).await.body;
    assert_eq!(r["response"]["data"]["education"], university);
    assert_eq!(
        r["response"]["values"]["education"], "Subscription1",
        "records show the new name"
    );
    let schema = api.get(&format!("/v2/projects/{project}")).await.body;
    let fields = schema["response"]["fields"].as_array().unwrap();
    let renamed = fields[0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["valueid"] == university)
        .unwrap()
        .clone();
    assert_eq!(renamed["exportvalue"], "E002");
    assert_eq!(renamed["price"], "1000");

    let clash = api
        .put(
            &format!("/v2/projects/{project}/fields/{field}/values/{university}"),
            r#"{"name": "college"}"#,
        )
        .await;
    assert_eq!(
        clash.body["errors"][0]["errormessage"],
        "error.value_name_already_exists"
    );
    let nameless = api
        .put(
            &format!("/v2/projects/{project}/fields/{field}/values/{university}"),
            r#"{"price": "1"}"#,
        )
        .await;
    assert_eq!(nameless.body["errors"][0]["errormessage"], "error.wrong_value_format");

    let delete = api
        .delete(&format!("/v2/projects/{project}/fields/{field}/values/{university}"))
        .await;
    assert_eq!(delete.body, json!({"errors": [], "response": true}));
    let r = api.get(&format!("/v2/projects/{project}/records/{id}")).await.body;
    assert!(
        r["response"]["data"].get("education").is_none(),
        "a deleted value leaves the records"
    );
}

#[tokio::test]
async fn records_are_listed_in_pages_and_filtered_by_field() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("List").await;
    let records: Vec<Value> = (0..25)
        .map(|i| json!({"form": {"name": format!("n{i}"), "city": if i % 5 == 0 { "Budapest" } else { "Pécs" }}}))
        .collect();
    api.post(&format!("/v2/projects/{project}/records"), &json!(records).to_string())
        .await;

    let page = api
        .get(&format!("/v2/projects/{project}/records?limit=10&offset=20"))
        .await;
    assert_eq!(page.headers["x-total-count"], "25");
    let names: Vec<&str> = page.body["response"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["values"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["n20", "n21", "n22", "n23", "n24"]);

    let budapest = api.get(&format!("/v2/projects/{project}/records?city=Budapest")).await;
    assert_eq!(budapest.headers["x-total-count"], "5");
    let wildcard = api
        .get(&format!("/v2/projects/{project}/records?name=n1%25&city=P%C3%A9cs"))
        .await;
    assert_eq!(
        wildcard.headers["x-total-count"], "9",
        "n1 and n10..n19, less n10 and n15 (Budapest)"
    );
    let bad = api.get(&format!("/v2/projects/{project}/records?limit=-1")).await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn modify_record_takes_the_vendors_flat_body_and_next_contact() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Modify").await;
    api.multi_value_field(project, "likes").await;
    let id = api.add_records(project, r#"{"form": {"city": "Pécs"}}"#).await[0];
    let body = r#"{"phone1": "3619997400", "address": "1 Main street", "city": "Budapest", "likes": "sports|movies"}"#;
    let reply = api
        .put(
            &format!("/v2/projects/{project}/records/{id}?next_contact=phone1"),
            body,
        )
        .await;
    assert_eq!(reply.body, json!({"errors": [], "response": true}));
    let r = api.get(&format!("/v2/projects/{project}/records/{id}")).await.body["response"].clone();
    assert_eq!(r["values"]["city"], "Budapest");
    assert_eq!(r["values"]["likes"], "sports|movies");
    assert_eq!(r["data"]["phone1"], "3619997400");
    assert_eq!(r["phone_field"], "phone1");
    let bad = api
        .put(&format!("/v2/projects/{project}/records/{id}?next_contact=fax"), body)
        .await;
    assert_eq!(bad.status, 417);
    assert_eq!(bad.body["errors"][0]["errormessage"], "error.wrong_phone_field");
}

#[tokio::test]
async fn dispositions_are_added_one_by_one_and_in_batch() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Dispositions").await;
    let records = json!([{"form": {"name": "a"}}, {"form": {"name": "b"}}, {"form": {"name": "c"}}]);
    api.post(&format!("/v2/projects/{project}/records"), &records.to_string())
        .await;
    let seed = r#"{"dispositionid": "1", "userid": "17", "next_calldate": "2017-01-17 11:00:00", "next_contactid": "2",
                   "description": "University degree", "avoid_in_call": true}"#;
    let reply = api
        .post(&format!("/v2/projects/{project}/records/1/dispositions"), seed)
        .await;
    assert_eq!(reply.body, json!({"errors": [], "response": true}));
    let r = api.get(&format!("/v2/projects/{project}/records/1")).await.body["response"].clone();
    assert_eq!(r["next_calldate"], "2017-01-17 11:00:00");
    assert_eq!(r["phone_field"], "phone2");
    assert_eq!(r["events"][0]["description"], "University degree");

    let batch = json!({"disposition": {"dispositionid": 5, "userid": "9"}, "elements": [
        {"numberid": "2"},
        {"search": {"act_status": 1}, "dispositionid": 6, "next_calldate": "2030-01-01 08:00:00"},
        {"dispositionid": 7},
        {"numberid": 3, "next_calldate": "tomorrow"}
    ]});
    let reply = api
        .put(
            &format!("/v2/projects/{project}/records/dispositions"),
            &batch.to_string(),
        )
        .await;
    assert_eq!(reply.body["response"], json!({"0": true, "1": true}));
    let errors: Vec<&str> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["errormessage"].as_str().unwrap())
        .collect();
    assert_eq!(errors, ["error.missing_numberid_or_search", "error.wrong_date_format"]);
    let two = api.get(&format!("/v2/projects/{project}/records/2")).await.body["response"].clone();
    assert_eq!(two["events"][0]["dispositionid"], 5);
    assert_eq!(two["events"][0]["userid"], "9");
    let one = api.get(&format!("/v2/projects/{project}/records/1")).await.body["response"].clone();
    assert_eq!(
        one["events"][1]["dispositionid"], 6,
        "search by the latest disposition found record 1"
    );
    assert_eq!(one["next_calldate"], "2030-01-01 08:00:00");
    let three = api.get(&format!("/v2/projects/{project}/records/3")).await.body["response"].clone();
    assert!(three["events"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn robinson_numbers_flag_records_until_removed() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("DNC").await;
    let record = json!({"form": {"name": "x"}, "contacts": {"1": {"phone": "+36 1 999 7400"}}});
    let id = api.add_records(project, &record.to_string()).await[0];
    let path = format!("/v2/projects/{project}/records/{id}");
    assert_eq!(api.get(&path).await.body["response"]["robinson"], false);

    let reply = api
        .post("/v2/robinson", r#"{"phones": ["36-1-999-7400", "not a number"]}"#)
        .await;
    assert_eq!(reply.body["response"], true);
    assert_eq!(reply.body["errors"][0]["index"], 1);
    assert_eq!(reply.body["errors"][0]["errormessage"], "error.wrong_phone_format");
    assert_eq!(api.get(&path).await.body["response"]["robinson"], true);

    assert_eq!(api.delete("/v2/robinson/3619997400").await.body["response"], true);
    assert_eq!(api.get(&path).await.body["response"]["robinson"], false);
    assert_eq!(api.delete("/v2/robinson/3619997400").await.status, 404);
}
