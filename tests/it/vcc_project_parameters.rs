//! VCC Live's project calls (issue 14, item 5): "Get project parameters" with the project's
//! `dispositions` and each field's `indexed` / `customised`, "Add field and values" with
//! both flags, and the value calls' errors naming `"property": "name"`.

use crate::common::{Database, Server};
use serde_json::json;

#[tokio::test]
async fn project_parameters_show_dispositions_and_field_flags() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Parameters").await;
    // The vendor's "Add field and values" example.
    let field = json!({"name": "education", "label": "education attainment", "type": "simple",
        "indexed": "yes", "customised": "yes", "quota": "none", "values": [
            {"name": "high school", "exportvalue": "HS", "description": "high school graduate", "commission": "100", "price": "200"}]});
    let reply = api
        .post(&format!("/v2/projects/{project}/fields"), &field.to_string())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let education = reply.body["response"].as_i64().unwrap();
    let plain = json!({"name": "note", "type": "text"});
    api.post(&format!("/v2/projects/{project}/fields"), &plain.to_string())
        .await;
    let wrong = json!({"name": "other", "type": "text", "customised": "perhaps"});
    let reply = api
        .post(&format!("/v2/projects/{project}/fields"), &wrong.to_string())
        .await;
    assert_eq!(reply.body["errors"][0]["errormessage"], "error.wrong_customised_format");

    let rules = json!({"dispositions": {"7": {"action": "done"}, "8": {"action": "retry", "after_minutes": 120}}});
    let reply = api
        .put(&format!("/dialbase/v1/projects/{project}/rules"), &rules.to_string())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);

    let reply = api.get(&format!("/v2/projects/{project}")).await;
    let parameters = &reply.body["response"];
    assert_eq!(
        parameters["dispositions"],
        json!([{"dispositionid": 7, "action": "done"}, {"dispositionid": 8, "action": "retry", "after_minutes": 120}])
    );
    let fields = parameters["fields"].as_array().unwrap();
    let flags: Vec<_> = fields
        .iter()
        .map(|f| (f["fieldid"].clone(), f["indexed"].clone(), f["customised"].clone()))
        .collect();
    assert_eq!(flags[0], (json!(education), json!("yes"), json!("yes")));
    assert_eq!(flags[1].1, "no");
    assert_eq!(flags[1].2, "no");
}

#[tokio::test]
async fn value_errors_name_the_property_as_in_the_vendors_example() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Values").await;
    let field = json!({"name": "likes", "type": "multiple"});
    let field = api
        .post(&format!("/v2/projects/{project}/fields"), &field.to_string())
        .await
        .body["response"]
        .as_i64()
        .unwrap();
    let path = format!("/v2/projects/{project}/fields/{field}/values");
    let reply = api.post(&path, r#"[{"name": "golf"}]"#).await;
    assert_eq!(reply.body, json!({"errors": [], "response": [1]}));
    // Shaped as the vendor's partial answer: `{"0": 8, "2": 9, "4": 10, "5": 11}`.
    let values = r#"[{"name": "chess"}, {"name": ""}, {"name": "tennis"}, {"name": "GOLF"}, {"name": "judo"}, {"name": "yoga"}]"#;
    let reply = api.post(&path, values).await;
    assert_eq!(
        reply.body,
        json!({"response": {"0": 2, "2": 3, "4": 4, "5": 5}, "errors": [
            {"errorcode": 417, "index": 1, "errormessage": "error.name_must_be_between", "property": "name"},
            {"errorcode": 417, "index": 3, "errormessage": "error.value_name_already_exists", "property": "name"}]})
    );
    let reply = api.put(&format!("{path}/2"), r#"{"name": ""}"#).await;
    assert_eq!(reply.status, 417);
    assert_eq!(
        reply.body,
        json!({"response": false, "errors": [
            {"errorcode": 417, "index": 0, "errormessage": "error.name_must_be_between", "property": "name"}]})
    );
    let reply = api.put(&format!("{path}/2"), r#"{"description": "no name"}"#).await;
    assert_eq!(reply.body["errors"][0]["errormessage"], "error.wrong_value_format");
    assert_eq!(reply.body["errors"][0]["property"], "name");
}
