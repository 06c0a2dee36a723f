//! What running a test file produced: failures, skipped test commands, and the totals.

use core::fmt;
use std::path::PathBuf;

/// The result of one test file: each file counts as one test.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Status {
    /// Everything that ran passed (and something ran, or the file had no test command).
    Passed,
    /// Something failed.
    Failed,
    /// Every test command of the file was skipped.
    Skipped,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Passed => "PASS",
            Status::Failed => "FAIL",
            Status::Skipped => "SKIP",
        })
    }
}

/// One failure inside a file.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Failure {
    /// The 1-based line it concerns, if any.
    pub line: Option<u32>,
    /// The 1-based column, if known (parse errors).
    pub col: Option<u32>,
    /// What went wrong; may span several lines (a diff, say).
    pub message: String,
}

impl Failure {
    /// A failure about the file as a whole.
    pub fn file(message: impl Into<String>) -> Self {
        Self {
            line: None,
            col: None,
            message: message.into(),
        }
    }

    /// A failure at `line`.
    pub fn at(line: u32, message: impl Into<String>) -> Self {
        Self {
            line: Some(line),
            col: None,
            message: message.into(),
        }
    }
}

/// A test command that did not run, and why.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Skip {
    /// The command, e.g. `run` or `compile`.
    pub command: String,
    /// Why it was skipped.
    pub reason: String,
}

/// The outcome of one file.
#[derive(Clone, Debug)]
pub struct FileReport {
    /// The file, as it was found.
    pub path: PathBuf,
    /// Passed, failed or skipped.
    pub status: Status,
    /// Every failure, in the order found.
    pub failures: Vec<Failure>,
    /// The test commands that were skipped.
    pub skipped: Vec<Skip>,
    /// The test commands that ran.
    pub ran: Vec<String>,
}

impl FileReport {
    /// Each failure as `file:line:col: message` (line and column when known).
    pub fn failure_lines(&self) -> impl Iterator<Item = String> + '_ {
        self.failures.iter().map(|f| {
            let mut s = self.path.display().to_string();
            if let Some(line) = f.line {
                s.push_str(&format!(":{line}"));
                if let Some(col) = f.col {
                    s.push_str(&format!(":{col}"));
                }
            }
            s.push_str(": ");
            s.push_str(&f.message);
            s
        })
    }
}

/// The outcome of a whole run, files in a deterministic (sorted) order.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// One report per file.
    pub files: Vec<FileReport>,
}

impl Summary {
    fn count(&self, status: Status) -> usize {
        self.files.iter().filter(|f| f.status == status).count()
    }

    /// Files that passed.
    pub fn passed(&self) -> usize {
        self.count(Status::Passed)
    }

    /// Files that failed.
    pub fn failed(&self) -> usize {
        self.count(Status::Failed)
    }

    /// Files that were skipped.
    pub fn skipped(&self) -> usize {
        self.count(Status::Skipped)
    }

    /// The closing line `N passed, N failed, N skipped`: a public contract that scripts parse.
    pub fn totals_line(&self) -> String {
        format!(
            "{} passed, {} failed, {} skipped",
            self.passed(),
            self.failed(),
            self.skipped()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(name: &str, status: Status) -> FileReport {
        FileReport {
            path: PathBuf::from(name),
            status,
            failures: vec![],
            skipped: vec![],
            ran: vec![],
        }
    }

    #[test]
    fn totals_count_each_file_once() {
        let summary = Summary {
            files: vec![
                report("a.clif", Status::Passed),
                report("b.clif", Status::Failed),
                report("c.clif", Status::Skipped),
                report("d.clif", Status::Passed),
            ],
        };
        assert_eq!(summary.totals_line(), "2 passed, 1 failed, 1 skipped");
        assert_eq!(
            Summary::default().totals_line(),
            "0 passed, 0 failed, 0 skipped"
        );
    }

    #[test]
    fn failure_lines_name_the_place() {
        let mut r = report("x/a.clif", Status::Failed);
        r.failures.push(Failure {
            line: Some(3),
            col: Some(7),
            message: "bad token".into(),
        });
        r.failures
            .push(Failure::at(9, "run: %f() == 1: expected 1, got 2"));
        r.failures.push(Failure::file("cannot read"));
        let lines: Vec<String> = r.failure_lines().collect();
        assert_eq!(
            lines,
            [
                "x/a.clif:3:7: bad token",
                "x/a.clif:9: run: %f() == 1: expected 1, got 2",
                "x/a.clif: cannot read",
            ]
        );
    }
}
