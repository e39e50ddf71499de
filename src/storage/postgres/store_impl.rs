//! The `Store` trait over the PostgreSQL functions of the sibling modules. Each call
//! hands its arguments and an async unit of work to the transaction runner, which may
//! run the work more than once (see [`PostgresStore::write`]).

use super::fields::{self, change_schema, current_schema, project};
use super::records_write::{insert_records, update_records};
use super::{PostgresStore, contact_book, dialler, records_read, rules, tenants};
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
impl TenantStore for PostgresStore {
    async fn ensure_tenant(&self, name: &str) -> Result<TenantId, StoreError> {
        self.write(name, |tx, name| Box::pin(tenants::ensure_tenant(tx, name)))
            .await
    }

    async fn list_tenants(&self) -> Result<Vec<(TenantId, String)>, StoreError> {
        self.read((), |tx, ()| Box::pin(tenants::list_tenants(tx))).await
    }

    async fn put_api_user(
        &self,
        tenant: TenantId,
        user: &str,
        key_hash: &str,
        replace: bool,
    ) -> Result<bool, StoreError> {
        self.write((user, key_hash), |tx, (user, key_hash)| {
            Box::pin(tenants::put_api_user(tx, tenant, user, key_hash, replace))
        })
        .await
    }

    async fn authenticate(&self, tenant: &str, user: &str, key_hash: &str) -> Result<Option<TenantId>, StoreError> {
        self.read((tenant, user, key_hash), |tx, (tenant, user, key_hash)| {
            Box::pin(tenants::authenticate(tx, tenant, user, key_hash))
        })
        .await
    }
}

#[async_trait]
impl SchemaStore for PostgresStore {
    async fn create_project(&self, tenant: TenantId, name: &str) -> Result<i64, StoreError> {
        self.write(name, |tx, name| Box::pin(fields::create_project(tx, tenant, name)))
            .await
    }

    async fn list_projects(&self, tenant: TenantId) -> Result<Vec<Project>, StoreError> {
        self.read((), |tx, ()| Box::pin(fields::list_projects(tx, tenant)))
            .await
    }

    async fn project_schema(&self, tenant: TenantId, project_id: i64) -> Result<(Project, ProjectSchema), StoreError> {
        self.read((), |tx, ()| {
            Box::pin(async move {
                let found = project(tx, tenant, project_id).await?;
                Ok((found, current_schema(tx, tenant, project_id).await?.as_ref().clone()))
            })
        })
        .await
    }

