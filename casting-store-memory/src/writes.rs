//! The writes of a movie or an actor, once for both sides ([`Side`]): each checks everything
//! it depends on (the expected version, the linked ids) before it changes anything, so under
//! the one write lock it happens whole or not at all.

use casting_core::{
    AuditAction, Changes, Created, Edit, Idempotency, Restored, Revision, StoreError,
    StoreResult as Result, Version,
};

use crate::history::replayed;
use crate::side::{Side, check_links};
use crate::state::State;

/// Creates a record and links it (or replays the create an idempotency key kept).
pub(crate) fn create<S: Side>(
    state: &mut State,
    new: S::New,
    edit: &Edit,
    key: Option<&Idempotency>,
) -> Result<Created<S::Record>> {
    if let Some(key) = key
        && let Some(kept) = state.keys.find(S::KIND, edit, key)?
    {
        return S::kept(kept)
            .map(replayed)
            .ok_or_else(|| StoreError::internal("a key kept a record of the other kind"));
    }
    let (row, links) = S::new_row(new, edit);
    check_links::<S>(state, &links)?;
    *S::last_id(state) += 1;
    let id = S::id(*S::last_id(state));
    S::rows(state).insert(id, row);
    let joined = S::link(state, id, &links);
    let created = S::record(state, id)?;
    let (action, changes) = (AuditAction::Create, S::created(&created));
    state.log(
        edit,
        S::KIND,
        id.into(),
        action,
        S::FIELDS,
        changes,
        Version::FIRST,
    );
    S::touch(state, id, &joined, edit);
    if let Some(key) = key {
        state
            .keys
            .keep(S::KIND, edit, key, S::keep(created.clone()));
    }
    Ok(Created::new(created))
}

/// Changes the fields a patch holds (and its links, when it sets them).
pub(crate) fn update<S: Side>(
    state: &mut State,
    id: S::Id,
    patch: S::Patch,
    edit: &Edit,
) -> Result<S::Record> {
    let version = S::expect(state, id, edit)?.next();
    let (fields, links) = S::change(&patch);
    if let Some(links) = &links {
        check_links::<S>(state, links)?;
    }
    let changes = S::changes(state, id, &patch);
    let row = S::rows(state)
        .get_mut(&id)
        .ok_or_else(|| S::not_found(id))?;
    S::apply(row, patch);
    S::revision(row).changed(edit);
    state.log(
        edit,
        S::KIND,
        id.into(),
        AuditAction::Update,
        &fields,
        changes,
        version,
    );
    if let Some(links) = links {
        let moved = S::link(state, id, &links);
        S::touch(state, id, &moved, edit);
    }
    S::record(state, id)
}

/// Deletes a record and its links; returns it as it was.
pub(crate) fn delete<S: Side>(state: &mut State, id: S::Id, edit: &Edit) -> Result<S::Record> {
    let version = S::expect(state, id, edit)?.next();
    let record = S::record(state, id)?;
    let kept = S::snapshot(state, id).ok_or_else(|| S::not_found(id))?;
    let changes = Changes::gone(S::values(&kept));
    let action = AuditAction::Delete;
    state.log(
        edit,
        S::KIND,
        id.into(),
        action,
        S::DELETED_FIELDS,
        changes,
        version,
    );
    let left = S::link(state, id, &[]);
    S::touch(state, id, &left, edit);
    S::rows(state).remove(&id);
    Ok(record)
}

/// Brings back a deleted record from its newest delete entry still kept, linked to every
/// record of the other side that exists.
pub(crate) fn restore<S: Side>(
    state: &mut State,
    id: S::Id,
    edit: &Edit,
) -> Result<Restored<S::Record>> {
    if S::rows(state).contains_key(&id) {
        return Err(StoreError::AlreadyExists {
            kind: S::KIND,
            id: id.into(),
        });
    }
    let (deleted, version) = state
        .trail
        .deleted(S::KIND, id.into())
        .and_then(|entry| Some((S::from_deleted(&entry.changes)?, entry.version.next())))
        .ok_or_else(|| S::not_found(id))?;
    let revision = Revision {
        version,
        ..Revision::created(edit)
    };
    let revived = S::revive(state, id, deleted, revision);
    let changes = Changes::made(S::values(&revived.restored));
    let action = AuditAction::Restore;
    state.log(
        edit,
        S::KIND,
        id.into(),
        action,
        S::DELETED_FIELDS,
        changes,
        version,
    );
    S::touch(state, id, &revived.joined, edit);
    Ok(Restored {
        record: S::record(state, id)?,
        left_out: revived.left_out,
    })
}
