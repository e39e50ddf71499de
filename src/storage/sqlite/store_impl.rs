//! The `Store` trait over the SQLite functions of the sibling modules.

use super::fields::{self, project};
use super::records_write::{insert_records, update_records};
use super::{SqliteStore, contact_book, dialler, records_read, rules, tenants};
use crate::domain::iovox::{ContactQuery, ContactView, ContactsRequest, Mode, RuleTemplateInput, RuleTemplateView};
use crate::domain::record::{Contact, Disposition, Record, RecordWrite};
use crate::domain::schema::{FieldSpec, NewValue, ProjectSchema};
use crate::storage::shared::{contact_update, single_update_outcome};
use crate::storage::{
    ContactBookStore, DialingStore, DncStore, ItemResult, Project, RecordKey, RecordQuery, RecordStore, RecordUpdate,
    SchemaStore, StoreError, TenantId, TenantStore,
};
use async_trait::async_trait;

#[async_trait]
impl TenantStore for SqliteStore {
    async fn ensure_tenant(&self, name: &str) -> Result<TenantId, StoreError> {
        let name = name.to_string();
        self.write(move |tx, _| tenants::ensure_tenant(tx, &name)).await
    }

    async fn list_tenants(&self) -> Result<Vec<(TenantId, String)>, StoreError> {
        self.read(|tx, _| tenants::list_tenants(tx)).await
    }

    async fn put_api_user(
        &self,
        tenant: TenantId,
        user: &str,
        key_hash: &str,
        replace: bool,
    ) -> Result<bool, StoreError> {
        let (user, key_hash) = (user.to_string(), key_hash.to_string());
        self.write(move |tx, _| tenants::put_api_user(tx, tenant, &user, &key_hash, replace))
            .await
    }

    async fn authenticate(&self, tenant: &str, user: &str, key_hash: &str) -> Result<Option<TenantId>, StoreError> {
        let (tenant, user, key_hash) = (tenant.to_string(), user.to_string(), key_hash.to_string());
        self.read(move |tx, _| tenants::authenticate(tx, &tenant, &user, &key_hash))
            .await
    }
}

#[async_trait]
impl SchemaStore for SqliteStore {
    async fn create_project(&self, tenant: TenantId, name: &str) -> Result<i64, StoreError> {
        let name = name.to_string();
        self.write(move |tx, _| fields::create_project(tx, tenant, &name)).await
    }

    async fn list_projects(&self, tenant: TenantId) -> Result<Vec<Project>, StoreError> {
        self.read(move |tx, _| fields::list_projects(tx, tenant)).await
    }

    async fn project_schema(&self, tenant: TenantId, project_id: i64) -> Result<(Project, ProjectSchema), StoreError> {
        self.read(move |tx, _| Ok((project(tx, tenant, project_id)?, fields::load_schema(tx, project_id)?)))
            .await
    }

    async fn add_field(&self, tenant: TenantId, project_id: i64, spec: FieldSpec) -> Result<i64, StoreError> {
        self.write(move |tx, _| {
            project(tx, tenant, project_id)?;
            fields::add_field(tx, tenant, project_id, &spec)
        })
        .await
    }

    async fn add_values(
        &self,
        tenant: TenantId,
        project_id: i64,
        field: i64,
        values: Vec<NewValue>,
    ) -> Result<Vec<ItemResult<i64>>, StoreError> {
        self.write(move |tx, _| {
            project(tx, tenant, project_id)?;
            fields::field_kind(tx, project_id, field)?;
            fields::add_values(tx, project_id, field, &values)
        })
        .await
    }

    async fn modify_values(
        &self,
        tenant: TenantId,
        project_id: i64,
        field: i64,
        values: Vec<(i64, NewValue)>,
    ) -> Result<Vec<ItemResult<()>>, StoreError> {
        self.write(move |tx, _| {
            project(tx, tenant, project_id)?;
            fields::field_kind(tx, project_id, field)?;
            values
                .iter()
                .map(|(id, value)| fields::modify_value(tx, project_id, field, *id, value))
                .collect()
        })
        .await
    }

    async fn delete_value(&self, tenant: TenantId, project_id: i64, field: i64, value: i64) -> Result<(), StoreError> {
        self.write(move |tx, cache| {
            project(tx, tenant, project_id)?;
            fields::field_kind(tx, project_id, field)?;
            fields::delete_value(tx, cache, tenant, project_id, field, value)
        })
        .await
    }
}

#[async_trait]
impl RecordStore for SqliteStore {
    async fn insert_records(
        &self,
        tenant: TenantId,
        project_id: i64,
        records: Vec<RecordWrite>,
    ) -> Result<Vec<ItemResult<i64>>, StoreError> {
        self.write(move |tx, cache| {
            project(tx, tenant, project_id)?;
            insert_records(tx, cache, tenant, project_id, &records)
        })
        .await
    }

