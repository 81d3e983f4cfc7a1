//! The memory store's tests, in one binary: the shared conformance suite (directly and through
//! `Box<dyn Store>`), use from tasks on several threads at once, and the bounds it keeps.

mod bounds;
mod conformance;
mod threads;
