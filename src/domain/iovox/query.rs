//! What getContacts, getContactDetails and deleteContacts ask for, once their
//! query strings are parsed (`http::iovox::query`), and what they answer.

use super::detail::Detail;
use super::error::IovoxError;
use super::listing::{ContactField, ContactOrder};

/// Vendor: "Maximum here is 20000", also the default.
pub const MAX_LIMIT: u32 = 20_000;

/// A page of contacts matching every given filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactQuery {
    pub contact_id: Option<String>,
    /// Contacts whose display name contains this text.
    pub display_name: Option<String>,
    pub company: Option<String>,
    /// Digits without '+'; matches any of the four phone details.
    pub phone_number: Option<String>,
    /// Matches `email` or `email_2`.
    pub email: Option<String>,
    /// 1-based.
    pub page: u32,
    pub limit: u32,
    /// Only contacts changed at or after this time (Unix seconds): Dialbase's incremental read.
    pub updated_since: Option<i64>,
    /// What each result shows, sorted and without repeats (getContactDetails: every
    /// detail). A storage loads only these, so a page of 20,000 holds no more.
    pub fields: Vec<ContactField>,
    /// `None`: creation order.
    pub order: Option<ContactOrder>,
}

impl ContactQuery {
    /// getContacts' defaults: the first page of 20,000, the vendor's default fields,
    /// creation order, no filter.
    pub fn new() -> Self {
        ContactQuery {
            contact_id: None,
            display_name: None,
            company: None,
            phone_number: None,
            email: None,
            page: 1,
            limit: MAX_LIMIT,
            updated_since: None,
            fields: ContactField::VENDOR_DEFAULT.to_vec(),
            order: None,
        }
    }

    pub fn offset(&self) -> u64 {
        u64::from(self.page.saturating_sub(1)) * u64::from(self.limit)
    }

    pub fn shows(&self, field: ContactField) -> bool {
        self.fields.contains(&field)
    }

    /// A stored contact as this query shows it: only the requested details.
    pub fn view(&self, contact_id: String, details: Vec<(Detail, String)>, assigned: bool) -> ContactView {
        let details = details
            .into_iter()
            .filter(|(detail, _)| self.shows(ContactField::Detail(*detail)))
            .collect();
        ContactView {
            contact_id,
            details,
            assigned,
        }
    }

    /// Whether the storage must find out which contacts Rules use.
    pub fn needs_assigned_status(&self) -> bool {
        self.shows(ContactField::AssignedStatus)
            || self
                .order
                .is_some_and(|order| order.field == ContactField::AssignedStatus)
    }
}

impl Default for ContactQuery {
    fn default() -> Self {
        Self::new()
    }
}

/// One contact as getContacts returns it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactView {
    pub contact_id: String,
    /// Multi-valued details may repeat; each becomes its own element.
    pub details: Vec<(Detail, String)>,
    /// Whether a Rule or a Link uses one of its details (`assigned_status`).
    pub assigned: bool,
}

/// What deleteContacts needs to know of one requested id: `None` when no
/// such contact exists, else its record and whether Rules use its details.
pub type DeleteTarget = Option<(i64, bool)>;

/// deleteContacts' checks, item by item ("Contact ID x of y does not exist",
/// then "Contact x of y is used in Rules or Rule Templates" unless rm_rules);
/// returns the records to delete.
pub fn validate_delete(targets: &[DeleteTarget], rm_rules: bool) -> Result<Vec<i64>, IovoxError> {
    let total = targets.len();
    let mut records = Vec::with_capacity(total);
    for (index, target) in targets.iter().enumerate() {
        let item = index + 1;
        let (record, used) = target.ok_or_else(|| IovoxError::contact_id_not_found(item, total))?;
        if used && !rm_rules {
            return Err(IovoxError::contact_used_in_rules(item, total));
        }
        records.push(record);
    }
    Ok(records)
}
