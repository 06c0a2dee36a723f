//! `; check:`-style directives, run with the `filecheck` crate over printed text.

use crate::report::Failure;
use filecheck::{Checker, CheckerBuilder, NO_VARIABLES};
use kiln_ir::parser::Comment;

/// The directive words of the `filecheck` crate.
const PREFIXES: [&str; 6] = [
    "check:",
    "sameln:",
    "nextln:",
    "unordered:",
    "not:",
    "regex:",
];

/// Builds a checker from the comments that start with a filecheck directive (other comments,
/// prose mentioning "check:" included, are ignored). `None` if there are none.
pub fn checker(comments: &[Comment]) -> Result<Option<Checker>, Failure> {
    let mut builder = CheckerBuilder::new();
    let mut any = false;
    for c in comments {
        if !PREFIXES.iter().any(|p| c.text.starts_with(p)) {
            continue;
        }
        match builder.directive(&c.text) {
            Ok(true) => any = true,
            Ok(false) => {
                return Err(Failure::at(
                    c.line,
                    format!("malformed filecheck directive `{}`", c.text),
                ))
            }
            Err(e) => {
                return Err(Failure::at(
                    c.line,
                    format!("bad filecheck directive `{}`: {e}", c.text),
                ))
            }
        }
    }
    Ok(any.then(|| builder.finish()))
}

/// Runs `checker` over `text`; the error shows the text and how the directives matched it.
pub fn check(checker: &Checker, text: &str) -> Result<(), String> {
    match checker.explain(text, NO_VARIABLES) {
        Ok((true, _)) => Ok(()),
        // The explanation shows the whole text, with what each directive matched.
        Ok((false, explanation)) => Err(format!("filecheck failed:\n{explanation}")),
        Err(e) => Err(format!("filecheck error: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comments(lines: &[(u32, &str)]) -> Vec<Comment> {
        lines
            .iter()
            .map(|&(line, text)| Comment {
                line,
                text: text.to_string(),
            })
            .collect()
    }

    #[test]
    fn selects_directives_and_checks() {
        let cs = comments(&[
            (1, "a note that says check: nothing"),
            (2, "check: block0(v0: i32):"),
            (3, "nextln: v1 = iadd v0, v0"),
            (4, "not: isub"),
            (5, "run: %f(1) == 2"),
        ]);
        let checker = checker(&cs).unwrap().unwrap();
        let good = "function %f(i32) -> i32 fast {\nblock0(v0: i32):\n    v1 = iadd v0, v0\n    return v1\n}\n";
        assert_eq!(check(&checker, good), Ok(()));
        let bad = good.replace("iadd", "isub");
        let err = check(&checker, &bad).unwrap_err();
        assert!(err.starts_with("filecheck failed:\n"), "{err}");
        assert!(err.contains("isub v0, v0"), "{err}");
    }

    #[test]
    fn no_directives_no_checker() {
        assert!(checker(&comments(&[(1, "plain comment")]))
            .unwrap()
            .is_none());
    }

    #[test]
    fn bad_directive_names_its_line() {
        let Err(err) = checker(&comments(&[(9, "regex: =x")])) else {
            panic!("`regex: =x` was accepted");
        };
        assert_eq!(err.line, Some(9));
        assert!(
            err.message
                .starts_with("bad filecheck directive `regex: =x`"),
            "{}",
            err.message
        );
    }
}