    async fn update_records(
        &self,
        tenant: TenantId,
        project_id: i64,
        updates: Vec<RecordUpdate>,
    ) -> Result<Vec<ItemResult<u64>>, StoreError> {
        self.write(move |tx, cache| {
            project(tx, tenant, project_id)?;
            update_records(tx, cache, tenant, project_id, &updates)
        })
        .await
    }

    async fn get_record(&self, tenant: TenantId, project_id: i64, record: i64) -> Result<Record, StoreError> {
        self.read(move |tx, cache| records_read::get_record(tx, cache, tenant, project_id, record))
            .await
    }

    async fn list_records(
        &self,
        tenant: TenantId,
        project_id: i64,
        query: RecordQuery,
    ) -> Result<(Vec<Record>, u64), StoreError> {
        self.read(move |tx, cache| {
            project(tx, tenant, project_id)?;
            records_read::list_records(tx, cache, tenant, project_id, &query)
        })
        .await
    }

    async fn records_after(
        &self,
        tenant: TenantId,
        project_id: i64,
        after: i64,
        limit: u64,
    ) -> Result<Vec<Record>, StoreError> {
        self.read(move |tx, cache| {
            project(tx, tenant, project_id)?;
            records_read::records_after(tx, cache, project_id, after, limit)
        })
        .await
    }

    async fn modify_contact(
        &self,
        tenant: TenantId,
        project_id: i64,
        record: i64,
        contact: Contact,
    ) -> Result<(), StoreError> {
        self.write(move |tx, cache| {
            project(tx, tenant, project_id)?;
            let update = contact_update(&*fields::schema(tx, cache, project_id)?, record, contact)?;
            single_update_outcome(update_records(tx, cache, tenant, project_id, &[update])?)
        })
        .await
    }

    async fn find_records(&self, tenant: TenantId, key: RecordKey) -> Result<Vec<Record>, StoreError> {
        self.read(move |tx, cache| dialler::find_records(tx, cache, tenant, &key))
            .await
    }

    async fn delete_record(&self, tenant: TenantId, key: RecordKey) -> Result<i64, StoreError> {
        self.write(move |tx, cache| dialler::delete_record(tx, cache, tenant, &key))
            .await
    }

    async fn set_locked(&self, tenant: TenantId, key: RecordKey, locked: bool) -> Result<i64, StoreError> {
        self.write(move |tx, _| dialler::set_locked(tx, tenant, &key, locked))
            .await
    }
}

#[async_trait]
impl DialingStore for SqliteStore {
    async fn claim_next(
        &self,
        tenant: TenantId,
        project_id: i64,
        owner: &str,
        lease_seconds: u32,
    ) -> Result<Option<Record>, StoreError> {
        let owner = owner.to_string();
        self.write(move |tx, cache| dialler::claim_next(tx, cache, tenant, project_id, &owner, lease_seconds))
            .await
    }

    async fn release_claim(
        &self,
        tenant: TenantId,
        record: i64,
        owner: &str,
        result: Option<Disposition>,
    ) -> Result<Record, StoreError> {
        let owner = owner.to_string();
        self.write(move |tx, cache| dialler::release_claim(tx, cache, tenant, record, &owner, result.as_ref()))
            .await
    }
}

#[async_trait]
impl DncStore for SqliteStore {
    async fn add_robinson(&self, tenant: TenantId, phones: Vec<String>) -> Result<(), StoreError> {
        self.write(move |tx, _| tenants::add_robinson(tx, tenant, &phones))
            .await
    }

    async fn delete_robinson(&self, tenant: TenantId, phone: &str) -> Result<bool, StoreError> {
        let phone = phone.to_string();
        self.write(move |tx, cache| tenants::delete_robinson(tx, cache, tenant, &phone))
            .await
    }
}

#[async_trait]
impl ContactBookStore for SqliteStore {
    async fn write_contacts(&self, tenant: TenantId, mode: Mode, request: ContactsRequest) -> Result<(), StoreError> {
        self.write(move |tx, cache| contact_book::write_contacts(tx, cache, tenant, mode, &request))
            .await
    }

    async fn delete_contacts(
        &self,
        tenant: TenantId,
        contact_ids: Vec<String>,
        rm_rules: bool,
    ) -> Result<(), StoreError> {
        self.write(move |tx, cache| contact_book::delete_contacts(tx, cache, tenant, &contact_ids, rm_rules))
            .await
    }

    async fn list_contacts(
        &self,
        tenant: TenantId,
        query: ContactQuery,
    ) -> Result<(Vec<ContactView>, u64), StoreError> {
        self.read(move |tx, cache| contact_book::list_contacts(tx, cache, tenant, &query))
            .await
    }

    async fn create_rule_templates(
        &self,
        tenant: TenantId,
        templates: Vec<RuleTemplateInput>,
    ) -> Result<(), StoreError> {
        self.write(move |tx, cache| rules::create_rule_templates(tx, cache, tenant, &templates))
            .await
    }

    async fn list_rule_templates(&self, tenant: TenantId) -> Result<Vec<RuleTemplateView>, StoreError> {
        self.read(move |tx, _| rules::list_rule_templates(tx, tenant)).await
    }
}
