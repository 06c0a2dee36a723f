//! Finding the test files named on the command line.

use std::fs;
use std::path::{Path, PathBuf};

/// A file to run, or a path that could not be read (reported as a failed test).
#[derive(Clone, PartialEq, Eq, Debug, PartialOrd, Ord)]
pub struct Found {
    /// The path.
    pub path: PathBuf,
    /// Why it cannot be run, if it cannot.
    pub error: Option<String>,
}

/// Expands `paths`: a file stands for itself (whatever its extension); a folder for every
/// `*.clif` and `*.wat` file below it. The result is sorted and free of duplicates, so runs are
/// deterministic.
pub fn collect(paths: &[PathBuf]) -> Vec<Found> {
    let mut found = Vec::new();
    for path in paths {
        match fs::metadata(path) {
            Ok(m) if m.is_dir() => walk(path, &mut found),
            Ok(_) => found.push(Found {
                path: path.clone(),
                error: None,
            }),
            Err(e) => found.push(Found {
                path: path.clone(),
                error: Some(format!("cannot read: {e}")),
            }),
        }
    }
    found.sort();
    found.dedup_by(|a, b| a.path == b.path);
    found
}

fn walk(dir: &Path, found: &mut Vec<Found>) {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            found.push(Found {
                path: dir.to_path_buf(),
                error: Some(format!("cannot read folder: {e}")),
            });
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                found.push(Found {
                    path: dir.to_path_buf(),
                    error: Some(format!("cannot read folder: {e}")),
                });
                continue;
            }
        };
        let path = entry.path();
        // `file_type` does not follow symbolic links, so a linked folder cannot loop.
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(&path, found),
            Ok(_)
                if path.extension().is_some_and(|e| e == "clif" || e == "wat")
                    && path.is_file() =>
            {
                found.push(Found { path, error: None })
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_clif_files_sorted() {
        let root = std::env::temp_dir().join(format!("kiln-discover-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("b/inner")).unwrap();
        fs::create_dir_all(root.join("a")).unwrap();
        for f in [
            "b/inner/z.clif",
            "b/y.clif",
            "a/x.clif",
            "a/notes.txt",
            "top.clif",
        ] {
            fs::write(root.join(f), "").unwrap();
        }
        let missing = root.join("missing.clif");
        let found = collect(&[root.clone(), root.join("a/x.clif"), missing.clone()]);
        let names: Vec<String> = found
            .iter()
            .map(|f| {
                f.path
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(
            names,
            [
                "a/x.clif",
                "b/inner/z.clif",
                "b/y.clif",
                "missing.clif",
                "top.clif"
            ]
        );
        let missing_entry = found.iter().find(|f| f.path == missing).unwrap();
        assert!(missing_entry
            .error
            .as_deref()
            .unwrap()
            .starts_with("cannot read: "));
        assert!(found
            .iter()
            .filter(|f| f.path != missing)
            .all(|f| f.error.is_none()));
        fs::remove_dir_all(&root).unwrap();
    }
}
