//! What a request needs of its key: the access its route and method call for, and what
//! it touches (a project, a record, or the tenant as a whole). Worked out from the route
//! the router matched, so every dialect is covered in one place (docs/operations.md).

use crate::domain::keys::Access;
use crate::storage::RecordKey;
use axum::http::Method;

/// What a request touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Nothing of the tenant's (iovox's country list).
    Nothing,
    /// The list of projects: a project-limited key sees only its own.
    ProjectList,
    Project(i64),
    /// A record named without its project: its project decides.
    Record(RecordKey),
    /// The project comes in the body (jtel's insert): the handler checks it.
    ProjectInBody,
    /// Tenant-wide data that belongs to no project (the do-not-call lists): readable by a
    /// project-limited key.
    Shared,
    /// The tenant as a whole: changes to do-not-call lists, the contact book, keys, the audit log.
    Tenant,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub access: Access,
    pub target: Target,
}

/// `route` is the router's pattern without the `/{customer}` prefix; `param` reads a path
/// parameter, `query` a query parameter.
pub fn need<'a>(
    method: &Method,
    route: &str,
    param: impl Fn(&str) -> Option<&'a str>,
    query: impl Fn(&str) -> Option<String>,
) -> Need {
    let by_method = if method == Method::GET || method == Method::HEAD {
        Access::Read
    } else {
        Access::Write
    };
    let id = |name: &str| param(name).and_then(|v| v.parse::<i64>().ok());
    // A path parameter that is no number names nothing: the handler answers 404.
    let project = || id("projectid").map_or(Target::Nothing, Target::Project);
    let need = |access, target| Need { access, target };
    match route {
        "/v2/projects" if by_method == Access::Read => need(Access::Read, Target::ProjectList),
        "/v2/projects" => need(Access::Admin, Target::Tenant),
        r if r.starts_with("/v2/projects/{projectid}/fields") => need(Access::Admin.max(by_method), project()),
        r if r.starts_with("/v2/projects/{projectid}") => need(by_method, project()),
        r if r.starts_with("/v2/robinson") => need(Access::Admin, Target::Tenant),
        "/Countries" => need(Access::Read, Target::Nothing),
        "/Contacts" | "/Rules" => {
            let called = query("method").unwrap_or_default();
            let access = if called == "createRuleTemplates" {
                Access::Admin
            } else if called.starts_with("get") || called.is_empty() {
                Access::Read
            } else {
                Access::Write
            };
            need(access, Target::Tenant)
        }
        "/dialler/contacts" => need(
            by_method,
            query("diallerCampaignsID")
                .and_then(|v| v.trim().parse().ok())
                .map_or(Target::Tenant, Target::Project),
        ),
        "/dialler/contacts/import" => need(Access::Write, Target::ProjectInBody),
        "/dialler/contacts/{id}" => need(
            by_method,
            id("id").map_or(Target::Nothing, |id| Target::Record(RecordKey::Id(id))),
        ),
        "/dialler/campaigns" => need(Access::Read, Target::ProjectList),
        "/dialler/campaigns/{id}" => need(Access::Read, id("id").map_or(Target::Nothing, Target::Project)),
        r if r.starts_with("/dialler/contacts/contact") => {
            let access = if r.ends_with("lock") { Access::Write } else { by_method };
            let key = match (id("id"), param("id"), query("userData")) {
                (Some(id), _, _) => Target::Record(RecordKey::Id(id)),
                (None, Some(_), _) => Target::Nothing,
                (None, None, Some(data)) if !data.is_empty() => Target::Record(RecordKey::UserData(data)),
                _ if method == Method::POST => Target::ProjectInBody,
                _ => Target::Nothing,
            };
            need(access, key)
        }
        r if r.starts_with("/dialbase/v1/projects/{projectid}/rules") => need(
            if by_method == Access::Read {
                Access::Read
            } else {
                Access::Admin
            },
            project(),
        ),
        r if r.starts_with("/dialbase/v1/projects/{projectid}") => need(by_method, project()),
        r if r.starts_with("/dialbase/v1/records/{id}") => need(
            by_method,
            id("id").map_or(Target::Nothing, |id| Target::Record(RecordKey::Id(id))),
        ),
        "/dialbase/v1/dnc/check" => need(Access::Read, Target::Shared),
        // A project-limited key looks up in its project (`project=`).
        "/dialbase/v1/phones/{number}" => need(
            Access::Read,
            query("project")
                .and_then(|v| v.trim().parse().ok())
                .map_or(Target::Tenant, Target::Project),
        ),
        r if r.starts_with("/dialbase/v1/dnc") && by_method == Access::Read => need(Access::Read, Target::Shared),
        r if r.starts_with("/dialbase/v1/dnc") => need(Access::Admin, Target::Tenant),
        // The feed: a project-limited key reads its project's events only.
        "/dialbase/v1/changes" => need(
            Access::Read,
            query("project")
                .and_then(|v| v.trim().parse().ok())
                .map_or(Target::Tenant, Target::Project),
        ),
        r if r.starts_with("/dialbase/v1/keys")
            || r.starts_with("/dialbase/v1/audit")
            || r.starts_with("/dialbase/v1/webhooks") =>
        {
            need(Access::Admin, Target::Tenant)
        }
        // Routes added later are for admin keys until classified here.
        _ => need(Access::Admin, Target::Tenant),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(method: Method, route: &str, params: &[(&str, &str)], query: &[(&str, &str)]) -> Need {
        let params: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let query: Vec<(String, String)> = query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        need(
            &method,
            route,
            |name| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()),
            |name| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()),
        )
    }

    #[test]
    fn vcc_routes() {
        let p = [("projectid", "7")];
        assert_eq!(of(Method::GET, "/v2/projects", &[], &[]).target, Target::ProjectList);
        assert_eq!(of(Method::POST, "/v2/projects", &[], &[]).access, Access::Admin);
        let records = of(Method::POST, "/v2/projects/{projectid}/records", &p, &[]);
        assert_eq!(
            records,
            Need {
                access: Access::Write,
                target: Target::Project(7)
            }
        );
        let read = of(Method::GET, "/v2/projects/{projectid}/records/{numberid}", &p, &[]);
        assert_eq!(read.access, Access::Read);
        let values = of(
            Method::DELETE,
            "/v2/projects/{projectid}/fields/{fieldid}/values/{valueid}",
            &p,
            &[],
        );
        assert_eq!(
            values,
            Need {
                access: Access::Admin,
                target: Target::Project(7)
            }
        );
        assert_eq!(of(Method::POST, "/v2/robinson", &[], &[]).access, Access::Admin);
    }

    #[test]
    fn jtel_iovox_and_own_routes() {
        let by_id = of(Method::DELETE, "/dialler/contacts/contact/{id}", &[("id", "5")], &[]);
        assert_eq!(
            by_id,
            Need {
                access: Access::Write,
                target: Target::Record(RecordKey::Id(5))
            }
        );
        let lock = of(
            Method::PATCH,
            "/dialler/contacts/contact/lock",
            &[],
            &[("userData", "u1")],
        );
        assert_eq!(lock.target, Target::Record(RecordKey::UserData("u1".into())));
        assert_eq!(
            of(Method::POST, "/dialler/contacts/contact", &[], &[]).target,
            Target::ProjectInBody
        );
        let import = of(Method::POST, "/dialler/contacts/import", &[], &[]);
        assert_eq!(
            import,
            Need {
                access: Access::Write,
                target: Target::ProjectInBody
            }
        );
        let old_get = of(Method::GET, "/dialler/contacts/{id}", &[("id", "9")], &[]);
        assert_eq!(old_get.target, Target::Record(RecordKey::Id(9)));
        assert_eq!(
            of(Method::GET, "/dialler/campaigns", &[], &[]).target,
            Target::ProjectList
        );
        assert_eq!(
            of(Method::GET, "/dialler/campaigns/{id}", &[("id", "4")], &[]),
            Need {
                access: Access::Read,
                target: Target::Project(4)
            }
        );
        let list = of(Method::GET, "/dialler/contacts", &[], &[("diallerCampaignsID", "3")]);
        assert_eq!(list.target, Target::Project(3));
        let get = of(Method::GET, "/Contacts", &[], &[("method", "getContacts")]);
        assert_eq!(
            get,
            Need {
                access: Access::Read,
                target: Target::Tenant
            }
        );
        assert_eq!(
            of(Method::DELETE, "/Contacts", &[], &[("method", "deleteContacts")]).access,
            Access::Write
        );
        assert_eq!(
            of(Method::POST, "/Rules", &[], &[("method", "createRuleTemplates")]).access,
            Access::Admin
        );
        let claim = of(
            Method::POST,
            "/dialbase/v1/projects/{projectid}/claim",
            &[("projectid", "2")],
            &[],
        );
        assert_eq!(
            claim,
            Need {
                access: Access::Write,
                target: Target::Project(2)
            }
        );
        let rules = of(
            Method::PUT,
            "/dialbase/v1/projects/{projectid}/rules",
            &[("projectid", "2")],
            &[],
        );
        assert_eq!(rules.access, Access::Admin);
        assert_eq!(
            of(Method::POST, "/dialbase/v1/dnc/check", &[], &[]).access,
            Access::Read
        );
        assert_eq!(
            of(Method::POST, "/dialbase/v1/dnc/lists/{list}/entries", &[], &[]).access,
            Access::Admin
        );
        assert_eq!(of(Method::GET, "/dialbase/v1/audit", &[], &[]).access, Access::Admin);
        assert_eq!(
            of(Method::GET, "/dialbase/v1/something-new", &[], &[]).access,
            Access::Admin
        );
    }
}
