//! Rebuilds the crate when a migration is added or changed: `sqlx::migrate!` embeds the files
//! of `migrations/` at compile time, and Cargo does not know it reads them.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
