//! Phase 5: look-ups one by one from many connections: by numberid (VCC Live), by
//! userData (jtel), and `GET /healthz` at the same concurrency as the anchor of what the
//! HTTP stack alone costs (its handler runs one trivial store query).

use crate::client::Api;
use crate::data;
use crate::load::{self, LoadOutcome, spread};

pub struct Lookups {
    pub by_id: LoadOutcome,
    pub by_user_data: LoadOutcome,
    pub healthz: LoadOutcome,
}

/// `project` holds `records` records with ids from `first_id` on; the jtel contacts carry
/// the user data of `0..contacts`.
pub async fn run(
    api: &Api,
    (project, first_id): (i64, i64),
    records: usize,
    contacts: usize,
    connections: usize,
    per_connection: usize,
) -> Result<Lookups, String> {
    let by_id = load::run(api, connections, per_connection, move |k| {
        format!(
            "/v2/projects/{project}/records/{}",
            first_id + spread(k, records) as i64
        )
    })
    .await?;
    let by_user_data = load::run(api, connections, per_connection, move |k| {
        format!(
            "/dialler/contacts/contact?userData={}",
            data::user_data(spread(k, contacts))
        )
    })
    .await?;
    let healthz = load::run(&api.root(), connections, per_connection, |_| "/healthz".to_string()).await?;
    Ok(Lookups {
        by_id,
        by_user_data,
        healthz,
    })
}
