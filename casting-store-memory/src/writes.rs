//! The writes of a movie or an actor, once for both sides ([`Side`]): each checks everything
//! it depends on (the expected version, the linked ids) before it changes anything, so under
//! the one write lock it happens whole or not at all.

use casting_core::{
    AuditAction, Created, Edit, Idempotency, StoreError, StoreResult as Result, Version,
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
    let action = AuditAction::Create;
    state.log(edit, S::KIND, id.into(), action, S::FIELDS, Version::FIRST);
    let joined = S::link(state, id, &links);
    S::touch(state, &joined, edit);
    let created = S::record(state, id)?;
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
        version,
    );
    if let Some(links) = links {
        let moved = S::link(state, id, &links);
        S::touch(state, &moved, edit);
    }
    S::record(state, id)
}

/// Deletes a record and its links; returns it as it was.
pub(crate) fn delete<S: Side>(state: &mut State, id: S::Id, edit: &Edit) -> Result<S::Record> {
    let version = S::expect(state, id, edit)?.next();
    let record = S::record(state, id)?;
    state.log(edit, S::KIND, id.into(), AuditAction::Delete, &[], version);
    let left = S::link(state, id, &[]);
    S::touch(state, &left, edit);
    S::rows(state).remove(&id);
    Ok(record)
}
