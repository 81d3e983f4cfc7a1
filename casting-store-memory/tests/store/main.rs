//! The memory store's tests, in one binary: the shared conformance suite (directly and through
//! `Box<dyn Store>`) and use from tasks on several threads at once.

mod conformance;
mod threads;
