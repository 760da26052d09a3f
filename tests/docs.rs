//! The checked-in docs that are generated from code must match it.

use std::path::Path;

#[test]
fn url_md_matches_the_key_specs() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/url.md");
    let generated = tvp::docs::url_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).expect("docs/url.md is writable");
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
            "docs/url.md is out of date with the key specs (first difference at line {}).\n\
             Regenerate it with:\n\n    {}\n",
            first + 1,
            tvp::docs::REGENERATE
        );
    }
}

#[test]
fn shell_js_matches_the_lessons() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/shell.js");
    let generated = tvp::shell::shell_js();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).expect("www/shell.js is writable");
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "www/shell.js is out of date with the lessons. Regenerate it with:\n\n    {}\n",
        tvp::docs::REGENERATE
    );
}
