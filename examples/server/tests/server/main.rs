//! The real `casting-server` binary, started as a process: its command line and configuration,
//! development mode, logs and metrics (`binary`), an unreachable database (`database`), rate
//! limits (`limits`), Swagger UI in a real browser (`browser`), and the container image
//! (`image`).

mod binary;
mod browser;
mod database;
mod image;
mod limits;
mod support;
