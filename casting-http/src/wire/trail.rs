//! The trail on the wire: `GET /audit`'s entries and page, and `GET /changes`'s page.

use std::collections::BTreeMap;

use casting_core::{AuditEntry, FieldValue};
use poem_openapi::Object;
use serde_json::{Value, json};

use crate::wire::dto::page;
use crate::wire::json::json_fields;
use crate::wire::types::Timestamp;

/// One change of one record.
#[derive(Debug, Clone, Object)]
pub struct AuditEntryBody {
    /// The entry's number: later changes have higher numbers.
    pub id: i64,
    /// When the change happened.
    pub at: Timestamp,
    /// The subject (`sub`) of the token that made it.
    pub subject: String,
    /// `movie` or `actor`.
    pub resource: String,
    /// The record's id.
    pub resource_id: i64,
    /// `create`, `update`, `delete` or `restore`.
    pub action: String,
    /// The fields the change named: every field on a create; the fields sent on an update;
    /// `cast` for a cast replacement; `movies` (`actors`) on the other side of a cast change;
    /// every field on a delete and a restore, with a movie's `cast` or an actor's `credits`.
    pub fields: Vec<String>,
    /// One member per field in `fields`: its value before and after the change (`from` is
    /// `null` on a create and a restore, `to` on a delete). Values are written as the API
    /// writes them; `actors` and `movies` are ascending id lists, `cast` is
    /// `[{"actor", "billing", "character"}]` by billing, `credits` is
    /// `[{"billing", "character", "movie"}]` by movie. Entries written before the trail kept
    /// values have `{}`.
    pub changes: BTreeMap<String, ChangeBody>,
    /// The record's version after the change (after a delete: one past its last).
    pub version: i64,
}

/// One field's value before and after a change.
#[derive(Debug, Clone, Object)]
pub struct ChangeBody {
    /// The value before; `null` when the record did not exist (a create, a restore).
    pub from: Value,
    /// The value after; `null` when the record is gone (a delete).
    pub to: Value,
}

// Keys in alphabetical order, as every answer writes them (`wire::json`).
json_fields! {
    AuditEntryBody { action, at, changes, fields, id, resource, resource_id, subject, version }
    ChangeBody { from, to }
}

/// A field's value as the API writes it.
fn wire(value: Option<FieldValue>) -> Value {
    let Some(value) = value else {
        return Value::Null;
    };
    let character = |c: Option<casting_core::Character>| c.map(|c| c.as_str().to_owned());
    match value {
        FieldValue::Text(text) => Value::String(text),
        FieldValue::Number(n) => Value::from(n),
        FieldValue::Date(date) => Value::String(date.written()),
        FieldValue::Ids(ids) => Value::from(ids),
        FieldValue::Cast(cast) => cast
            .into_iter()
            .map(|c| {
                json!({
                    "actor": c.actor.get(),
                    "billing": c.billing.get(),
                    "character": character(c.character),
                })
            })
            .collect(),
        // Stores rebuild the lists before they answer; one they could not rebuild is unknown.
        FieldValue::Moved(_) => Value::Null,
        FieldValue::Credits(credits) => credits
            .into_iter()
            .map(|c| {
                json!({
                    "billing": c.billing.get(),
                    "character": character(c.character),
                    "movie": c.movie.get(),
                })
            })
            .collect(),
    }
}

page! {
    /// One page of the trail.
    AuditPage of AuditEntry {
        /// The entries on this page, newest first.
        entries: AuditEntryBody,
        /// How many entries match, on all pages; `null` with `count=none`.
        total,
        /// The cursor of the next (older) page (send it as `after`); `null` on the last page.
        next,
    }
}

impl From<AuditEntry> for AuditEntryBody {
    fn from(entry: AuditEntry) -> Self {
        Self {
            id: entry.id,
            at: Timestamp::of(entry.at),
            subject: entry.subject,
            resource: entry.resource.to_string(),
            resource_id: entry.resource_id,
            action: entry.action.to_string(),
            fields: entry.fields,
            changes: entry
                .changes
                .iter()
                .map(|(field, change)| {
                    let body = ChangeBody {
                        from: wire(change.from.clone()),
                        to: wire(change.to.clone()),
                    };
                    (field.to_owned(), body)
                })
                .collect(),
            version: entry.version.get(),
        }
    }
}

/// Entries of the log after a cursor.
#[derive(Debug, Clone, Object)]
pub struct ChangesPage {
    /// Always `true`.
    pub success: bool,
    /// The entries after the cursor, oldest first (as `GET /audit` writes them).
    pub entries: Vec<AuditEntryBody>,
    /// The cursor to send as `after` next: after the last entry given, or the one sent when
    /// none came. Always present.
    pub next: String,
}

json_fields! {
    ChangesPage { entries, next, success }
}
