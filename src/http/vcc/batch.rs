//! The bookkeeping of a VCC Live batch (add records, add values, batch record and disposition
//! modification, Robinson add): every item keeps its request index from parsing to the
//! answer, whatever fails on the way, so a client can map each result back to its item.

use super::envelope::{item_error, partial};
use crate::domain::ValidationError;
use axum::response::Response;
use serde_json::{Map, Value, json};

/// How an item's error is rendered (with or without the vendor's `property`).
pub type RenderError = fn(usize, &ValidationError) -> Value;

pub struct Batch<T> {
    /// Items parsed and not yet handed to the store, with their request index.
    pending: Vec<(usize, T)>,
    /// Request indexes of the items handed to the store, in the order handed.
    handed: Vec<usize>,
    /// Results of the items that succeeded, by request index.
    results: Vec<(usize, Value)>,
    errors: Vec<(usize, Value)>,
    render: RenderError,
}

impl<T> Batch<T> {
    /// A batch of parsed items; the refused ones are reported by their index.
    pub fn new(parsed: Vec<Result<T, ValidationError>>) -> Self {
        Self::rendered(parsed, item_error)
    }

    pub fn rendered(parsed: Vec<Result<T, ValidationError>>, render: RenderError) -> Self {
        let mut batch = Batch {
            pending: Vec::with_capacity(parsed.len()),
            handed: Vec::new(),
            results: Vec::new(),
            errors: Vec::new(),
            render,
        };
        for (index, item) in parsed.into_iter().enumerate() {
            match item {
                Ok(item) => batch.pending.push((index, item)),
                Err(e) => batch.refuse(index, &e),
            }
        }
        batch
    }

    fn refuse(&mut self, index: usize, e: &ValidationError) {
        self.errors.push((index, (self.render)(index, e)));
    }

    /// The valid items, in request order, for the store; [`Batch::settle`] takes its results.
    pub fn take(&mut self) -> Vec<T> {
        let (indexes, items): (Vec<usize>, Vec<T>) = std::mem::take(&mut self.pending).into_iter().unzip();
        self.handed = indexes;
        items
    }

    /// The store's per-item results for what [`Batch::take`] handed it, in that order.
    pub fn settle<R>(&mut self, results: Vec<Result<R, ValidationError>>, answer: impl Fn(R) -> Value) {
        let mut results = results.into_iter();
        for index in std::mem::take(&mut self.handed) {
            match results.next() {
                Some(Ok(result)) => self.results.push((index, answer(result))),
                Some(Err(e)) => self.refuse(index, &e),
                None => self.refuse(index, &ValidationError::new("internal", "the store gave no result")),
            }
        }
    }

    /// The results of the items that succeeded, in request order.
    pub fn succeeded(&self) -> impl Iterator<Item = &Value> {
        self.results.iter().map(|(_, value)| value)
    }

    /// The vendor's answer to adding items: a plain list of results when every item
    /// succeeded, else an object keyed by the request index as a string (`{"0": 8, "2": 9}`).
    pub fn into_list_or_object(self) -> Response {
        if self.errors.is_empty() {
            let list = self.results.iter().map(|(_, value)| value.clone()).collect();
            self.finish(Value::Array(list))
        } else {
            self.into_object()
        }
    }

    /// The vendor's answer to batch modification: always keyed by the request index.
    pub fn into_object(self) -> Response {
        let object: Map<String, Value> = self.results.iter().map(|(i, v)| (i.to_string(), v.clone())).collect();
        self.finish(Value::Object(object))
    }

    /// A fixed `response` beside the item errors.
    pub fn finish(mut self, response: Value) -> Response {
        self.errors.sort_by_key(|(index, _)| *index);
        let errors = self.errors.into_iter().map(|(_, error)| error).collect();
        partial(response, errors, self.results.len())
    }

    /// Counts every item handed to the store as a success answered `true` (a store that
    /// takes the valid items whole, as the Robinson list does).
    pub fn settle_all(&mut self) {
        let handed = std::mem::take(&mut self.handed);
        self.results
            .extend(handed.into_iter().map(|index| (index, json!(true))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(response: Response) -> (u16, Value) {
        let status = response.status().as_u16();
        let bytes = futures_bytes(response);
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    fn futures_bytes(response: Response) -> Vec<u8> {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(async {
            axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap()
                .to_vec()
        })
    }

    fn parsed(items: &[Option<i64>]) -> Vec<Result<i64, ValidationError>> {
        items
            .iter()
            .map(|i| i.ok_or_else(|| ValidationError::new("wrong_record_format", "")))
            .collect()
    }

    #[test]
    fn every_result_keeps_its_request_index() {
        let mut batch = Batch::new(parsed(&[Some(10), None, Some(30), Some(40)]));
        let items = batch.take();
        assert_eq!(items, [10, 30, 40]);
        batch.settle(
            vec![Ok(4), Err(ValidationError::new("duplicate_record", "")), Ok(5)],
            |id: i64| json!(id),
        );
        let (status, body) = body(batch.into_list_or_object());
        assert_eq!(status, 200);
        assert_eq!(body["response"], json!({"0": 4, "3": 5}));
        let indexes: Vec<u64> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["index"].as_u64().unwrap())
            .collect();
        assert_eq!(indexes, [1, 2]);
    }

    #[test]
    fn a_batch_that_fully_succeeds_answers_a_plain_list() {
        let mut batch = Batch::new(parsed(&[Some(1), Some(2)]));
        let items = batch.take();
        batch.settle(items.into_iter().map(Ok).collect(), |id: i64| json!(id + 3));
        assert_eq!(
            body(batch.into_list_or_object()),
            (200, json!({"response": [4, 5], "errors": []}))
        );
    }

    #[test]
    fn a_batch_where_everything_failed_is_417() {
        let mut batch = Batch::new(parsed(&[None]));
        batch.take();
        let (status, body) = body(batch.into_object());
        assert_eq!((status, &body["response"]), (417, &json!({})));
    }
}
