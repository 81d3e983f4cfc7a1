//! The real `casting-server` binary, started as a process: its command line and configuration,
//! development mode, logs and metrics (`binary`), rate limits (`limits`), Swagger UI in a real
//! browser (`browser`), and the container image (`image`).

mod binary;
mod browser;
mod image;
mod limits;
mod support;
