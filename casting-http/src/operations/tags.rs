//! The OpenAPI tags that group the operations in the spec and in Swagger UI.

/// The OpenAPI tags.
#[derive(Debug, poem_openapi::Tags)]
pub(crate) enum Tag {
    /// Movies and their casts.
    Movies,
    /// Actors and their movies.
    Actors,
    /// Who plays whom: characters and billing on the cast.
    Credits,
    /// Who changed what, when.
    Audit,
    /// Probes for load balancers and orchestrators; public.
    Operations,
}
