//! The checked-in files that are generated from code must match it.

use std::path::Path;

/// `generated` against the file at `path` (from the crate's root); with
/// `UPDATE_DOCS` set, writes it instead.
fn matches(path: &str, generated: &str, what: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, generated).expect("the generated file is writable");
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    if on_disk != generated {
        let first = on_disk
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| on_disk.lines().count().min(generated.lines().count()));
        panic!(
            "{} is out of date with {what} (first difference at line {}).\n\
             Regenerate it with:\n\n    {}\n",
            path.display(),
            first + 1,
            tvp::docs::REGENERATE
        );
    }
}

#[test]
fn url_md_matches_the_key_specs() {
    matches("docs/url.md", &tvp::docs::url_markdown(), "the key specs");
}

#[test]
fn shell_js_matches_the_lessons() {
    matches("www/shell.js", &tvp::shell::shell_js(), "the lessons");
}
