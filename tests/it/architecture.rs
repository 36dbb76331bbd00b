//! The shape of the code, checked like behaviour: no import cycle between the top-level modules of
//! `src/`, TikTok named only behind the platform seam, and page handlers short enough to only parse,
//! call a use case and render. Read from the source itself, so the checks need no tool beyond the
//! test binary.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("the source folder is readable") {
            let path = entry.expect("a readable folder entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level module a file of `src/` belongs to (`web` for `src/web/pages/leads.rs`).
fn top_module(file: &Path) -> String {
    let relative = file.strip_prefix(src()).expect("a file under src/");
    let first = relative
        .components()
        .next()
        .expect("a path inside src/")
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

/// The code of a file without its trailing unit-test module (`#[cfg(test)] mod ... {` to the end):
/// tests may reach anything, the modules they test may not.
fn without_tests(code: &str) -> &str {
    let mut offset = 0;
    for line in code.split_inclusive('\n') {
        if line.trim() == "#[cfg(test)]" {
            let next = &code[offset + line.len()..];
            if next.trim_start().starts_with("mod ") {
                return &code[..offset];
            }
        }
        offset += line.len();
    }
    code
}

/// The first segments of the paths a file reaches through `crate::`: `crate::db::run` gives `db`,
/// `use crate::{ai::LeadType, db};` gives `ai` and `db`.
fn crate_references(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let mut depth = 1;
            let mut item = String::new();
            let mut items = Vec::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 1 => items.push(std::mem::take(&mut item)),
                    _ => {}
                }
                if depth == 0 {
                    break;
                }
                if depth == 1 && c != ',' {
                    item.push(c);
                }
            }
            items.push(item);
            for item in items {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != "self" {
                    names.insert(name);
                }
            }
        } else {
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            names.insert(name);
        }
        rest = after;
    }
    names
}

/// Which top-level module imports which, from the code of `src/` (unit tests left out).
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let files = rust_files(&src());
    let modules: BTreeSet<String> = files.iter().map(|f| top_module(f)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let from = top_module(file);
        let code = std::fs::read_to_string(file).expect("a readable source file");
        let edges = graph.entry(from.clone()).or_default();
        for to in crate_references(without_tests(&code)) {
            if to != from && modules.contains(&to) {
                edges.insert(to);
            }
        }
    }
    graph
}

/// A cycle through `start`, if there is one: the modules in order, `start` first and last.
fn cycle_through(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![(start.to_owned(), vec![start.to_owned()])];
    let mut seen = BTreeSet::new();
    while let Some((module, path)) = stack.pop() {
        for next in graph.get(&module).into_iter().flatten() {
            if next == start {
                let mut cycle = path.clone();
                cycle.push(start.to_owned());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push((next.clone(), longer));
            }
        }
    }
    None
}

#[test]
fn the_reader_of_the_module_graph_sees_plain_and_grouped_imports() {
    let code = "use crate::db::run;\nuse crate::{ai::LeadType, domain::{Role, Slug}, self};\n\
                fn f() { crate::mail::queue(); }\n#[cfg(test)]\nmod tests { use crate::web; }\n";
    let names = crate_references(without_tests(code));
    assert_eq!(
        names.into_iter().collect::<Vec<_>>(),
        ["ai", "db", "domain", "mail"]
    );
}

#[test]
fn no_top_level_module_imports_one_that_imports_it_back() {
    let graph = module_graph();
    assert!(
        graph.len() > 10,
        "the graph should hold the crate's modules: {graph:?}"
    );
    let cycles: Vec<String> = graph
        .keys()
        .filter_map(|module| cycle_through(&graph, module))
        .map(|cycle| cycle.join(" -> "))
        .collect();
    assert!(
        cycles.is_empty(),
        "import cycles between top-level modules of src/:\n{}",
        cycles.join("\n")
    );
}

