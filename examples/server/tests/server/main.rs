//! The real `casting-server` binary, started as a process: its command line and configuration,
//! development mode, logs and metrics (`binary`), Swagger UI in a real browser (`browser`), and
//! the container image (`image`).

mod binary;
mod browser;
mod image;
mod support;
