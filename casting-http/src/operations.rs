//! The operations, one `#[OpenApi]` impl per resource: what each path answers, its docs and its
//! responses, each endpoint a method whose path and HTTP method are written where it is handled
//! (`MoviesApi::update_movie` answers `PATCH /movies/{id}`). A record's reads and writes are
//! written once, generically (`resource`), and the movie and actor methods call them.

pub(crate) mod actors;
pub(crate) mod audit;
pub(crate) mod changes;
pub(crate) mod credits;
pub(crate) mod events;
pub(crate) mod health;
pub(crate) mod movies;
pub(crate) mod resource;
pub(crate) mod responses;
pub(crate) mod tags;
