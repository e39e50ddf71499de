//! Every JSON operation of the APIs, described once: method, path (as the router spells it,
//! below `/{customer}`), dialect, summary, and an example body for requests and answers.
//! `tests/it/openapi.rs` fails when a JSON route of the router is missing here.

/// Which API an operation belongs to: a tag of the document, with its error format.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Api {
    Vcc,
    Jtel,
    Dialbase,
}

pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub api: Api,
    pub summary: &'static str,
    /// Query parameters: (name, description).
    pub query: &'static [(&'static str, &'static str)],
    /// An example request body (JSON), if the operation takes one.
    pub request: Option<&'static str>,
    /// An example successful answer (JSON, or CSV/NDJSON text for the export).
    pub response: &'static str,
}

const fn op(method: &'static str, path: &'static str, api: Api, summary: &'static str) -> Operation {
    Operation {
        method,
        path,
        api,
        summary,
        query: &[],
        request: None,
        response: r#"{"errors":[],"response":true}"#,
    }
}

const VCC_OK: &str = r#"{"errors":[],"response":true}"#;
const JTEL_OK: &str = r#"{"status":200}"#;
const RECORD: &str = r#"{"form":{"name":"Peter Green","likes":"sports|movies"},"contacts":{"1":{"phone":"3619997400"}},"user_data":"crm-42","next_calldate":"2026-01-05 09:00:00"}"#;
const CONTACT: &str =
    r#"{"DiallerCampaignsID":1,"UserData":"crm-42","PhoneNumber1":"3619997400","Company":"Green Ltd"}"#;
const IMPORTED: &str = r#"{"DiallerCampaignsID":1,"UserData":"crm-42","Name":"Green","FirstName":"Peter","PhoneNumber1":"+36 1 999 7400"}"#;
const JTEL_LIST: &str = r#"{"filter":"","limitStart":0,"limitPageSize":-1,"records":[{"DiallerContactsID":1,"DiallerCampaignsID":1}],"count":1,"total":1,"orderBy":"DiallerContactsID","ascending":true,"status":200}"#;
const PAGING: &[(&str, &str)] = &[
    ("limit", "records per page (VCC: at most 1000)"),
    ("offset", "records to skip"),
    (
        "updated_since",
        "only records changed since (YYYY-MM-DD hh:mm:ss UTC, RFC 3339 or Unix seconds)",
    ),
];

