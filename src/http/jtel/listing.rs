//! jtel's list envelope: `{"filter", "limitStart", "limitPageSize", "records", "count",
//! "orderBy", "ascending", "status"}`, with Dialbase's `total` (how many match). jtel
//! reserves the paging keys; Dialbase pages with them: `limitStart` is the offset,
//! `limitPageSize` the page size (at most [`MAX_PAGE`]; -1 or absent: the most a page holds).

use crate::http::ApiError;
use axum::Json;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::collections::HashMap;

/// Largest page of a list.
pub const MAX_PAGE: u64 = 1000;

/// The parameters every list takes; any other one is the list's own (a field filter).
pub const PARAMETERS: [&str; 5] = ["limitStart", "limitPageSize", "filter", "orderBy", "ascending"];

/// A list's paging, as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub start: u64,
    /// The page size asked for; None: as many as a page holds (jtel's -1).
    asked: Option<u64>,
    /// The key the list is in order of (its id): the only `orderBy` it takes.
    order_by: &'static str,
}

fn integer(query: &HashMap<String, String>, key: &str) -> Result<Option<i64>, ApiError> {
    query
        .get(key)
        .map(|v| (v.trim().parse::<i64>()).map_err(|_| ApiError::BadRequest(format!("{key} must be an integer"))))
        .transpose()
}

impl Paging {
    pub fn parse(query: &HashMap<String, String>, order_by: &'static str) -> Result<Self, ApiError> {
        let start = u64::try_from(integer(query, "limitStart")?.unwrap_or(0))
            .map_err(|_| ApiError::BadRequest("limitStart must not be negative".into()))?;
        let asked = integer(query, "limitPageSize")?.and_then(|n| u64::try_from(n).ok());
        if query.get("filter").is_some_and(|f| !f.trim().is_empty()) {
            return Err(ApiError::BadRequest(
                "filter is reserved: filter by a field's name, as in Company=ACME".into(),
            ));
        }
        if query.get("orderBy").is_some_and(|o| o.trim() != order_by) {
            return Err(ApiError::BadRequest(format!(
                "orderBy: the list is in order of {order_by} only"
            )));
        }
        if query
            .get("ascending")
            .is_some_and(|a| !a.trim().eq_ignore_ascii_case("true"))
        {
            return Err(ApiError::BadRequest(
                "ascending: the list is in ascending order only".into(),
            ));
        }
        Ok(Self { start, asked, order_by })
    }

    /// How many records the page holds at most.
    pub fn size(&self) -> u64 {
        self.asked.map_or(MAX_PAGE, |n| n.min(MAX_PAGE))
    }

    /// The envelope of a page of `total` matches. `limitPageSize` is the size in effect, or
    /// jtel's -1 where none was asked and the page runs to the end of the list.
    pub fn envelope<T: Serialize>(&self, filter: String, records: Vec<T>, total: u64) -> Response {
        let count = records.len() as u64;
        let size = match self.asked {
            None if self.start + count >= total => -1,
            _ => i64::try_from(self.size()).unwrap_or(i64::MAX),
        };
        /// Keys in byte order, as a `serde_json::Map` wrote them.
        #[derive(Serialize)]
        #[allow(non_snake_case)]
        struct Page<T> {
            ascending: bool,
            count: u64,
            filter: String,
            limitPageSize: i64,
            limitStart: u64,
            orderBy: &'static str,
            records: Vec<T>,
            status: u16,
            total: u64,
        }
        Json(Page {
            ascending: true,
            count,
            filter,
            limitPageSize: size,
            limitStart: self.start,
            orderBy: self.order_by,
            records,
            status: 200,
            total,
        })
        .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn paging_parameters() {
        let all = Paging::parse(&query(&[]), "Id").unwrap();
        assert_eq!((all.start, all.size()), (0, MAX_PAGE));
        let minus_one = Paging::parse(&query(&[("limitPageSize", "-1")]), "Id").unwrap();
        assert_eq!(minus_one, all);
        let page = Paging::parse(&query(&[("limitStart", "5"), ("limitPageSize", "5000")]), "Id").unwrap();
        assert_eq!((page.start, page.size()), (5, MAX_PAGE));
        let reserved = query(&[("filter", ""), ("orderBy", "Id"), ("ascending", "true")]);
        assert!(Paging::parse(&reserved, "Id").is_ok());
        for wrong in [
            ("limitStart", "-1"),
            ("limitStart", "x"),
            ("filter", "a"),
            ("orderBy", "Name"),
            ("ascending", "false"),
        ] {
            assert!(Paging::parse(&query(&[wrong]), "Id").is_err(), "{wrong:?}");
        }
    }
}
