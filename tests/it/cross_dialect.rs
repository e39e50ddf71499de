//! One contact, three dialects (docs/fields.md): a contact written through VCC Live, jtel
//! or iovox shows every canonical field it holds under each dialect's own name.

use crate::common::iovox::{contact, request, values};
use crate::common::{Client, Database, Server};
use reqwest::Method;
use serde_json::{Map, Value, json};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Dialect {
    Vcc,
    Jtel,
    Iovox,
}

/// A canonical field: its name in VCC Live, jtel and iovox (None where the dialect has
/// none), and a value as stored.
struct Field {
    vcc: &'static str,
    jtel: Option<&'static str>,
    iovox: Option<&'static str>,
    value: &'static str,
}

const FIELDS: &[Field] = &[
    field("name", Some("Name"), Some("display_name"), "Ann Lee"),
    field("first_name", Some("FirstName"), Some("first_name"), "Ann"),
    field("last_name", None, Some("last_name"), "Lee"),
    field("company", Some("Company"), Some("company"), "Acme Ltd"),
    field("email", Some("Email"), Some("email"), "ann@example.com"),
    field("address", Some("Address"), Some("home_address_1"), "1 Main Street"),
    field("city", Some("City"), Some("home_city"), "Leeds"),
    field("postcode", Some("PostalCode"), Some("home_postcode"), "LS1 4AP"),
    field("region", Some("Region"), None, "West Yorkshire"),
    field("country", Some("Country"), Some("home_country"), "United Kingdom"),
    field("notes", Some("Comment"), Some("notes"), "Met at the fair"),
    field("phone1", Some("PhoneNumber1"), Some("mobile_phone"), "447700900123"),
    field("phone2", Some("PhoneNumber2"), Some("home_phone"), "441132000001"),
    field("phone3", Some("PhoneNumber3"), Some("business_phone"), "441132000002"),
    field("phone4", Some("PhoneNumber4"), Some("business_fax"), "441132000003"),
    field("phone5", Some("PhoneNumber5"), None, "441132000004"),
];

const fn field(
    vcc: &'static str,
    jtel: Option<&'static str>,
    iovox: Option<&'static str>,
    value: &'static str,
) -> Field {
    Field {
        vcc,
        jtel,
        iovox,
        value,
    }
}

impl Field {
    fn name_in(&self, dialect: Dialect) -> Option<&'static str> {
        match dialect {
            Dialect::Vcc => Some(self.vcc),
            Dialect::Jtel => self.jtel,
            Dialect::Iovox => self.iovox,
        }
    }
}

/// The contact book's project id (iovox's contacts live there), made by a first contact.
async fn contact_book(api: &Client) -> i64 {
    let first = request("", &[contact("first", &[("display_name", "First")])]);
    let reply = api.create_contacts(&first).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let projects = api.get("/v2/projects").await.body;
    projects["response"]
        .as_array()
        .and_then(|all| all.iter().find(|p| p["name"] == "Contact book"))
        .and_then(|p| p["projectid"].as_i64())
        .expect("the contact book project")
}

/// Writes the contact `contact_id` with every canonical field `writer` has; its record id.
async fn write(api: &Client, writer: Dialect, book: i64, contact_id: &str) -> i64 {
    let fields = FIELDS.iter().filter_map(|f| Some((f.name_in(writer)?, f.value)));
    match writer {
        Dialect::Vcc => {
            let form: Map<String, Value> = fields.map(|(k, v)| (k.to_owned(), json!(v))).collect();
            let id = api.add_records(book, &json!({"form": form}).to_string()).await[0];
            // VCC Live's add-record has no contact id of its own: jtel's UserData gives it one.
            let user_data = json!({"UserData": contact_id}).to_string();
            let reply = api.put(&format!("/dialler/contacts/contact/{id}"), &user_data).await;
            assert_eq!(reply.status, 200, "{}", reply.text);
            id
        }
        Dialect::Jtel => {
            let mut body: Map<String, Value> = fields.map(|(k, v)| (k.to_owned(), json!(v))).collect();
            body.insert("DiallerCampaignsID".into(), json!(book));
            body.insert("UserData".into(), json!(contact_id));
            let reply = api
                .post("/dialler/contacts/contact", &Value::Object(body).to_string())
                .await;
            assert_eq!(reply.status, 200, "{}", reply.text);
            reply.body["records"][0]["DiallerContactsID"]
                .as_i64()
                .expect("the new contact's id")
        }
        Dialect::Iovox => {
            let details: Vec<(&str, String)> = fields
                .map(|(k, v)| match k.ends_with("_phone") || k.ends_with("_fax") {
                    true => (k, format!("+{v}")),
                    false => (k, v.to_owned()),
                })
                .collect();
            let details: Vec<(&str, &str)> = details.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let reply = api
                .create_contacts(&request("", &[contact(contact_id, &details)]))
                .await;
            assert_eq!(reply.status, 201, "{}", reply.text);
            let found = api
                .get(&format!("/dialler/contacts/contact?userData={contact_id}"))
                .await;
            found.body["records"][0]["DiallerContactsID"]
                .as_i64()
                .expect("the contact's record")
        }
    }
}