pub static OPERATIONS: &[Operation] = &[
    // VCC Live Database API v2, as Dialbase implements it (docs/vcc.md).
    Operation {
        response: r#"{"errors":[],"response":[{"id":1,"name":"Sales"}]}"#,
        ..op("get", "/v2/projects", Api::Vcc, "List the projects")
    },
    Operation {
        request: Some(r#"{"name":"Sales"}"#),
        response: r#"{"errors":[],"response":1}"#,
        ..op("post", "/v2/projects", Api::Vcc, "Create a project")
    },
    Operation {
        response: r#"{"errors":[],"response":{"projectid":1,"name":"Sales","dispositions":[{"dispositionid":7,"action":"done"}],"fields":[{"fieldid":3,"name":"likes","label":null,"type":"multiple","indexed":"no","customised":"no","values":[{"valueid":12,"name":"sports"}]}]}}"#,
        ..op(
            "get",
            "/v2/projects/{projectid}",
            Api::Vcc,
            "A project with its fields and values, and the dispositions its dialing rules define",
        )
    },
    Operation {
        request: Some(
            r#"{"name":"likes","type":"multiple","indexed":"yes","customised":"no","values":[{"name":"sports"},{"name":"movies"}]}"#,
        ),
        response: r#"{"errors":[],"response":7}"#,
        ..op(
            "post",
            "/v2/projects/{projectid}/fields",
            Api::Vcc,
            "Add a field (and its list values)",
        )
    },
    Operation {
        request: Some(r#"[{"name":"music"},{"name":""},{"name":"golf"}]"#),
        response: r#"{"errors":[{"index":1,"errorcode":417,"errormessage":"error.name_must_be_between","property":"name"}],"response":{"0":12,"2":13}}"#,
        ..op(
            "post",
            "/v2/projects/{projectid}/fields/{fieldid}/values",
            Api::Vcc,
            "Add values to a list field (names are case-insensitive; ids by request index when some fail)",
        )
    },
    Operation {
        request: Some(r#"{"name":"cinema"}"#),
        response: VCC_OK,
        ..op(
            "put",
            "/v2/projects/{projectid}/fields/{fieldid}/values/{valueid}",
            Api::Vcc,
            "Rename or change a value",
        )
    },
    Operation {
        response: VCC_OK,
        ..op(
            "delete",
            "/v2/projects/{projectid}/fields/{fieldid}/values/{valueid}",
            Api::Vcc,
            "Delete a value",
        )
    },
    Operation {
        query: PAGING,
        response: r#"{"errors":[],"response":{"count":1,"records":[{"numberid":1,"form":{"name":"Peter Green"}}]}}"#,
        ..op(
            "get",
            "/v2/projects/{projectid}/records",
            Api::Vcc,
            "List and search records (form field filters as query parameters)",
        )
    },
    Operation {
        request: Some(RECORD),
        response: r#"{"errors":[],"response":[1]}"#,
        ..op(
            "post",
            "/v2/projects/{projectid}/records",
            Api::Vcc,
            "Add records (one object or an array, at most 20,000); when some fail, the ids are keyed by request index",
        )
    },
    Operation {
        request: Some(r#"{"elements":[{"search":{"name":"Peter%"},"form":{"likes":"movies"}}]}"#),
        response: r#"{"errors":[],"response":{"0":true}}"#,
        ..op(
            "put",
            "/v2/projects/{projectid}/records",
            Api::Vcc,
            "Modify records in a batch (by id or by search)",
        )
    },
    Operation {
        request: Some(
            r#"{"avoid_in_call":true,"disposition":{"dispositionid":4,"userid":"agent7"},"elements":[{"numberid":1},{"search":[{"act_status":1,"pref_userid":"17"},{"numberid":5}]}]}"#,
        ),
        response: r#"{"errors":[],"response":{"0":true,"1":true}}"#,
        ..op(
            "put",
            "/v2/projects/{projectid}/records/dispositions",
            Api::Vcc,
            "Add dispositions to records in a batch (several search objects: OR; keys of one: AND)",
        )
    },
    Operation {
        response: r#"{"errors":[],"response":{"numberid":1,"data":{"name":"Peter Green","likes":[12,13]},"values":{"name":"Peter Green","likes":"sports|movies"},"contacts":{},"user_data":"crm-42"}}"#,
        ..op(
            "get",
            "/v2/projects/{projectid}/records/{numberid}",
            Api::Vcc,
            "A record",
        )
    },
    Operation {
        request: Some(RECORD),
        response: VCC_OK,
        ..op(
            "put",
            "/v2/projects/{projectid}/records/{numberid}",
            Api::Vcc,
            "Modify a record (list values by name or, as a JSON number, by value id: what a read answers)",
        )
    },
    Operation {
        request: Some(r#"{"title":"Mr","name":"Peter Green","phone":"3619997400","email":"peter@example.com"}"#),
        response: VCC_OK,
        ..op(
            "put",
            "/v2/projects/{projectid}/records/{numberid}/contacts/{contact}",
            Api::Vcc,
            "Modify a record's contact (1-9)",
        )
    },
    Operation {
        request: Some(
            r#"{"dispositionid":4,"userid":"agent7","next_calldate":"2026-01-05 09:00:00","avoid_in_call":true}"#,
        ),
        response: VCC_OK,
        ..op(
            "post",
            "/v2/projects/{projectid}/records/{numberid}/dispositions",
            Api::Vcc,
            "Add a disposition (call result)",
        )
    },
    Operation {
        request: Some(r#"["3619997400","3619997401"]"#),
        response: VCC_OK,
        ..op(
            "post",
            "/v2/robinson",
            Api::Vcc,
            "Put numbers on the Robinson (do-not-call) list",
        )
    },
    Operation {
        response: VCC_OK,
        ..op(
            "delete",
            "/v2/robinson/{phone}",
            Api::Vcc,
            "Take a number off the Robinson list",
        )
    },
    // jtel dialler contacts and campaigns (docs/jtel.md), also below /rest/v1.0/{ClientsID}.
    Operation {
        query: &[
            (
                "diallerCampaignsID",
                "the campaign (project); without it every campaign's contacts",
            ),
            ("limitStart", "contacts to skip (default 0)"),
            ("limitPageSize", "contacts per page, at most 1000; -1 or absent: 1000"),
            (
                "filter",
                "reserved by jtel: empty only (filter by a field's jtel name, as in Company=ACME)",
            ),
            ("orderBy", "DiallerContactsID only"),
            ("ascending", "true only"),
            (
                "updated_since",
                "only contacts changed since (YYYY-MM-DD hh:mm:ss UTC, RFC 3339 or Unix seconds)",
            ),
        ],
        response: JTEL_LIST,
        ..op(
            "get",
            "/dialler/contacts",
            Api::Jtel,
            "List and search a campaign's contacts (field filters as query parameters)",
        )
    },
    Operation {
        query: &[(
            "overwriteDuplicates",
            "true: write over the campaign's contact with the same UserData (the lowest id), if any; false (default): always create",
        )],
        request: Some(IMPORTED),
        response: r#"{"records":[{"DiallerContactsID":1,"bOverwritten":false}],"count":1,"status":200}"#,
        ..op(
            "post",
            "/dialler/contacts/import",
            Api::Jtel,
            "Import one contact (Name, DiallerCampaignsID or DiallerCampaignsName, one of PhoneNumber1..6)",
        )
    },
    Operation {
        response: r#"{"records":[{"DiallerContactsID":1}],"count":1,"status":200}"#,
        ..op(
            "get",
            "/dialler/contacts/{id}",
            Api::Jtel,
            "A contact (jtel's older path, the same as /dialler/contacts/contact/{id})",
        )
    },
    Operation {
        query: &[
            ("limitStart", "campaigns to skip (default 0)"),
            ("limitPageSize", "campaigns per page, at most 1000; -1 or absent: 1000"),
            ("filter", "reserved by jtel: empty only"),
            ("orderBy", "DiallerCampaignsID only"),
            ("ascending", "true only"),
        ],
        response: r#"{"filter":"","limitStart":0,"limitPageSize":-1,"records":[{"DiallerCampaignsID":1,"Name":"Sales","ClientsID":"mycc"}],"count":1,"total":1,"orderBy":"DiallerCampaignsID","ascending":true,"status":200}"#,
        ..op("get", "/dialler/campaigns", Api::Jtel, "The campaigns (projects)")
    },
    Operation {
        response: r#"{"records":[{"DiallerCampaignsID":1,"Name":"Sales","ClientsID":"mycc"}],"count":1,"status":200}"#,
        ..op("get", "/dialler/campaigns/{id}", Api::Jtel, "A campaign (project)")
    },
    Operation {
        query: &[("userData", "every contact with this user data, lowest id first")],
        response: r#"{"records":[{"DiallerContactsID":1}],"count":1,"status":200}"#,
        ..op("get", "/dialler/contacts/contact", Api::Jtel, "Contacts by user data")
    },
    Operation {
        request: Some(CONTACT),
        response: r#"{"records":[{"DiallerContactsID":1}],"count":1,"status":200}"#,
        ..op(
            "post",
            "/dialler/contacts/contact",
            Api::Jtel,
            "Insert one contact or an array (one campaign, all or nothing)",
        )
    },
    Operation {
        query: &[("userData", "the contact with this user data (the lowest id)")],
        response: JTEL_OK,
        ..op(
            "delete",
            "/dialler/contacts/contact",
            Api::Jtel,
            "Delete a contact by user data",
        )
    },
    Operation {
        response: r#"{"records":[{"DiallerContactsID":1}],"count":1,"status":200}"#,
        ..op("get", "/dialler/contacts/contact/{id}", Api::Jtel, "A contact")
    },
    Operation {
        request: Some(r#"{"Company":"Green & Sons"}"#),
        response: JTEL_OK,
        ..op(
            "put",
            "/dialler/contacts/contact/{id}",
            Api::Jtel,
            "Update the named fields of a contact",
        )
    },
    Operation {
        response: JTEL_OK,
        ..op(
            "delete",
            "/dialler/contacts/contact/{id}",
            Api::Jtel,
            "Delete a contact with its related data",
        )
    },
    Operation {
        response: JTEL_OK,
        ..op(
            "patch",
            "/dialler/contacts/contact/{id}/lock",
            Api::Jtel,
            "Lock a contact (never dialled)",
        )
    },
    Operation {
        response: JTEL_OK,
        ..op(
            "patch",
            "/dialler/contacts/contact/{id}/unlock",
            Api::Jtel,
            "Unlock a contact",
        )
    },
    Operation {
        query: &[("userData", "the contact with this user data (the lowest id)")],
        response: JTEL_OK,
        ..op(
            "patch",
            "/dialler/contacts/contact/lock",
            Api::Jtel,
            "Lock a contact by user data",
        )
    },
    Operation {
        query: &[("userData", "the contact with this user data (the lowest id)")],
        response: JTEL_OK,
        ..op(
            "patch",
            "/dialler/contacts/contact/unlock",
            Api::Jtel,
            "Unlock a contact by user data",
        )
    },
    Operation {
        query: &[("userData", "the contact with this user data (the lowest id)")],
        response: JTEL_OK,
        ..op(
            "patch",
            "/dialler/contacts/contact/lockunlock",
            Api::Jtel,
            "Unlock a contact by user data (the path jtel's document prints)",
        )
    },
    // Dialbase's own API (docs/jtel.md, docs/dialing.md).
    Operation {
        request: Some(r#"{"owner":"dialer-1","lease_seconds":300}"#),
        response: r#"{"status":200,"record":{"id":1,"projectid":1,"user_data":"crm-42","phone":"3619997400","phone_field":"phone1","form":{"name":"Peter Green"},"next_calldate":null,"claimed_by":"dialer-1"}}"#,
        ..op(
            "post",
            "/dialbase/v1/projects/{projectid}/claim",
            Api::Dialbase,
            "Claim the next dialable contact (204 when none)",
        )
    },
    Operation {
        request: Some(r#"{"owner":"dialer-1","dispositionid":4,"next_calldate":"2026-01-06 10:00:00"}"#),
        response: r#"{"status":200}"#,
        ..op(
            "post",
            "/dialbase/v1/records/{id}/release",
            Api::Dialbase,
            "Release a claimed contact, with the call's result",
        )
    },
    Operation {
        response: r#"{"status":200,"record":{"id":1,"projectid":1,"timezones":["Europe/Budapest"],"next_callable_at":"2026-01-05 09:00:00","attempts_by_number":{"phone1":1}}}"#,
        ..op(
            "get",
            "/dialbase/v1/records/{id}",
            Api::Dialbase,
            "A record with its dialing state",
        )
    },
    Operation {
        response: r#"{"status":200,"rules":{}}"#,
        ..op(
            "get",
            "/dialbase/v1/projects/{projectid}/rules",
            Api::Dialbase,
            "A project's dialing rules",
        )
    },
    Operation {
        request: Some(
            r#"{"calling_hours":{"mon":["09:00","20:00"],"sat":["10:00","16:00"],"sun":null},"holidays":["2026-12-25"],"default_timezone":"Europe/Budapest","default_country":"HU","retries":{"max_attempts_per_number":3,"max_attempts":6,"min_gap_minutes":60},"dispositions":{"7":{"action":"done"},"8":{"action":"retry","after_minutes":120}}}"#,
        ),
        response: r#"{"status":200,"rules":{}}"#,
        ..op(
            "put",
            "/dialbase/v1/projects/{projectid}/rules",
            Api::Dialbase,
            "Set a project's dialing rules (docs/dialing.md)",
        )
    },
    Operation {
        response: r#"{"status":200,"lists":[{"name":"default","entries":2,"active":2}]}"#,
        ..op(
            "get",
            "/dialbase/v1/dnc/lists",
            Api::Dialbase,
            "The do-not-call lists with their entry counts",
        )
    },
    Operation {
        query: &[
            ("after", "numbers after this one"),
            ("limit", "entries per page (at most 1000)"),
        ],
        response: r#"{"status":200,"list":"default","entries":[{"list":"default","phone":"3619997400","expires_at":null,"source":"crm","reason":null,"created_by":"mycc","created_at":"2026-01-05 09:00:00"}],"count":1,"next_after":null}"#,
        ..op(
            "get",
            "/dialbase/v1/dnc/lists/{list}/entries",
            Api::Dialbase,
            "A page of a list's entries in number order",
        )
    },
    Operation {
        request: Some(
            r#"{"entries":[{"phone":"3619997400","expires_at":"2026-06-01 00:00:00","source":"crm","reason":"asked"}]}"#,
        ),
        response: r#"{"status":200,"list":"holidays","stored":1}"#,
        ..op(
            "post",
            "/dialbase/v1/dnc/lists/{list}/entries",
            Api::Dialbase,
            "Add or replace entries (all or nothing)",
        )
    },
    Operation {
        response: r#"{"status":200}"#,
        ..op(
            "delete",
            "/dialbase/v1/dnc/lists/{list}/entries/{phone}",
            Api::Dialbase,
            "Take a number off a list (404 when not listed)",
        )
    },
    Operation {
        query: &[
            ("after", "audit lines after this id"),
            ("limit", "lines per page (at most 1000)"),
        ],
        response: r#"{"status":200,"list":"default","changes":[{"id":1,"list":"default","phone":"3619997400","action":"add","changed_by":"mycc","changed_at":"2026-01-05 09:00:00"}],"count":1,"next_after":null}"#,
        ..op(
            "get",
            "/dialbase/v1/dnc/lists/{list}/changes",
            Api::Dialbase,
            "A list's audit, oldest first",
        )
    },
    Operation {
        request: Some(r#"{"phones":["3619997400"]}"#),
        response: r#"{"status":200,"numbers":[{"phone":"3619997400","listed":true,"lists":[{"list":"default","phone":"3619997400"}]}]}"#,
        ..op(
            "post",
            "/dialbase/v1/dnc/check",
            Api::Dialbase,
            "The lists holding these numbers now",
        )
    },
    Operation {
        query: &[(
            "project",
            "only this project's records (a project-limited key must name one)",
        )],
        response: r#"{"status":200,"number":"0036119997400","e164":"36119997400","records":[{"id":7,"projectid":1,"user_data":"crm-7","phone":"0036119997400","form":{"phone1":"0036119997400"}}]}"#,
        ..op(
            "get",
            "/dialbase/v1/phones/{number}",
            Api::Dialbase,
            "The records holding a number, as written or in its E.164 form",
        )
    },
    Operation {
        query: &[("format", "ndjson (default) or csv")],
        response: r#"{"numberid":1,"projectid":1,"form":{"name":"Peter Green"},"contacts":{}}"#,
        ..op(
            "get",
            "/dialbase/v1/projects/{projectid}/export",
            Api::Dialbase,
            "The whole project, streamed as NDJSON or CSV",
        )
    },
    Operation {
        query: &[
            (
                "after",
                "the cursor of the last change seen (0 or none: from the start)",
            ),
            ("limit", "changes per page"),
            ("project", "only this project's records"),
            (
                "type",
                "only these kinds, comma-separated: add, modify, contact, disposition, lock, unlock, claim, release, delete, dnc",
            ),
        ],
        response: r#"{"status":200,"changes":[{"cursor":"17","type":"modify","project":1,"record":42,"at":"2026-01-05 09:00:00"}],"count":1,"next":"17"}"#,
        ..op(
            "get",
            "/dialbase/v1/changes",
            Api::Dialbase,
            "Committed changes of records in commit order (docs/changes.md)",
        )
    },
    Operation {
        request: Some(r#"{"url":"https://crm.example.com/dialbase","types":["add","release"],"project":1}"#),
        response: r#"{"status":201,"webhook":{"id":1,"url":"https://crm.example.com/dialbase","types":["add","release"],"project":1,"secret":"shown-once"}}"#,
        ..op(
            "post",
            "/dialbase/v1/webhooks",
            Api::Dialbase,
            "Subscribe a URL to the change feed (the secret is shown once)",
        )
    },
    Operation {
        response: r#"{"status":200,"webhooks":[{"id":1,"url":"https://crm.example.com/dialbase","types":["add","release"],"project":1}],"count":1}"#,
        ..op("get", "/dialbase/v1/webhooks", Api::Dialbase, "The tenant's webhooks")
    },
    Operation {
        response: r#"{"status":200}"#,
        ..op(
            "delete",
            "/dialbase/v1/webhooks/{id}",
            Api::Dialbase,
            "Delete a webhook",
        )
    },
    Operation {
        query: &[
            ("after", "deliveries after this id"),
            ("limit", "deliveries per page"),
            ("state", "only deliveries in this state (e.g. dead)"),
        ],
        response: r#"{"status":200,"deliveries":[{"id":1,"cursor":"17","type":"add","project":1,"record":42}],"count":1,"next_after":null}"#,
        ..op(
            "get",
            "/dialbase/v1/webhooks/{id}/deliveries",
            Api::Dialbase,
            "A webhook's delivery log",
        )
    },
    Operation {
        response: r#"{"status":200}"#,
        ..op(
            "post",
            "/dialbase/v1/webhooks/{id}/deliveries/{delivery}/redeliver",
            Api::Dialbase,
            "Send a dead delivery again",
        )
    },
    Operation {
        response: r#"{"status":200,"keys":[{"id":1,"user":"mycc","role":"admin","projects":null,"created_at":"2026-01-05 09:00:00","revoked_at":null}]}"#,
        ..op(
            "get",
            "/dialbase/v1/keys",
            Api::Dialbase,
            "The tenant's API keys, revoked ones too (admin keys)",
        )
    },
    Operation {
        request: Some(r#"{"user":"crm","role":"read-write","projects":[1,2]}"#),
        response: r#"{"status":201,"key":{"id":2,"user":"crm","role":"read-write","projects":[1,2],"created_at":"2026-01-05 09:00:00","revoked_at":null},"secret":"shown-once"}"#,
        ..op(
            "post",
            "/dialbase/v1/keys",
            Api::Dialbase,
            "Create a key with a role, optionally limited to projects (the secret is shown once)",
        )
    },
    Operation {
        response: r#"{"status":200}"#,
        ..op(
            "delete",
            "/dialbase/v1/keys/{id}",
            Api::Dialbase,
            "Revoke a key (it stops working at once on every node)",
        )
    },
    Operation {
        query: &[("after", "entries after this id"), ("limit", "entries per page")],
        response: r#"{"status":200,"entries":[{"id":1,"at":"2026-01-05 09:00:00","user":"mycc","source":"dialbase","action":"key.create","target":"user crm","detail":{}}],"next_after":1}"#,
        ..op(
            "get",
            "/dialbase/v1/audit",
            Api::Dialbase,
            "The audit log, oldest first (admin keys for all projects)",
        )
    },
];