    async fn add_field(&self, tenant: TenantId, project_id: i64, spec: FieldSpec) -> Result<i64, StoreError> {
        self.write(spec, |tx, spec| {
            Box::pin(async move {
                change_schema(tx, tenant, project_id).await?;
                fields::add_field(tx, tenant, project_id, spec).await
            })
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
        self.write(values, |tx, values| {
            Box::pin(async move {
                change_schema(tx, tenant, project_id).await?;
                fields::field(tx, tenant, project_id, field).await?;
                fields::add_values(tx, tenant, field, values).await
            })
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
        self.write(values, |tx, values| {
            Box::pin(async move {
                change_schema(tx, tenant, project_id).await?;
                fields::modify_values(tx, tenant, project_id, field, values).await
            })
        })
        .await
    }

    async fn delete_value(&self, tenant: TenantId, project_id: i64, field: i64, value: i64) -> Result<(), StoreError> {
        self.write((), |tx, ()| {
            Box::pin(async move {
                change_schema(tx, tenant, project_id).await?;
                fields::delete_value(tx, tenant, project_id, field, value).await
            })
        })
        .await
    }
}

#[async_trait]
impl RecordStore for PostgresStore {
    async fn insert_records(
        &self,
        tenant: TenantId,
        project_id: i64,
        records: Vec<RecordWrite>,
    ) -> Result<Vec<ItemResult<i64>>, StoreError> {
        self.write(records, |tx, records| {
            Box::pin(insert_records(tx, tenant, project_id, records))
        })
        .await
    }

    async fn update_records(
        &self,
        tenant: TenantId,
        project_id: i64,
        updates: Vec<RecordUpdate>,
    ) -> Result<Vec<ItemResult<u64>>, StoreError> {
        self.write(updates, |tx, updates| {
            Box::pin(update_records(tx, tenant, project_id, updates))
        })
        .await
    }

    async fn get_record(&self, tenant: TenantId, project_id: i64, record: i64) -> Result<Record, StoreError> {
        self.read((), |tx, ()| {
            Box::pin(records_read::get_record(tx, tenant, project_id, record))
        })
        .await
    }

    async fn list_records(
        &self,
        tenant: TenantId,
        project_id: i64,
        query: RecordQuery,
    ) -> Result<(Vec<Record>, u64), StoreError> {
        self.read(query, |tx, query| {
            Box::pin(async move {
                project(tx, tenant, project_id).await?;
                records_read::list_records(tx, tenant, project_id, query).await
            })
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
        self.read((), |tx, ()| {
            Box::pin(async move {
                project(tx, tenant, project_id).await?;
                records_read::records_after(tx, tenant, project_id, after, limit).await
            })
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
        self.write(contact, |tx, contact| {
            Box::pin(async move {
                let schema = current_schema(tx, tenant, project_id).await?;
                let update = contact_update(&schema, record, contact.clone())?;
                Ok(single_update_outcome(
                    update_records(tx, tenant, project_id, &[update]).await?,
                )?)
            })
        })
        .await
    }

    async fn find_records(&self, tenant: TenantId, key: RecordKey) -> Result<Vec<Record>, StoreError> {
        self.read(key, |tx, key| Box::pin(dialler::find_records(tx, tenant, key)))
            .await
    }

    async fn delete_record(&self, tenant: TenantId, key: RecordKey) -> Result<i64, StoreError> {
        self.write(key, |tx, key| Box::pin(dialler::delete_record(tx, tenant, key)))
            .await
    }

    async fn set_locked(&self, tenant: TenantId, key: RecordKey, locked: bool) -> Result<i64, StoreError> {
        self.write(key, |tx, key| Box::pin(dialler::set_locked(tx, tenant, key, locked)))
            .await
    }
}

#[async_trait]
impl DialingStore for PostgresStore {
    async fn claim_next(
        &self,
        tenant: TenantId,
        project_id: i64,
        owner: &str,
        lease_seconds: u32,
    ) -> Result<Option<Record>, StoreError> {
        self.write(owner, |tx, owner| {
            Box::pin(dialler::claim_next(tx, tenant, project_id, owner, lease_seconds))
        })
        .await
    }

    async fn release_claim(
        &self,
        tenant: TenantId,
        record: i64,
        owner: &str,
        result: Option<Disposition>,
    ) -> Result<Record, StoreError> {
        self.write((owner, result), |tx, (owner, result)| {
            Box::pin(dialler::release_claim(tx, tenant, record, owner, result.as_ref()))
        })
        .await
    }
}

#[async_trait]
impl DncStore for PostgresStore {
    async fn add_robinson(&self, tenant: TenantId, phones: Vec<String>) -> Result<(), StoreError> {
        self.write(phones, |tx, phones| Box::pin(tenants::add_robinson(tx, tenant, phones)))
            .await
    }

    async fn delete_robinson(&self, tenant: TenantId, phone: &str) -> Result<bool, StoreError> {
        self.write(phone, |tx, phone| Box::pin(tenants::delete_robinson(tx, tenant, phone)))
            .await
    }
}

#[async_trait]
impl ContactBookStore for PostgresStore {
    async fn write_contacts(&self, tenant: TenantId, mode: Mode, request: ContactsRequest) -> Result<(), StoreError> {
        self.write(request, |tx, request| {
            Box::pin(contact_book::write_contacts(tx, tenant, mode, request))
        })
        .await
    }

    async fn delete_contacts(
        &self,
        tenant: TenantId,
        contact_ids: Vec<String>,
        rm_rules: bool,
    ) -> Result<(), StoreError> {
        self.write(contact_ids, |tx, contact_ids| {
            Box::pin(contact_book::delete_contacts(tx, tenant, contact_ids, rm_rules))
        })
        .await
    }

    async fn list_contacts(
        &self,
        tenant: TenantId,
        query: ContactQuery,
    ) -> Result<(Vec<ContactView>, u64), StoreError> {
        self.read(query, |tx, query| {
            Box::pin(contact_book::list_contacts(tx, tenant, query))
        })
        .await
    }

    async fn create_rule_templates(
        &self,
        tenant: TenantId,
        templates: Vec<RuleTemplateInput>,
    ) -> Result<(), StoreError> {
        self.write(templates, |tx, templates| {
            Box::pin(rules::create_rule_templates(tx, tenant, templates))
        })
        .await
    }

    async fn list_rule_templates(&self, tenant: TenantId) -> Result<Vec<RuleTemplateView>, StoreError> {
        self.read((), |tx, ()| Box::pin(rules::list_rule_templates(tx, tenant)))
            .await
    }
}
