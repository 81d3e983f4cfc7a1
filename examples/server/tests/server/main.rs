//! The real `casting-server` binary, started as a process: its command line and configuration,
//! development mode, logs and metrics (`binary`), and Swagger UI in a real browser (`browser`).

mod binary;
mod browser;
mod support;
