//! The trail of changes: one [`AuditEntry`] per change of a record's version, written by the
//! store in the same transaction as the change, and listed newest first ([`AuditQuery`]).
//! Each entry keeps the values before and after ([`Changes`]); a delete's keeps the whole
//! record ([`DeletedMovie`], [`DeletedActor`]), which is what a restore brings back.

mod changes;
mod deleted;
mod expand;
pub mod log;

pub use changes::{CastCredit, Change, Changes, FieldValue, RoleCredit};
pub use deleted::{DELETED_ACTOR_FIELDS, DELETED_MOVIE_FIELDS, DeletedActor, DeletedMovie};
pub use expand::{RecordKey, expand_lists, list_field, records_to_expand, toggled};

use std::fmt::{self, Write};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::FieldError;
use crate::error::Error;
use crate::model::ResourceKind;
use crate::query::{
    Direction, Filter, ListParams, ListQuery, Sort, SortField, SortKey, SortValue, ValueKind,
};
use crate::revision::Version;

/// What a change did to its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditAction {
    /// The record was made.
    Create,
    /// The record changed (its fields, or its list of movies or actors).
    Update,
    /// The record was deleted.
    Delete,
    /// A deleted record was brought back.
    Restore,
}

impl AuditAction {
    /// The action as the API names it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Restore => "restore",
        }
    }

    /// The action a name stands for.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Create, Self::Update, Self::Delete, Self::Restore]
            .into_iter()
            .find(|action| action.as_str() == text)
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change of one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// The entry's number: later changes have higher numbers.
    pub id: i64,
    /// When the change happened.
    pub at: DateTime<Utc>,
    /// The subject of the token that made it.
    pub subject: String,
    /// Movie or actor.
    pub resource: ResourceKind,
    /// The record's id.
    pub resource_id: i64,
    /// What the change did.
    pub action: AuditAction,
    /// The fields the change named (`title`, `actors`, `cast`…); a create names every field.
    pub fields: Vec<String>,
    /// Each named field's value before and after (empty for entries written before the
    /// trail kept values).
    pub changes: Changes,
    /// The record's version after the change (after a delete: one past its last version).
    pub version: Version,
}

/// The fields a movie create names.
pub const MOVIE_FIELDS: [&str; 3] = ["title", "release_date", "actors"];
/// The fields an actor create names.
pub const ACTOR_FIELDS: [&str; 4] = ["name", "age", "gender", "movies"];
/// The field a cast replacement names on its movie.
pub const CAST_FIELD: &str = "cast";

/// What `GET /audit` asks, unchecked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditListParams {
    /// Paging and count (`q` and `sort` are not used: the trail runs newest first).
    pub list: ListParams,
    /// `movie` or `actor`.
    pub resource: Option<String>,
    /// A record id (of either kind, unless `resource` names one).
    pub id: Option<i64>,
    /// The subject who made the changes.
    pub subject: Option<String>,
}

/// Entries to keep: of one kind of record, of one record id, by one subject.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AuditFilter {
    resource: Option<ResourceKind>,
    id: Option<i64>,
    subject: Option<String>,
}

impl AuditFilter {
    /// Entries about `resource` (any when `None`), record `id`, by `subject`.
    pub fn new(resource: Option<ResourceKind>, id: Option<i64>, subject: Option<String>) -> Self {
        Self {
            resource,
            id,
            subject,
        }
    }

    /// The kind of record kept.
    pub fn resource(&self) -> Option<ResourceKind> {
        self.resource
    }

    /// The record id kept.
    pub fn id(&self) -> Option<i64> {
        self.id
    }

    /// The subject kept.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// Whether the filter keeps `entry`.
    pub fn keeps(&self, entry: &AuditEntry) -> bool {
        self.resource.is_none_or(|kind| kind == entry.resource)
            && self.id.is_none_or(|id| id == entry.resource_id)
            && self.subject.as_deref().is_none_or(|s| s == entry.subject)
    }
}

impl Filter for AuditFilter {
    type Field = AuditField;
    const NAME: &'static str = "audit";
    const TAG: u8 = 3;

    /// Newest first.
    fn default_sort() -> Sort<AuditField> {
        Sort::by(vec![SortKey {
            field: AuditField::Id,
            direction: Direction::Descending,
        }])
    }

    fn is_empty(&self) -> bool {
        self.resource.is_none() && self.id.is_none() && self.subject.is_none()
    }

    fn write_canonical(&self, out: &mut String) {
        let _ = write!(
            out,
            "resource={:?};id={:?};subject={:?}",
            self.resource, self.id, self.subject
        );
    }
}

/// The one order of the trail: by entry number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditField {
    /// The entry's number.
    Id,
}

impl SortField for AuditField {
    type Item = AuditEntry;
    const ID: Self = Self::Id;
    const ALL: &'static [Self] = &[Self::Id];

    fn name(self) -> &'static str {
        "id"
    }

    fn kind(self) -> ValueKind {
        ValueKind::Int
    }

    fn value_of(self, entry: &AuditEntry) -> SortValue {
        SortValue::Int(entry.id)
    }
}

/// A checked query of the trail: newest first, filtered, paged by number or cursor.
pub type AuditQuery = ListQuery<AuditFilter>;

/// The `resource` parameter of the trail's reads: `movie`, `actor`, or absent (both); anything
/// else is noted in `errors`.
pub(crate) fn parse_resource(
    text: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<ResourceKind> {
    match text {
        None => None,
        Some("movie") => Some(ResourceKind::Movie),
        Some("actor") => Some(ResourceKind::Actor),
        Some(_) => {
            errors.push(FieldError::new("resource", "must be movie or actor"));
            None
        }
    }
}

impl ListQuery<AuditFilter> {
    /// Checks every parameter of `GET /audit`, naming each one at fault.
    pub fn parse(params: &AuditListParams) -> Result<Self, Error> {
        let mut errors = Vec::new();
        let resource = parse_resource(params.resource.as_deref(), &mut errors);
        if params.id.is_some_and(|id| id < 1) {
            errors.push(FieldError::new("id", "must be a positive whole number"));
        }
        let subject = params.subject.clone().filter(|s| !s.is_empty());
        if let Some(subject) = &subject
            && (subject.chars().count() > 255 || subject.chars().any(char::is_control))
        {
            errors.push(FieldError::new(
                "subject",
                "must be at most 255 characters, without control characters",
            ));
        }
        let list = ListParams {
            q: None,
            sort: None,
            ..params.list.clone()
        };
        let filter = if errors.is_empty() {
            Ok(AuditFilter::new(resource, params.id, subject))
        } else {
            Err(errors)
        };
        Self::build(&list, filter)
    }
}
