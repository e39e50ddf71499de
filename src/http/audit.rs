//! The audit log's writer, shared by every dialect: handlers append a line once their
//! action succeeded. The log is read through Dialbase's own API (`dialbase::audit`).

use crate::domain::audit::NewAuditEntry;
use crate::http::AppState;
use crate::storage::TenantId;

/// Appends a line after its action succeeded. The action stands whatever happens here: a
/// failure to record it is logged, not answered.
pub async fn append(state: &AppState, tenant: TenantId, entry: NewAuditEntry) {
    if let Err(error) = state.store.append_audit(tenant, entry).await {
        tracing::error!(%error, "could not write the audit log");
    }
}