/// The layers of `src/`, lowest first (the picture in docs/ARCHITECTURE.md, "Layers"): a module imports
/// only modules of lower layers. A new top-level module must be placed here.
const LAYERS: &[&[&str]] = &[
    // foundations
    &["i18n", "scrape", "test_support"],
    // rules
    &["domain"],
    // secrets
    &["crypto"],
    // engines: storage, the networks, the analyzers
    &["db", "platforms", "ai"],
    // boundaries
    &["error", "integrations", "config", "demo"],
    // services
    &["mail", "telemetry"],
    // state and identity
    &["state", "auth"],
    &["usecases"],
    &["jobs"],
    &["web"],
    // the benchmarks and generated data, which the command line runs
    &["bench"],
    // entry points
    &["app", "cli", "fuzz", "lib", "main"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

#[test]
fn every_module_imports_only_lower_layers() {
    let graph = module_graph();
    let mut wrong = Vec::new();
    for (from, imports) in &graph {
        let Some(from_layer) = layer_of(from) else {
            wrong.push(format!("{from} is in no layer: place it in LAYERS"));
            continue;
        };
        for to in imports {
            match layer_of(to) {
                Some(to_layer) if to_layer < from_layer => {}
                _ => wrong.push(format!("{from} imports {to}")),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers of docs/ARCHITECTURE.md (a module imports only lower layers):\n{}",
        wrong.join("\n")
    );
}

/// Where a file may name TikTok: the network's own code, the demo that imitates it, the registry of
/// platforms and the translations. Paths are relative to the crate root; a folder ends with `/`.
const MAY_NAME_TIKTOK: &[&str] = &[
    // TikTok's implementation of the platform seam (and any other network's).
    "src/platforms/",
    // The demo network imitates TikTok, in code...
    "src/demo/",
    // ...and in its pages.
    "templates/demo/",
    // The registry of platforms: every network's id and name.
    "src/domain/platform.rs",
    // The translations say which network a message is about.
    "src/locales/",
    // Hostile-input properties of the platform page readers (TikTok's today), kept with the other
    // parsers' properties in the one test-only fuzz module that shares their generators.
    "src/fuzz/pages.rs",
];

/// Every file under `dir` (any extension), sorted.
fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("the folder is readable") {
            let path = entry.expect("a readable folder entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn no_file_outside_the_platforms_the_demo_the_registry_and_the_translations_names_tiktok() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut offenders = Vec::new();
    for dir in ["src", "templates"] {
        for file in all_files(&root.join(dir)) {
            let relative = file
                .strip_prefix(root)
                .expect("a file under the crate root")
                .to_string_lossy()
                .replace('\\', "/");
            if MAY_NAME_TIKTOK
                .iter()
                .any(|allowed| relative.starts_with(allowed))
            {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            for (number, line) in text.lines().enumerate() {
                if line.to_lowercase().contains("tiktok") {
                    offenders.push(format!("{relative}:{}: {}", number + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "TikTok is named outside platforms/, the demo, the registry and the translations (go through \
         `platforms::` and `domain::platform::Platform`):\n{}",
        offenders.join("\n")
    );
}

/// The longest a page handler may be, from its signature to its closing brace: a handler parses,
/// calls one use case and renders.
const HANDLER_LINES: usize = 40;

/// Every `async fn` of the page modules (route handlers and the page-building helpers they call) with
/// its length in lines, as (`path:function` with the path under `web/pages/`, lines). The braces are
/// counted line by line; a brace inside a string literal would skew it, and handlers hold none.
fn handler_lengths() -> Vec<(String, usize)> {
    let mut handlers = Vec::new();
    let pages = src().join("web").join("pages");
    for file in rust_files(&pages) {
        let code = std::fs::read_to_string(&file).expect("a readable source file");
        let code = without_tests(&code);
        let name = file
            .strip_prefix(&pages)
            .expect("a file under web/pages")
            .to_string_lossy()
            .replace('\\', "/");
        let lines: Vec<&str> = code.lines().collect();
        let mut index = 0;
        while index < lines.len() {
            let line = lines[index].trim_start();
            let signature = line
                .strip_prefix("pub ")
                .or_else(|| line.strip_prefix("pub(crate) "))
                .unwrap_or(line);
            let Some(rest) = signature.strip_prefix("async fn ") else {
                index += 1;
                continue;
            };
            let function: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let (mut depth, mut opened, mut end) = (0_usize, false, index);
            for (offset, body) in lines[index..].iter().enumerate() {
                let opens = body.matches('{').count();
                depth = (depth + opens).saturating_sub(body.matches('}').count());
                opened |= opens > 0;
                if opened && depth == 0 {
                    end = index + offset;
                    break;
                }
            }
            handlers.push((format!("{name}:{function}"), end - index + 1));
            index = end + 1;
        }
    }
    handlers
}

#[test]
fn the_reader_of_handler_lengths_finds_the_page_handlers() {
    let handlers = handler_lengths();
    assert!(
        handlers.len() > 50,
        "only {} handlers found",
        handlers.len()
    );
    let health = handlers
        .iter()
        .find(|(name, _)| name.starts_with("health.rs:"))
        .expect("the health handler is read");
    assert!(health.1 >= 3, "{health:?}");
}

#[test]
fn no_page_handler_is_longer_than_forty_lines() {
    let handlers = handler_lengths();
    let long: Vec<String> = handlers
        .iter()
        .filter(|(_, lines)| *lines > HANDLER_LINES)
        .map(|(name, lines)| format!("{name}: {lines} lines"))
        .collect();
    assert!(
        long.is_empty(),
        "handlers parse, call one use case and render, in at most {HANDLER_LINES} lines; move the \
         rest into `usecases::`:\n{}",
        long.join("\n")
    );
}
