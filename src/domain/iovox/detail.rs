//! The contact details (XML elements) of the Contacts API.

/// One detail of a contact, named after its XML element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Detail {
    DisplayName,
    FirstName,
    LastName,
    Email,
    Email2,
    Company,
    MobilePhone,
    HomePhone,
    BusinessPhone,
    BusinessFax,
    WorkAddress1,
    WorkAddress2,
    WorkCity,
    WorkCountry,
    WorkPostcode,
    HomeAddress1,
    HomeAddress2,
    HomeCity,
    HomeCountry,
    HomePostcode,
    BusinessCountry,
    Notes,
}

impl Detail {
    /// Every detail, in the order of the vendor's payload example (which is
    /// also the order Dialbase writes them back).
    pub const ALL: [Detail; 22] = [
        Detail::DisplayName,
        Detail::FirstName,
        Detail::LastName,
        Detail::Email,
        Detail::Email2,
        Detail::Company,
        Detail::MobilePhone,
        Detail::HomePhone,
        Detail::BusinessPhone,
        Detail::BusinessFax,
        Detail::WorkAddress1,
        Detail::WorkAddress2,
        Detail::WorkCity,
        Detail::WorkCountry,
        Detail::WorkPostcode,
        Detail::HomeAddress1,
        Detail::HomeAddress2,
        Detail::HomeCity,
        Detail::HomeCountry,
        Detail::HomePostcode,
        Detail::BusinessCountry,
        Detail::Notes,
    ];

    /// Phone details in the order the vendor's error table checks them.
    pub const PHONES: [Detail; 4] = [
        Detail::HomePhone,
        Detail::BusinessPhone,
        Detail::BusinessFax,
        Detail::MobilePhone,
    ];

    pub fn element_name(&self) -> &'static str {
        match self {
            Detail::DisplayName => "display_name",
            Detail::FirstName => "first_name",
            Detail::LastName => "last_name",
            Detail::Email => "email",
            Detail::Email2 => "email_2",
            Detail::Company => "company",
            Detail::MobilePhone => "mobile_phone",
            Detail::HomePhone => "home_phone",
            Detail::BusinessPhone => "business_phone",
            Detail::BusinessFax => "business_fax",
            Detail::WorkAddress1 => "work_address_1",
            Detail::WorkAddress2 => "work_address_2",
            Detail::WorkCity => "work_city",
            Detail::WorkCountry => "work_country",
            Detail::WorkPostcode => "work_postcode",
            Detail::HomeAddress1 => "home_address_1",
            Detail::HomeAddress2 => "home_address_2",
            Detail::HomeCity => "home_city",
            Detail::HomeCountry => "home_country",
            Detail::HomePostcode => "home_postcode",
            Detail::BusinessCountry => "business_country",
            Detail::Notes => "notes",
        }
    }

    /// The stored field that holds this detail: a canonical contact field (`display_name`
    /// is `name`, `home_city` is `city`, `mobile_phone` is `phone1`, ...) or, for a detail
    /// outside the canonical model, the field of its element's name.
    pub fn field(&self) -> &'static str {
        crate::domain::canonical::iovox_field(*self)
    }

    /// Exact, case-sensitive match: XML element names are case-sensitive.
    pub fn from_element(name: &str) -> Option<Detail> {
        Detail::ALL.into_iter().find(|d| d.element_name() == name)
    }

    /// The wording the vendor's error texts use ("Home Phone 1 of 2 ...").
    pub fn label(&self) -> &'static str {
        match self {
            Detail::DisplayName => "Display Name",
            Detail::FirstName => "First Name",
            Detail::LastName => "Last Name",
            Detail::Email => "Email",
            Detail::Email2 => "Email 2",
            Detail::Company => "Company",
            Detail::MobilePhone => "Mobile Phone",
            Detail::HomePhone => "Home Phone",
            Detail::BusinessPhone => "Business Phone",
            Detail::BusinessFax => "Business Fax",
            Detail::WorkAddress1 => "Work Address 1",
            Detail::WorkAddress2 => "Work Address 2",
            Detail::WorkCity => "Work City",
            Detail::WorkCountry => "Work Country",
            Detail::WorkPostcode => "Work Postcode",
            Detail::HomeAddress1 => "Home Address 1",
            Detail::HomeAddress2 => "Home Address 2",
            Detail::HomeCity => "Home City",
            Detail::HomeCountry => "Home Country",
            Detail::HomePostcode => "Home Postcode",
            Detail::BusinessCountry => "Business Country",
            Detail::Notes => "Notes",
        }
    }

    /// Details a contact may send several times. The vendor documents
    /// "multiple business_phones" and a `replace_details` flag for such
    /// lists; Dialbase treats all four phone details and `email` as lists
    /// (`email_2` stays a single extra slot). Every other detail may appear
    /// at most once per `<contact>`.
    pub fn is_multi_valued(&self) -> bool {
        self.is_phone() || *self == Detail::Email
    }

    pub fn is_phone(&self) -> bool {
        Detail::PHONES.contains(self)
    }
}

/// The values of `detail` among (detail, value) pairs, in their order.
pub fn values_of(details: &[(Detail, String)], detail: Detail) -> Vec<String> {
    details
        .iter()
        .filter(|(d, _)| *d == detail)
        .map(|(_, value)| value.clone())
        .collect()
}
