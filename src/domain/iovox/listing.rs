//! What a getContacts result shows (`req_fields`) and the order of a page
//! (`order`): the vendor's field abbreviations, and Dialbase's for the details
//! the vendor gives none.

use super::detail::Detail;

/// One field a getContacts result can show, in the order results show them
/// (the derived order: contact_id, the details in payload order, assigned_status).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContactField {
    ContactId,
    Detail(Detail),
    /// Whether a Rule or a Link uses one of the contact's details (Dialbase's
    /// reading: the vendor derives it from its routing, which Dialbase models
    /// only as Rule Templates).
    AssignedStatus,
}

impl ContactField {
    /// The vendor's default `req_fields`, `cid,dn,comp,em,bphone,as`, in result order.
    pub const VENDOR_DEFAULT: [ContactField; 6] = [
        ContactField::ContactId,
        ContactField::Detail(Detail::DisplayName),
        ContactField::Detail(Detail::Email),
        ContactField::Detail(Detail::Company),
        ContactField::Detail(Detail::BusinessPhone),
        ContactField::AssignedStatus,
    ];

    /// Every field, in result order.
    pub fn all() -> impl Iterator<Item = ContactField> {
        std::iter::once(ContactField::ContactId)
            .chain(Detail::ALL.into_iter().map(ContactField::Detail))
            .chain(std::iter::once(ContactField::AssignedStatus))
    }

    /// The abbreviation `req_fields` and `order` use. The vendor documents
    /// `cid`, `dn`, `comp`, `em`, `bphone` and `as`; the others are Dialbase's.
    pub fn abbreviation(self) -> &'static str {
        match self {
            ContactField::ContactId => "cid",
            ContactField::AssignedStatus => "as",
            ContactField::Detail(detail) => match detail {
                Detail::DisplayName => "dn",
                Detail::FirstName => "fn",
                Detail::LastName => "ln",
                Detail::Email => "em",
                Detail::Email2 => "em2",
                Detail::Company => "comp",
                Detail::MobilePhone => "mphone",
                Detail::HomePhone => "hphone",
                Detail::BusinessPhone => "bphone",
                Detail::BusinessFax => "bfax",
                Detail::WorkAddress1 => "wadd1",
                Detail::WorkAddress2 => "wadd2",
                Detail::WorkCity => "wcity",
                Detail::WorkCountry => "wcountry",
                Detail::WorkPostcode => "wpc",
                Detail::HomeAddress1 => "hadd1",
                Detail::HomeAddress2 => "hadd2",
                Detail::HomeCity => "hcity",
                Detail::HomeCountry => "hcountry",
                Detail::HomePostcode => "hpc",
                Detail::BusinessCountry => "bcountry",
                Detail::Notes => "notes",
            },
        }
    }

    /// The element (XML) or key (JSON) the field is shown under.
    pub fn element_name(self) -> &'static str {
        match self {
            ContactField::ContactId => "contact_id",
            ContactField::AssignedStatus => "assigned_status",
            ContactField::Detail(detail) => detail.element_name(),
        }
    }

    /// An abbreviation, or the element name itself, ASCII case ignored.
    pub fn parse(text: &str) -> Option<ContactField> {
        ContactField::all().find(|field| {
            field.abbreviation().eq_ignore_ascii_case(text) || field.element_name().eq_ignore_ascii_case(text)
        })
    }
}

/// The text `assigned_status` shows.
pub fn assigned_status(assigned: bool) -> &'static str {
    if assigned { "ASSIGNED" } else { "UNASSIGNED" }
}

/// A page's order: one field, ascending or descending. Contacts without the
/// field sort as if it were empty; ties keep creation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactOrder {
    pub field: ContactField,
    pub descending: bool,
}

impl ContactOrder {
    /// `<field>_ASC` or `<field>_DESC` (suffix in any case), the field as in
    /// [`ContactField::parse`].
    pub fn parse(text: &str) -> Option<ContactOrder> {
        let (field, direction) = text.rsplit_once('_')?;
        let descending = match direction {
            _ if direction.eq_ignore_ascii_case("ASC") => false,
            _ if direction.eq_ignore_ascii_case("DESC") => true,
            _ => return None,
        };
        let field = ContactField::parse(field)?;
        Some(ContactOrder { field, descending })
    }
}
