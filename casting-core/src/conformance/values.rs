//! Checks of the values the trail keeps: every entry names each field's value before and
//! after, a delete's keeps the whole record.

use super::credits::cast_of;
use super::editing::{by, trail};
use super::*;
use crate::audit::{
    AuditAction, AuditEntry, AuditFilter, CastCredit, DELETED_ACTOR_FIELDS, DELETED_MOVIE_FIELDS,
    FieldValue, RoleCredit,
};
use crate::credit::Billing;
use crate::domain::Character;

/// The one entry about `kind` `id` at `version`.
pub(super) async fn entry(
    store: &dyn Store,
    kind: ResourceKind,
    id: i64,
    version: i64,
) -> AuditEntry {
    let about = trail(store, AuditFilter::new(Some(kind), Some(id), None)).await;
    let mut found = about.into_iter().filter(|e| e.version.get() == version);
    let entry = found
        .next()
        .unwrap_or_else(|| panic!("no entry about {kind} {id} at version {version}"));
    assert!(
        found.next().is_none(),
        "two entries of {kind} {id} v{version}"
    );
    entry
}

/// The field's values before and after, as the entry keeps them.
pub(super) fn values(entry: &AuditEntry, field: &str) -> (Option<FieldValue>, Option<FieldValue>) {
    let change = entry.changes.get(field).unwrap_or_else(|| {
        panic!(
            "the {} entry of {} {} keeps no value of {field}: {:?}",
            entry.action, entry.resource, entry.resource_id, entry.changes
        )
    });
    (change.from.clone(), change.to.clone())
}

/// `changes` names exactly the fields the entry names.
fn names_its_fields(entry: &AuditEntry) {
    let mut named: Vec<&str> = entry.fields.iter().map(String::as_str).collect();
    named.sort_unstable();
    let kept: Vec<&str> = entry.changes.iter().map(|(field, _)| field).collect();
    assert_eq!(
        kept, named,
        "{} {} v{}",
        entry.action, entry.resource, entry.version
    );
}

fn text(value: &str) -> Option<FieldValue> {
    Some(FieldValue::Text(value.to_owned()))
}

fn ids(ids: &[i64]) -> Option<FieldValue> {
    Some(FieldValue::Ids(ids.to_vec()))
}

fn credit(actor: ActorId, character: Option<&str>, billing: i64) -> CastCredit {
    CastCredit {
        actor,
        character: character.map(|c| Character::parse(c).expect("a valid character")),
        billing: Billing::parse(billing).expect("a valid billing"),
    }
}

fn role(movie: MovieId, character: Option<&str>, billing: i64) -> RoleCredit {
    RoleCredit {
        movie,
        character: character.map(|c| Character::parse(c).expect("a valid character")),
        billing: Billing::parse(billing).expect("a valid billing"),
    }
}

