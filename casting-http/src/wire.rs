//! What travels on the wire, as types: answers (`dto`; the cast and credits in `credits`, the
//! trail in `trail`), bodies and how they are read
//! (`bodies`, `payload`, `nullable`), parameters (`types`, `listing`, `query`), headers of
//! conditional and idempotent requests (`conditional`), and the JSON payload every answer is
//! written with (`json`).

pub(crate) mod bodies;
pub(crate) mod conditional;
pub(crate) mod credits;
pub(crate) mod dto;
pub(crate) mod json;
pub(crate) mod listing;
pub(crate) mod nullable;
pub(crate) mod payload;
pub(crate) mod query;
pub(crate) mod trail;
pub(crate) mod types;
