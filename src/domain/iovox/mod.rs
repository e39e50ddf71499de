//! The iovox Contacts API v3 as Dialbase emulates it: the request model,
//! error texts, validation, countries and the contact book's rules.
//! Pure: no I/O, no database, no HTTP. The wire format (the XML reader and
//! writer, query strings) is `http::iovox`'s.
//!
//! Typical updateContacts / addContacts flow for the caller:
//! 1. check `v` and the HTTP method ([`IovoxError::api_version_empty`],
//!    [`IovoxError::request_method`], ...);
//! 2. parse the (size-capped) body into a [`ContactsRequest`];
//! 3. prefetch what [`ContactLookup`] needs from the database in one go;
//! 4. [`validate_contacts`] (its module doc lists the full precedence);
//! 5. persist [`normalized_details`], merging list details with
//!    [`updated_list`]; with rm_rules TRUE, drop the Rule Templates that
//!    use the [`emptied_details`].
//!
//! Steps 3-5 for the contact book are [`book`]'s snapshot and plan, shared
//! by the storage backends.

pub mod book;
mod combination;
mod countries;
mod countries_list;
mod detail;
mod error;
mod list_update;
mod listing;
mod names;
mod normalize;
mod phone;
mod query;
mod request;
mod rules;
mod validate;

#[cfg(test)]
pub(crate) mod tests;

pub use countries::{Country, countries, country_by_iso2, country_by_name};
pub use detail::Detail;
pub use error::IovoxError;
pub use list_update::updated_list;
pub use listing::{ContactField, ContactOrder, assigned_status};
pub use names::is_valid_person_name;
pub use normalize::normalized_details;
pub use phone::{guess_country_from_phone, is_internationalised, phone_digits};
pub use query::{ContactQuery, ContactView, DeleteTarget, MAX_LIMIT, validate_delete};
pub use request::{ContactInput, ContactsRequest, emptied_details, phone_numbers};
pub use rules::{
    LinkInput, RuleTargetInput, RuleTemplateInput, RuleTemplatePlan, RuleTemplateView, plan_rule_templates,
    referenced_contact_ids,
};
pub use validate::{ContactLookup, Mode, StoredContact, validate_contacts};
