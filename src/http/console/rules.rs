//! A project's dialing rules (docs/dialing.md) as a form. What it sends is turned into the
//! rules' JSON document and checked and stored as `PUT /dialbase/v1/projects/{id}/rules`
//! does; duplicate checks and per-disposition actions, being nested, are edited as JSON.

use super::error::ConsoleError;
use super::page::{self, project_tabs, with_notice};
use super::projects::NoticeQuery;
use super::session::Console;
use crate::domain::dialing_rules::DialingRules;
use crate::http::{ApiError, AppState, path_id};
use crate::storage::check_dedup_fields;
use axum::Form;
use axum::extract::{Query, RawPathParams, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

const DAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn number_input(id: &str, label: &str, value: &Value) -> Markup {
    html! {
        div class="field" {
            label for=(id) { (label) }
            input id=(id) name=(id) type="number" min="0" value=(text(value));
        }
    }
}

pub async fn page(
    console: Console,
    State(state): State<AppState>,
    params: RawPathParams,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, ConsoleError> {
    let project = path_id(&params, "project", "project")?;
    let (info, _) = state.store.project_schema(console.tenant, project).await?;
    let rules = state.store.rules(console.tenant, project).await?.to_json();
    let hours = &rules["calling_hours"];
    let holidays: Vec<String> = rules["holidays"]
        .as_array()
        .map(|days| days.iter().map(text).collect())
        .unwrap_or_default();
    let lists: Vec<String> = rules["dnc_lists"]
        .as_array()
        .map(|lists| lists.iter().map(text).collect())
        .unwrap_or_default();
    let pretty = |value: &Value| serde_json::to_string_pretty(value).unwrap_or_default();
    let body = html! {
        (project_tabs(&console, project, &info.name, "rules"))
        (query.notice())
        form method="post" action={ (console.base) "/projects/" (project) "/rules" } class="card" {
            input type="hidden" name="csrf" value=(console.csrf);
            p { "Every claim and release obeys these rules; a rule left empty restricts nothing (docs/dialing.md)." }
            fieldset {
                legend { "Calling hours, in each contact's local time" }
                p {
                    input id="hours_on" name="hours_on" type="checkbox" value="on" checked[!hours.is_null()];
                    " " label for="hours_on" { "Call only in these hours (a day left empty has no calls)" }
                }
                div class="hours" {
                    span {} span class="hint" { "from" } span class="hint" { "until" }
                    @for (key, name) in DAYS {
                        label for={ (key) "_start" } { (name) }
                        input id={ (key) "_start" } name={ (key) "_start" } type="time" value=(text(&hours[key][0]))
                            aria-label={ (name) " from" };
                        input id={ (key) "_end" } name={ (key) "_end" } type="time" value=(text(&hours[key][1]))
                            aria-label={ (name) " until" };
                    }
                }
                div class="pairs" style="margin-top:.6rem" {
                    div class="field" {
                        label for="holidays" { "Holidays (YYYY-MM-DD, one a line)" }
                        textarea id="holidays" name="holidays" style="min-height:5rem" { (holidays.join("\n")) }
                    }
                    div class="field" {
                        label for="default_timezone" { "Time zone of numbers without one (IANA)" }
                        input id="default_timezone" name="default_timezone" type="text" placeholder="Europe/Budapest"
                            value=(text(&rules["default_timezone"]));
                    }
                    div class="field" {
                        label for="default_country" { "Default country (ISO code)" }
                        input id="default_country" name="default_country" type="text" maxlength="2" placeholder="HU"
                            value=(text(&rules["default_country"]));
                    }
                }
            }
            fieldset {
                legend { "Attempts" }
                div class="pairs" {
                    (number_input("max_attempts", "At most, per record", &rules["retries"]["max_attempts"]))
                    (number_input("max_attempts_per_number", "At most, per number", &rules["retries"]["max_attempts_per_number"]))
                    (number_input("min_gap_minutes", "Minutes between attempts", &rules["retries"]["min_gap_minutes"]))
                    (number_input("callback_grace_minutes", "Minutes a call-back waits for its owner", &rules["callback_grace_minutes"]))
                }
            }
            fieldset {
                legend { "Do-not-call lists" }
                div class="field" {
                    label for="dnc_lists" { "Named lists this project applies, besides the Robinson list (comma-separated)" }
                    input id="dnc_lists" name="dnc_lists" type="text" value=(lists.join(", "));
                }
            }
            fieldset {
                legend { "Duplicate checks and disposition actions (JSON)" }
                div class="pairs" {
                    div class="field" {
                        label for="dedup" { "Duplicate check (null for none)" }
                        textarea id="dedup" name="dedup" spellcheck="false" style="min-height:7rem" { (pretty(&rules["dedup"])) }
                    }
                    div class="field" {
                        label for="dispositions" { "Action per disposition id" }
                        textarea id="dispositions" name="dispositions" spellcheck="false" style="min-height:7rem" { (pretty(&rules["dispositions"])) }
                    }
                }
                p class="hint" {
                    "For example " code { r#"{"keys": ["phone"], "scope": "tenant"}"# } " and "
                    code { r#"{"7": {"action": "done"}, "8": {"action": "retry", "after_minutes": 120}}"# } "."
                }
            }
            button type="submit" { "Save rules" }
        }
    };
    Ok(page::frame(&console, &format!("{} · Dialing rules", info.name), body))
}

/// The rules' JSON document from the form's fields; what is wrong is said in words.
fn document(form: &HashMap<String, String>) -> Result<Value, String> {
    let field = |name: &str| form.get(name).map(|v| v.trim()).unwrap_or_default();
    let optional_text = |name: &str| {
        let value = field(name);
        if value.is_empty() { Value::Null } else { json!(value) }
    };
    let number = |name: &str, label: &str| -> Result<Value, String> {
        match field(name) {
            "" => Ok(Value::Null),
            value => value
                .parse::<u64>()
                .map(|n| json!(n))
                .map_err(|_| format!("{label}: {value:?} is not a whole number")),
        }
    };
    let json_field = |name: &str, label: &str| -> Result<Value, String> {
        match field(name) {
            "" => Ok(Value::Null),
            value => serde_json::from_str(value).map_err(|e| format!("{label}: {e}")),
        }
    };
    let calling_hours = if field("hours_on").is_empty() {
        Value::Null
    } else {
        let mut days = Map::new();
        for (key, name) in DAYS {
            let (start, end) = (field(&format!("{key}_start")), field(&format!("{key}_end")));
            let window = match (start.is_empty(), end.is_empty()) {
                (true, true) => Value::Null,
                (false, false) => json!([start, end]),
                _ => return Err(format!("{name}: give both times or neither")),
            };
            days.insert(key.to_string(), window);
        }
        Value::Object(days)
    };
    let holidays: Vec<&str> = field("holidays")
        .split(['\n', ',', ' '])
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect();
    let lists: Vec<&str> = field("dnc_lists")
        .split([',', ' '])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let grace = number("callback_grace_minutes", "Call-back grace")?;
    let mut rules = json!({
        "calling_hours": calling_hours,
        "holidays": holidays,
        "default_timezone": optional_text("default_timezone"),
        "default_country": optional_text("default_country"),
        "dnc_lists": lists,
        "retries": {
            "max_attempts": number("max_attempts", "Attempts per record")?,
            "max_attempts_per_number": number("max_attempts_per_number", "Attempts per number")?,
            "min_gap_minutes": number("min_gap_minutes", "Minutes between attempts")?,
        },
        "dedup": json_field("dedup", "Duplicate check")?,
    });
    if !grace.is_null() {
        rules["callback_grace_minutes"] = grace;
    }
    let dispositions = json_field("dispositions", "Disposition actions")?;
    if !dispositions.is_null() {
        rules["dispositions"] = dispositions;
    }
    Ok(rules)
}

pub async fn save(
    console: Console,
    State(state): State<AppState>,
    params: RawPathParams,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ConsoleError> {
    console.check_csrf(form.get("csrf").map(String::as_str).unwrap_or_default())?;
    let project = path_id(&params, "project", "project")?;
    let url = format!("{}/projects/{project}/rules", console.base);
    let (_, schema) = state.store.project_schema(console.tenant, project).await?;
    let parsed = document(&form).and_then(|document| {
        let rules = DialingRules::parse(document.to_string().as_bytes()).map_err(|e| e.detail)?;
        check_dedup_fields(&schema, &rules).map_err(|e| e.detail)?;
        Ok(rules)
    });
    let to = match parsed {
        Err(why) => with_notice(&url, "error", &why),
        Ok(rules) => {
            state
                .store
                .put_rules(console.tenant, project, rules)
                .await
                .map_err(ApiError::from)?;
            with_notice(&url, "notice", "Rules saved.")
        }
    };
    Ok(Redirect::to(&to).into_response())
}
