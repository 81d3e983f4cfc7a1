//! The edge: what happens to a connection or a request before an operation sees it and after
//! it answers. The accepting side (`listener`: header and keep-alive deadlines, the connection
//! cap), the layers around the routes (`middleware`: body limit, error shaping, request ids and
//! the access log; `compress`; `metering`), and the rate limits (`limits`).

pub(crate) mod compress;
pub(crate) mod limits;
pub(crate) mod listener;
pub(crate) mod metering;
pub(crate) mod middleware;
