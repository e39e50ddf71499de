//! Records: a project's contact entries (VCC Live's `numberid`, jtel's dialler contact,
//! an iovox contact), with their form values, numbered contact slots and dial state.

use super::ValidationError;
use super::calldate;
use super::contact::{normalize_phone, validate_email};
use super::resolve::FormValue;
use super::schema::{FieldKind, PHONE_FIELDS, phone_slot};

/// A contact slot as sent; which parts are mandatory depends on the call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactInput {
    pub title: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A validated contact of slot 1-9.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub slot: u8,
    pub title: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

pub fn parse_contact_slot(key: &str) -> Result<u8, ValidationError> {
    match key.trim().parse::<u8>() {
        Ok(slot @ 1..=9) => Ok(slot),
        _ => Err(ValidationError::new(
            "contact_not_exists",
            format!("contact '{key}' is not a slot from 1 to 9"),
        )),
    }
}

/// Validates a contact; `phone_required` is true when a contact is added (VCC Live's
/// "Add record" marks `phone` mandatory) and false when one is modified.
pub fn validate_contact(slot: u8, input: ContactInput, phone_required: bool) -> Result<Contact, ValidationError> {
    let phone = match input.phone.as_deref().map(str::trim) {
        Some(p) if !p.is_empty() => Some(normalize_phone(p)?),
        _ if phone_required => {
            return Err(ValidationError::new(
                "missing_contact_phone",
                format!("contact {slot} has no phone"),
            ));
        }
        _ => None,
    };
    if let Some(email) = input.email.as_deref().filter(|e| !e.is_empty()) {
        validate_email(email)?;
    }
    Ok(Contact {
        slot,
        title: input.title,
        name: input.name,
        phone,
        email: input.email,
    })
}

pub fn validate_phone_field(text: &str) -> Result<String, ValidationError> {
    match phone_slot(text) {
        Some(_) => Ok(text.to_string()),
        None => Err(ValidationError::new(
            "wrong_phone_field",
            format!("phone_field '{text}' is not one of phone1..phone9"),
        )),
    }
}

/// Agent and call-centre commissions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Premium {
    pub price: Option<String>,
    pub commission: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disposition {
    pub disposition_id: i64,
    pub user_id: String,
    pub next_calldate: Option<String>,
    pub description: Option<String>,
    pub send_messages: bool,
}

pub fn validate_disposition(
    disposition_id: Option<i64>,
    user_id: Option<String>,
    next_calldate: Option<&str>,
    send_messages: bool,
) -> Result<Disposition, ValidationError> {
    let disposition_id = disposition_id
        .filter(|id| *id > 0)
        .ok_or_else(|| ValidationError::new("wrong_dispositionid", "dispositionid must be a positive integer"))?;
    let user_id = user_id
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| ValidationError::new("missing_userid", "userid is mandatory"))?;
    let next_calldate = next_calldate.map(calldate::parse).transpose()?;
    Ok(Disposition {
        disposition_id,
        user_id,
        next_calldate,
        description: None,
        send_messages,
    })
}

/// A validated write of one record. On insert, `None` means empty; on update, it
/// means "leave as it is" (and contacts replace only the slots they name). The form
/// is resolved against the project's schema inside the storing transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordWrite {
    pub form: Vec<(String, FormValue)>,
    pub contacts: Vec<Contact>,
    pub phone_field: Option<String>,
    pub next_calldate: Option<String>,
    pub premium: Option<Premium>,
    pub disposition: Option<Disposition>,
    pub user_data: Option<String>,
}

impl RecordWrite {
    /// A disposition's call-back date outranks the record's own (VCC Live "Add record").
    pub fn effective_next_calldate(&self) -> Option<&str> {
        self.disposition
            .as_ref()
            .and_then(|d| d.next_calldate.as_deref())
            .or(self.next_calldate.as_deref())
    }
}

impl RecordWrite {
    /// Rejects NUL characters anywhere in the write: PostgreSQL's TEXT cannot hold them,
    /// and both backends must accept the same records.
    pub fn check_storable_text(&self) -> Result<(), ValidationError> {
        let has_nul = |text: &str| text.as_bytes().contains(&0);
        let value_has_nul = |value: &FormValue| match value {
            FormValue::Text(text) | FormValue::Number(text) => has_nul(text),
            FormValue::Items(items) => items.iter().any(|item| has_nul(item.text())),
            FormValue::List(items) | FormValue::Values(items) => items.iter().any(|text| has_nul(text)),
            FormValue::Clear => false,
        };
        let form = self
            .form
            .iter()
            .any(|(name, value)| has_nul(name) || value_has_nul(value));
        let contacts = self
            .contacts
            .iter()
            .flat_map(|c| [&c.title, &c.name, &c.phone, &c.email].into_iter().flatten());
        let premium = self
            .premium
            .iter()
            .flat_map(|p| [&p.price, &p.commission].into_iter().flatten());
        let disposition = self
            .disposition
            .iter()
            .flat_map(|d| std::iter::once(&d.user_id).chain(&d.description));
        let fields = [&self.phone_field, &self.next_calldate, &self.user_data]
            .into_iter()
            .flatten();
        if form
            || contacts
                .chain(premium)
                .chain(disposition)
                .chain(fields)
                .any(|text| has_nul(text))
        {
            return Err(ValidationError::new(
                "invalid_character",
                "text must not contain NUL characters",
            ));
        }
        Ok(())
    }

