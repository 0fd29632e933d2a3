//! The layering of DESIGN.md §4, checked on the manifest and the sources: the web layer reaches
//! storage only through the app.

/// `gongzhi-web` has no dependency on `gongzhi-store`, not even for its tests (they set up a
/// world through `gongzhi_app::testing` and read the record through `gongzhi_app::verify`), and
/// no source or test file of it names the store: records it shows come from
/// `gongzhi_app::records`, everything else through the app's functions.
#[test]
fn the_web_layer_reaches_storage_only_through_the_app() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    let mut section = String::new();
    let mut runtime_deps = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line.to_string();
        } else if (section == "[dependencies]" || section == "[dev-dependencies]")
            && let Some((name, _)) = line.split_once(['=', '.'])
        {
            runtime_deps.push(name.trim().to_string());
        }
    }
    assert!(
        runtime_deps.iter().any(|d| d == "gongzhi-app"),
        "the manifest was read: {runtime_deps:?}"
    );
    assert!(
        !runtime_deps.iter().any(|d| d == "gongzhi-store"),
        "gongzhi-web depends on gongzhi-store: {runtime_deps:?}"
    );

    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut sources = Vec::new();
    rust_files(&dir.join("src"), &mut sources);
    rust_files(&dir.join("tests"), &mut sources);
    assert!(sources.len() > 10, "the scan found the sources");
    let naming_the_store: Vec<_> = sources
        .iter()
        .filter(|p| !p.ends_with("layering.rs"))
        .filter(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .contains("gongzhi_store")
        })
        .collect();
    assert!(
        naming_the_store.is_empty(),
        "web sources name the store: {naming_the_store:?}"
    );
}
