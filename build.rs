//! Rebuilds the crate when a migration changes: `embed_migrations!` reads `migrations/` at compile
//! time, and cargo does not otherwise know the binary depends on that folder.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
