// sqlx's `migrate!` notices edits to existing migration files but not new ones.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