    /// A contact's phone is also the record's `phoneN` field (VCC Live keys contacts by
    /// phone field), so the dialer and the Robinson check see one set of numbers.
    /// An explicit `phoneN` in the form wins.
    pub fn mirror_contact_phones(&mut self) {
        for contact in &self.contacts {
            let field = format!("phone{}", contact.slot);
            if let Some(phone) = &contact.phone
                && !self.form.iter().any(|(name, _)| *name == field)
            {
                self.form.push((field, FormValue::Text(phone.clone())));
            }
        }
    }
}

/// One stored value of a field of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredValue {
    pub text: String,
    pub value_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormEntry {
    pub field_id: i64,
    pub name: String,
    pub kind: FieldKind,
    pub values: Vec<StoredValue>,
}

impl FormEntry {
    /// The field's text: several values joined by `|`.
    pub fn text(&self) -> String {
        match self.values.as_slice() {
            [one] => one.text.clone(),
            many => many.iter().map(|v| v.text.as_str()).collect::<Vec<_>>().join("|"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispositionEntry {
    pub disposition_id: i64,
    pub user_id: String,
    pub next_calldate: Option<String>,
    pub description: Option<String>,
    pub created_at: String,
}

/// A record as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub id: i64,
    pub project_id: i64,
    pub user_data: Option<String>,
    pub phone_field: Option<String>,
    pub next_calldate: Option<String>,
    pub premium: Premium,
    /// A locked record is never handed to a dialer (jtel's lock / unlock).
    pub locked: bool,
    /// The dialer holding the record, until `claim_expires_at` (its lease) has passed.
    pub claimed_by: Option<String>,
    pub claim_expires_at: Option<String>,
    /// Set when a dialer released the record without a call-back: it is not dialled again
    /// until a write gives it a `next_calldate`.
    pub done_at: Option<String>,
    /// Releases that reported a call result.
    pub attempts: i64,
    /// One of its numbers is on the tenant's Robinson (do-not-call) list.
    pub robinson: bool,
    pub form: Vec<FormEntry>,
    pub contacts: Vec<Contact>,
    pub dispositions: Vec<DispositionEntry>,
    pub created_at: String,
    pub updated_at: String,
}

impl Record {
    pub fn form_text(&self, name: &str) -> Option<String> {
        self.form.iter().find(|e| e.name == name).map(FormEntry::text)
    }

    /// The dialer holding the record at `now`: a lease lasts through its expiry second.
    pub fn claimant(&self, now: &str) -> Option<&str> {
        let leased = self.claim_expires_at.as_deref().is_some_and(|end| end >= now);
        self.claimed_by.as_deref().filter(|_| leased)
    }

    /// The number to dial: the `phone_field` one when it holds a number, else the first of
    /// `phone1`..`phone9` that does.
    pub fn dial_number(&self) -> Option<String> {
        let number = |field: &str| self.form_text(field).filter(|n| !n.is_empty());
        self.phone_field
            .as_deref()
            .and_then(number)
            .or_else(|| PHONE_FIELDS.iter().find_map(|field| number(field)))
    }
}

/// Records and form entries for tests, built in one place.
#[cfg(test)]
impl Record {
    /// A record with only its ids set: a test sets what it looks at.
    pub fn blank(id: i64, project_id: i64) -> Self {
        Self {
            id,
            project_id,
            user_data: None,
            phone_field: None,
            next_calldate: None,
            premium: Premium::default(),
            locked: false,
            claimed_by: None,
            claim_expires_at: None,
            done_at: None,
            attempts: 0,
            robinson: false,
            form: Vec::new(),
            contacts: Vec::new(),
            dispositions: Vec::new(),
            created_at: String::new(),
            updated_at: String::new(),
        }
    }
}

#[cfg(test)]
impl FormEntry {
    /// A text field's entry holding these texts.
    pub fn of_texts(field_id: i64, name: &str, texts: &[&str]) -> Self {
        Self {
            field_id,
            name: name.into(),
            kind: super::schema::FieldKind::Text,
            values: texts
                .iter()
                .map(|text| StoredValue {
                    text: text.to_string(),
                    value_id: None,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_slots_are_1_to_9() {
        assert_eq!(parse_contact_slot("4").unwrap(), 4);
        for bad in ["0", "10", "x", "-1"] {
            assert_eq!(parse_contact_slot(bad).unwrap_err().code, "contact_not_exists");
        }
    }

    #[test]
    fn added_contacts_need_a_phone_and_a_valid_email() {
        let input = ContactInput {
            email: Some("peter.green@gmail.com".into()),
            ..Default::default()
        };
        assert_eq!(
            validate_contact(1, input.clone(), true).unwrap_err().code,
            "missing_contact_phone"
        );
        assert!(validate_contact(1, input, false).is_ok());
        let bad_email = ContactInput {
            phone: Some("3619997400".into()),
            email: Some("nope".into()),
            ..Default::default()
        };
        assert_eq!(
            validate_contact(2, bad_email, true).unwrap_err().code,
            "wrong_email_format"
        );
    }

    #[test]
    fn disposition_date_overrides_the_record_date() {
        let disposition = validate_disposition(Some(1), Some("7".into()), Some("2015-07-20 10:26:55"), false).unwrap();
        let write = RecordWrite {
            next_calldate: Some("2020-11-11 11:11:11".into()),
            disposition: Some(disposition),
            ..Default::default()
        };
        assert_eq!(write.effective_next_calldate(), Some("2015-07-20 10:26:55"));
    }

    #[test]
    fn disposition_needs_id_and_user() {
        assert_eq!(
            validate_disposition(None, Some("7".into()), None, false)
                .unwrap_err()
                .code,
            "wrong_dispositionid"
        );
        assert_eq!(
            validate_disposition(Some(1), Some(" ".into()), None, false)
                .unwrap_err()
                .code,
            "missing_userid"
        );
        assert_eq!(
            validate_disposition(Some(1), Some("7".into()), Some("2015-02-31 00:00:00"), false)
                .unwrap_err()
                .code,
            "wrong_date_format"
        );
    }

    #[test]
    fn contact_phones_become_phone_fields_unless_set() {
        let contact = |slot, phone: &str| Contact {
            slot,
            title: None,
            name: None,
            phone: Some(phone.into()),
            email: None,
        };
        let mut write = RecordWrite {
            form: vec![("phone4".into(), FormValue::Text("111".into()))],
            contacts: vec![contact(1, "3619997400"), contact(4, "3619996400")],
            ..Default::default()
        };
        write.mirror_contact_phones();
        assert_eq!(
            write.form,
            vec![
                ("phone4".to_string(), FormValue::Text("111".into())),
                ("phone1".to_string(), FormValue::Text("3619997400".into())),
            ]
        );
    }

    #[test]
    fn nul_characters_are_rejected_wherever_they_are() {
        let clean = RecordWrite {
            form: vec![("name".into(), FormValue::List(vec!["a".into(), "b".into()]))],
            user_data: Some("x".into()),
            ..Default::default()
        };
        assert!(clean.check_storable_text().is_ok());
        let in_list = RecordWrite {
            form: vec![("name".into(), FormValue::List(vec!["a".into(), "b\0".into()]))],
            ..Default::default()
        };
        assert_eq!(in_list.check_storable_text().unwrap_err().code, "invalid_character");
        let in_user_data = RecordWrite {
            user_data: Some("\0".into()),
            ..clean
        };
        assert_eq!(
            in_user_data.check_storable_text().unwrap_err().code,
            "invalid_character"
        );
    }

    #[test]
    fn phone_field_names_a_phone_slot() {
        assert!(validate_phone_field("phone4").is_ok());
        assert_eq!(validate_phone_field("mobile").unwrap_err().code, "wrong_phone_field");
    }

    #[test]
    fn dial_number_and_claimant() {
        let entry = |name: &str, text: &str| FormEntry::of_texts(0, name, &[text]);
        let mut record = Record {
            form: vec![entry("name", "Peter"), entry("phone3", "333"), entry("phone4", "444")],
            ..Record::blank(1, 1)
        };
        assert_eq!(record.dial_number().as_deref(), Some("333"));
        record.phone_field = Some("phone4".into());
        assert_eq!(record.dial_number().as_deref(), Some("444"));
        record.phone_field = Some("phone9".into());
        assert_eq!(
            record.dial_number().as_deref(),
            Some("333"),
            "an empty phone_field falls back"
        );
        record.claimed_by = Some("dialer-1".into());
        record.claim_expires_at = Some("2030-01-01 10:00:00".into());
        assert_eq!(record.claimant("2030-01-01 10:00:00"), Some("dialer-1"));
        assert_eq!(record.claimant("2030-01-01 10:00:01"), None, "the lease has ended");
    }
}