/// Each canonical field as `reader` shows it (None where the reader has no name for it).
async fn read(api: &Client, reader: Dialect, book: i64, id: i64, contact_id: &str) -> Vec<Option<String>> {
    let text = |value: &Value| value.as_str().map(str::to_owned);
    match reader {
        Dialect::Vcc => {
            let reply = api.get(&format!("/v2/projects/{book}/records/{id}")).await;
            assert_eq!(reply.status, 200, "{}", reply.text);
            FIELDS
                .iter()
                .map(|f| text(&reply.body["response"]["values"][f.vcc]))
                .collect()
        }
        Dialect::Jtel => {
            let reply = api.get(&format!("/dialler/contacts/contact/{id}")).await;
            assert_eq!(reply.status, 200, "{}", reply.text);
            assert_eq!(reply.body["records"][0]["UserData"], contact_id);
            let contact = &reply.body["records"][0];
            FIELDS.iter().map(|f| f.jtel.and_then(|k| text(&contact[k]))).collect()
        }
        Dialect::Iovox => {
            let path = format!("/Contacts?v=3&method=getContactDetails&contact_id={contact_id}");
            let reply = api.iovox(Method::GET, &path, None).await;
            assert_eq!(reply.status, 200, "{}", reply.text);
            FIELDS
                .iter()
                .map(|f| f.iovox.and_then(|k| values(&reply.text, k).into_iter().next()))
                .collect()
        }
    }
}

#[tokio::test]
async fn every_canonical_field_written_through_one_dialect_reads_through_each() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let book = contact_book(&api).await;
    let dialects = [Dialect::Vcc, Dialect::Jtel, Dialect::Iovox];
    for writer in dialects {
        let contact_id = format!("{writer:?}-written").to_lowercase();
        let id = write(&api, writer, book, &contact_id).await;
        for reader in dialects {
            let shown = read(&api, reader, book, id, &contact_id).await;
            for (field, shown) in FIELDS.iter().zip(shown) {
                let (Some(_), Some(read_as)) = (field.name_in(writer), field.name_in(reader)) else {
                    continue;
                };
                assert_eq!(
                    shown.as_deref(),
                    Some(field.value),
                    "{} written through {writer:?} reads through {reader:?} as {read_as}",
                    field.vcc
                );
            }
        }
        // The next writer's contact has the same name and numbers: iovox refuses a second.
        let reply = api.delete(&format!("/dialler/contacts/contact/{id}")).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
}

