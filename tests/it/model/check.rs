//! Reading the server's state back after a step and comparing it with the model.

use super::expect::{Checked, same, status};
use super::fields::compare_schema;
use super::others::compare_list;
use super::state::{Model, Rec, Schema};
use super::views;
use crate::common::Client;
use reqwest::Method;

/// A project's fields and values (learning the ids the model does not know yet).
pub async fn schema(api: &Client, schema: &mut Schema) -> Checked {
    let reply = api.get(&format!("/v2/projects/{}", schema.project)).await;
    status(&reply, 200).and_then(|()| compare_schema(schema, &reply.body))
}

/// One record through "Get detailed record information"; a record the model does not
/// hold must not exist in the project.
pub async fn record(api: &Client, m: &Model, id: i64) -> Checked {
    let project = m.records.get(&id).map_or(m.main.project, |r| r.project);
    let reply = api.get(&format!("/v2/projects/{project}/records/{id}")).await;
    let Some(rec) = m.records.get(&id) else {
        return super::expect::vcc_failed(&reply, 404, "record_not_exists")
            .map_err(|e| format!("record {id} should not exist: {e}"));
    };
    status(&reply, 200)?;
    same(
        &format!("record {id}"),
        &views::vcc(m, rec),
        &views::vcc_compared(&reply.body["response"]),
    )
}

/// Every record of a project, in id order, with the total.
pub async fn list(api: &Client, m: &Model, project: i64) -> Checked {
    let reply = api.get(&format!("/v2/projects/{project}/records?limit=1000")).await;
    let records: Vec<&Rec> = m.records.values().filter(|r| r.project == project).collect();
    compare_list(m, &records, &reply)
        .map(|_| ())
        .map_err(|e| format!("all records of project {project}: {e}"))
}

/// getContacts with the details the model keeps (views::contacts_xml), all on one page.
pub async fn all_contacts(api: &Client) -> Checked<crate::common::Reply> {
    let path = "/Contacts?v=3&method=getContacts&req_fields=cid,dn,em,comp,mphone";
    let contacts = api.iovox(Method::GET, path, None).await;
    status(&contacts, 200)?;
    Ok(contacts)
}

/// The contact book: its fields, its records through VCC Live, its contacts through iovox.
pub async fn book(api: &Client, m: &mut Model) -> Checked {
    let contacts = all_contacts(api).await?;
    let expected = views::contacts_xml(m);
    if contacts.text != expected {
        return Err(format!(
            "getContacts differs\n--- model:\n{expected}\n--- server:\n{}",
            contacts.text
        ));
    }
    let Some(mut book) = m.book.clone() else {
        return Ok(());
    };
    schema(api, &mut book).await.map_err(|e| format!("contact book: {e}"))?;
    let project = book.project;
    m.book = Some(book);
    list(api, m, project).await
}