/// Each kind of entry keeps its values: a create's from nothing, a change's before and after
/// (fields, id lists, a whole cast), the other side's whole list before and after, and a
/// delete's whole record (cast or credits included) to nothing.
pub async fn every_entry_keeps_values_before_and_after(store: &dyn Store) {
    let alice = by("auth0|alice");
    let (m, ac) = (ResourceKind::Movie, ResourceKind::Actor);
    let a = store
        .create_actor(new_actor("Ann", &[]), &alice, None)
        .await
        .expect("create");
    let a = a.record.id;
    let b = add_actor(store, "Bea", &[]).await.id;
    let movie = add_movie(store, "Valued", &[a]).await.id;
    let other = add_movie(store, "Other", &[]).await.id;

    let created = entry(store, ac, a.get(), 1).await;
    names_its_fields(&created);
    assert_eq!(values(&created, "name"), (None, text("Ann")));
    assert_eq!(
        values(&created, "age"),
        (None, Some(FieldValue::Number(40)))
    );
    assert_eq!(values(&created, "gender"), (None, text("Female")));
    assert_eq!(values(&created, "movies"), (None, ids(&[])));
    let created = entry(store, m, movie.get(), 1).await;
    names_its_fields(&created);
    assert_eq!(values(&created, "title"), (None, text("Valued")));
    let released = Some(FieldValue::Date(date("2025-02-08")));
    assert_eq!(values(&created, "release_date"), (None, released.clone()));
    assert_eq!(values(&created, "actors"), (None, ids(&[a.get()])));
    let joined = entry(store, ac, a.get(), 2).await;
    assert_eq!(values(&joined, "movies"), (ids(&[]), ids(&[movie.get()])));

    let patch = MoviePatch {
        title: Some(title("Valued II")),
        release_date: Some(date("2026-03-01")),
        ..MoviePatch::default()
    };
    plain(store)
        .update_movie(movie, patch)
        .await
        .expect("update");
    let changed = entry(store, m, movie.get(), 2).await;
    names_its_fields(&changed);
    assert_eq!(
        values(&changed, "title"),
        (text("Valued"), text("Valued II"))
    );
    let later = Some(FieldValue::Date(date("2026-03-01")));
    assert_eq!(values(&changed, "release_date"), (released, later));

    let cast = cast_of(&[(b, Some("Ripley"), Some(1)), (a, None, Some(2))]);
    plain(store).replace_cast(movie, cast).await.expect("cast");
    let recast = entry(store, m, movie.get(), 3).await;
    names_its_fields(&recast);
    let before = FieldValue::Cast(vec![credit(a, None, 1)]);
    let after = FieldValue::Cast(vec![credit(b, Some("Ripley"), 1), credit(a, None, 2)]);
    assert_eq!(values(&recast, "cast"), (Some(before), Some(after)));
    let b_joined = entry(store, ac, b.get(), 2).await;
    assert_eq!(values(&b_joined, "movies"), (ids(&[]), ids(&[movie.get()])));

    let patch = ActorPatch {
        age: Some(age(41)),
        movies: Some(vec![movie, other]),
        ..ActorPatch::default()
    };
    plain(store).update_actor(a, patch).await.expect("update");
    let changed = entry(store, ac, a.get(), 3).await;
    names_its_fields(&changed);
    let (forty, forty_one) = (FieldValue::Number(40), FieldValue::Number(41));
    assert_eq!(values(&changed, "age"), (Some(forty), Some(forty_one)));
    let both = [movie.get(), other.get()];
    assert_eq!(
        values(&changed, "movies"),
        (ids(&[movie.get()]), ids(&both))
    );
    let other_joined = entry(store, m, other.get(), 2).await;
    assert_eq!(values(&other_joined, "actors"), (ids(&[]), ids(&[a.get()])));

    let gone = plain(store).delete_movie(movie).await.expect("delete");
    let deleted = entry(store, m, movie.get(), gone.revision.version.get() + 1).await;
    assert_eq!(deleted.action, AuditAction::Delete);
    assert_eq!(deleted.fields, DELETED_MOVIE_FIELDS);
    names_its_fields(&deleted);
    assert_eq!(values(&deleted, "title"), (text("Valued II"), None));
    let cast = vec![credit(b, Some("Ripley"), 1), credit(a, None, 2)];
    assert_eq!(
        values(&deleted, "cast"),
        (Some(FieldValue::Cast(cast)), None)
    );
    assert_eq!(values(&deleted, "actors"), (ids(&[a.get(), b.get()]), None));
    let a_left = entry(store, ac, a.get(), 4).await;
    assert_eq!(values(&a_left, "movies"), (ids(&both), ids(&[other.get()])));

    let gone = plain(store).delete_actor(a).await.expect("delete");
    let deleted = entry(store, ac, a.get(), gone.revision.version.get() + 1).await;
    assert_eq!(deleted.fields, DELETED_ACTOR_FIELDS);
    names_its_fields(&deleted);
    assert_eq!(values(&deleted, "name"), (text("Ann"), None));
    assert_eq!(values(&deleted, "movies"), (ids(&[other.get()]), None));
    let credits = FieldValue::Credits(vec![role(other, None, 1)]);
    assert_eq!(values(&deleted, "credits"), (Some(credits), None));
    let other_left = entry(store, m, other.get(), 3).await;
    assert_eq!(values(&other_left, "actors"), (ids(&[a.get()]), ids(&[])));
}
