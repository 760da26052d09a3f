//! The crate's top-level modules depend on each other in one direction
//! only: a reader can learn them bottom up (`format`, `params`, the
//! workloads, the models, …, the session, the page) without meeting a
//! module that needs one they have not read yet. This reads `crate::…`
//! paths in the code of `src/` (tests and comments left out) and fails on
//! any cycle between the modules they name.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

/// `text` without comments, with every string and character literal
/// emptied (a brace or a `crate::` in one is not code), and without
/// `#[cfg(test)]` modules: only what the crate itself is built from.
fn code_of(text: &str) -> String {
    let no_comments = strip_literals(text);
    let mut out = String::new();
    let mut rest = no_comments.as_str();
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let module = |o: &usize| after[..*o].contains("mod ") && !after[..*o].contains(';');
        let Some(open) = after.find('{').filter(module) else {
            // A test-only item that is not an inline module (a helper, or
            // `mod x;` in a file of its own): keep it, it is small.
            out.push_str("#[cfg(test)]");
            rest = &after["#[cfg(test)]".len()..];
            continue;
        };
        let mut depth = 0;
        let mut end = after.len();
        for (i, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = open + i + 1;
                break;
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// `text` with comments dropped and literals left as `""` and `' '`.
fn strip_literals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        match (chars[i], at(i + 1)) {
            ('/', '/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            ('/', '*') => {
                i += 2;
                while i < chars.len() && !(chars[i] == '*' && at(i + 1) == '/') {
                    i += 1;
                }
                i += 2;
            }
            ('r', '#' | '"') if !at(i.wrapping_sub(1)).is_alphanumeric() => {
                let mut hashes = 0;
                i += 1;
                while at(i) == '#' {
                    hashes += 1;
                    i += 1;
                }
                i += 1;
                let closes = |i: usize| chars[i] == '"' && (1..=hashes).all(|k| at(i + k) == '#');
                while i < chars.len() && !closes(i) {
                    i += 1;
                }
                i += 1 + hashes;
                out.push_str("\"\"");
            }
            ('"', _) => {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
                out.push_str("\"\"");
            }
            // A character literal ('x', '\n', '\''), not a lifetime ('a).
            ('\'', '\\') => {
                i += 3;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
                out.push_str("' '");
            }
            ('\'', _) if at(i + 2) == '\'' => {
                i += 3;
                out.push_str("' '");
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// The top-level modules a piece of code names: `crate::a::…` and each of
/// `crate::{a, b::c}`.
fn named(code: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let after = &code[at + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            out.extend(group.split(',').map(ident));
        } else {
            out.insert(ident(after));
        }
    }
    out.retain(|m| !m.is_empty());
    out
}

fn add_file(graph: &mut Graph, module: &str, path: &Path) {
    let code = code_of(&fs::read_to_string(path).unwrap());
    let uses = named(&code).into_iter().filter(|m| m != module);
    graph.entry(module.to_string()).or_default().extend(uses);
}

fn add_dir(graph: &mut Graph, module: &str, dir: &Path) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            add_dir(graph, module, &path);
        } else if path.extension().is_some_and(|e| e == "rs") {
            add_file(graph, module, &path);
        }
    }
}

fn module_graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph = Graph::new();
    for entry in fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        // The crate root and the entry points only gather the modules.
        if name == "lib" || name == "bin" {
            continue;
        }
        if path.is_dir() {
            add_dir(&mut graph, &name, &path);
        } else if path.extension().is_some_and(|e| e == "rs") {
            add_file(&mut graph, &name, &path);
        }
    }
    graph
}

/// A cycle through `from`, as the path that closes it, if there is one
/// among the modules not yet `done`.
fn cycle_from(
    graph: &Graph,
    from: &str,
    path: &mut Vec<String>,
    done: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    if let Some(at) = path.iter().position(|m| m == from) {
        let mut cycle = path[at..].to_vec();
        cycle.push(from.to_string());
        return Some(cycle);
    }
    if done.contains(from) {
        return None;
    }
    path.push(from.to_string());
    for next in graph.get(from).into_iter().flatten() {
        if let Some(cycle) = cycle_from(graph, next, path, done) {
            return Some(cycle);
        }
    }
    path.pop();
    done.insert(from.to_string());
    None
}

#[test]
fn no_two_top_level_modules_depend_on_each_other() {
    let graph = module_graph();
    assert!(
        graph.contains_key("session") && graph["verdict"].contains("report"),
        "the walk reads the modules: {graph:?}"
    );
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        if let Some(cycle) = cycle_from(&graph, module, &mut Vec::new(), &mut done) {
            panic!("a cycle between modules: {}", cycle.join(" → "));
        }
    }
}

#[test]
fn the_walk_sees_groups_and_skips_tests_and_comments() {
    let code = code_of(
        r#"use crate::{report::Env, stats};
        // crate::session in words
        fn f() { crate::format::ms(1.0); let s = "crate::plan {"; }
        #[cfg(test)]
        mod util;
        pub use crate::params::lookup;
        #[cfg(test)]
        mod tests { use crate::share; fn g<'a>(c: char) -> bool { c == '}' } }
        fn h() {}"#,
    );
    assert!(code.contains("fn h()"));
    let names: Vec<String> = named(&code).into_iter().collect();
    assert_eq!(names, ["format", "params", "report", "stats"]);
}