/// Each dialect writes a number in its own way; the Robinson list names it in E.164 form.
#[tokio::test]
async fn a_number_meets_its_e164_form_however_a_dialect_wrote_it() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let project = api.project("Hungary").await;
    let rules = json!({"default_country": "HU"}).to_string();
    let reply = api.put(&format!("/dialbase/v1/projects/{project}/rules"), &rules).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let national = api
        .add_records(project, r#"{"form": {"name": "National", "phone1": "06 1 999 7400"}}"#)
        .await[0];
    let prefixed = api
        .add_records(
            project,
            r#"{"form": {"name": "Prefixed", "phone1": "0036 1 999 7401"}}"#,
        )
        .await[0];
    let contact = json!({"DiallerCampaignsID": project, "Name": "Plus", "PhoneNumber1": "+36 1 999 7402"});
    let reply = api.post("/dialler/contacts/contact", &contact.to_string()).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let plus = reply.body["records"][0]["DiallerContactsID"].as_i64().unwrap();

    let listed = json!({"phones": ["3619997400", "3619997401", "3619997402"]}).to_string();
    let reply = api.post("/v2/robinson", &listed).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    for id in [national, prefixed, plus] {
        let record = api.get(&format!("/v2/projects/{project}/records/{id}")).await;
        assert_eq!(record.body["response"]["robinson"], true, "{}", record.text);
    }
    let claimed = api
        .post(&format!("/dialbase/v1/projects/{project}/claim"), r#"{"owner": "d1"}"#)
        .await;
    assert_eq!(claimed.status, 204, "no listed number is dialed: {}", claimed.text);

    // A national number written before its project had a country meets its E.164 form
    // once the rules name one.
    let later = api.project("Country later").await;
    let id = api
        .add_records(later, r#"{"form": {"name": "Early", "phone1": "06 1 999 7403"}}"#)
        .await[0];
    let reply = api.post("/v2/robinson", r#"{"phones": ["3619997403"]}"#).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let record = api.get(&format!("/v2/projects/{later}/records/{id}")).await;
    assert_eq!(
        record.body["response"]["robinson"], false,
        "no country: 06... is not 36..."
    );
    let reply = api.put(&format!("/dialbase/v1/projects/{later}/rules"), &rules).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let record = api.get(&format!("/v2/projects/{later}/records/{id}")).await;
    assert_eq!(record.body["response"]["robinson"], true, "{}", record.text);
    let found = api.get("/dialbase/v1/phones/%2B3619997403").await;
    assert_eq!(found.body["records"][0]["id"], id, "{}", found.text);
    let claimed = api
        .post(&format!("/dialbase/v1/projects/{later}/claim"), r#"{"owner": "d1"}"#)
        .await;
    assert_eq!(claimed.status, 204, "{}", claimed.text);
}

/// A look-up by number finds a contact whichever dialect wrote it and however.
#[tokio::test]
async fn a_look_up_by_number_finds_the_contact_whichever_dialect_wrote_it() {
    let db = Database::fresh();
    let server = Server::start(&db);
    let api = server.client();
    let book = contact_book(&api).await;
    let vcc = api
        .add_records(book, r#"{"form": {"name": "Vcc", "phone1": "0044 113 200 0001"}}"#)
        .await[0];
    let reply = api
        .create_contacts(&request(
            "",
            &[contact(
                "io-1",
                &[("display_name", "Io"), ("home_phone", "+441132000001")],
            )],
        ))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let other = api.project("Other").await;
    let jtel = json!({"DiallerCampaignsID": other, "Name": "Jt", "PhoneNumber2": "+44 113 200 0001"});
    let reply = api.post("/dialler/contacts/contact", &jtel.to_string()).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let jtel = reply.body["records"][0]["DiallerContactsID"].as_i64().unwrap();
    let io = api.get("/dialler/contacts/contact?userData=io-1").await.body["records"][0]["DiallerContactsID"]
        .as_i64()
        .unwrap();

    for written in ["+44 113 200 0001", "00441132000001", "441132000001"] {
        let path = format!(
            "/dialbase/v1/phones/{}",
            written.replace(' ', "%20").replace('+', "%2B")
        );
        let reply = api.get(&path).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.body["e164"], "441132000001");
        let ids: Vec<i64> = reply.body["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, [vcc, io, jtel], "{written}: {}", reply.text);
    }
    let only_other = api
        .get(&format!("/dialbase/v1/phones/441132000001?project={other}"))
        .await;
    assert_eq!(only_other.body["records"][0]["id"], jtel, "{}", only_other.text);
    assert_eq!(only_other.body["records"].as_array().unwrap().len(), 1);
    let nobody = api.get("/dialbase/v1/phones/441132999999").await;
    assert_eq!(nobody.body["records"], json!([]));
    let wrong = api.get("/dialbase/v1/phones/call-me").await;
    assert_eq!(wrong.status, 400, "{}", wrong.text);
    assert_eq!(wrong.body["code"], "wrong_phone_format", "{}", wrong.text);
}
