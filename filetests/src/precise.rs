//! `test compile precise-output`: each function's whole listing is expected verbatim in the
//! comment block right after its closing `}` (every line prefixed with `; `). With
//! `KILN_BLESS=1` in the environment, mismatching blocks are rewritten with the actual
//! listings instead of failing.

use crate::report::Failure;
use kiln_ir::parser::ParsedFunction;
use std::path::Path;

/// The environment variable that turns mismatches into rewrites.
pub const BLESS_VAR: &str = "KILN_BLESS";

/// Whether blessing is on.
pub(crate) fn blessing() -> bool {
    std::env::var(BLESS_VAR).is_ok_and(|v| v == "1")
}

/// Directive comments end an expectation block.
fn is_directive(comment: &str) -> bool {
    [
        "run:",
        "trap:",
        "check:",
        "sameln:",
        "nextln:",
        "unordered:",
        "not:",
        "regex:",
    ]
    .iter()
    .any(|d| comment.starts_with(d))
}

/// The 0-based line range of the expectation block of `pf` in `lines` (possibly empty, just
/// after the closing brace), or `None` if the closing brace is not found.
fn block_range(lines: &[&str], pf: &ParsedFunction) -> Option<(usize, usize)> {
    let last_inst = pf
        .inst_lines
        .iter()
        .map(|(_, &l)| l)
        .max()
        .unwrap_or(0)
        .max(pf.line);
    let close = (last_inst as usize..lines.len()).find(|&i| lines[i].trim() == "}")?;
    let start = close + 1;
    let mut end = start;
    while end < lines.len() {
        let t = lines[end].trim();
        let Some(c) = t.strip_prefix(';') else { break };
        if is_directive(c.trim()) {
            break;
        }
        end += 1;
    }
    Some((start, end))
}

fn comment_text(line: &str) -> &str {
    let t = line.trim();
    let t = t.strip_prefix(';').unwrap_or(t);
    t.strip_prefix(' ').unwrap_or(t).trim_end()
}

fn as_comments(listing: &str) -> Vec<String> {
    listing
        .lines()
        .map(|l| {
            let l = l.trim_end();
            if l.is_empty() {
                ";".to_string()
            } else {
                format!("; {l}")
            }
        })
        .collect()
}

/// Compares each function's listing with its block; blesses or reports mismatches.
/// `listings` pairs function indices with their listings.
pub(crate) fn check(
    path: &Path,
    text: &str,
    funcs: &[ParsedFunction],
    listings: &[(usize, String)],
) -> Vec<Failure> {
    let lines: Vec<&str> = text.lines().collect();
    let mut failures = Vec::new();
    let mut rewrites: Vec<(usize, usize, Vec<String>)> = Vec::new();
    for (i, listing) in listings {
        let pf = &funcs[*i];
        let Some((start, end)) = block_range(&lines, pf) else {
            failures.push(Failure::at(
                pf.line,
                "precise-output: closing `}` not found",
            ));
            continue;
        };
        let expected: Vec<&str> = lines[start..end].iter().map(|l| comment_text(l)).collect();
        let actual: Vec<&str> = listing.lines().map(str::trim_end).collect();
        if expected == actual {
            continue;
        }
        if blessing() {
            rewrites.push((start, end, as_comments(listing)));
        } else {
            let first = expected
                .iter()
                .zip(&actual)
                .position(|(e, a)| e != a)
                .unwrap_or(expected.len().min(actual.len()));
            failures.push(Failure::at(
                (start + first + 1) as u32,
                format!(
                    "precise-output of {} differs at listing line {}: expected `{}`, got `{}` \
                     (run with {BLESS_VAR}=1 to update)",
                    pf.func.name,
                    first + 1,
                    expected.get(first).unwrap_or(&"<end>"),
                    actual.get(first).unwrap_or(&"<end>"),
                ),
            ));
        }
    }
    if !rewrites.is_empty() {
        let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        rewrites.sort_by_key(|r| std::cmp::Reverse(r.0));
        for (start, end, new) in rewrites {
            out.splice(start..end, new);
        }
        let mut text = out.join("\n");
        text.push('\n');
        if let Err(e) = std::fs::write(path, text) {
            failures.push(Failure::file(format!(
                "cannot bless {}: {e}",
                path.display()
            )));
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_ir::parser::parse_test;

    const TEXT: &str = "test compile precise-output
function %f() {
block0:
    return
}
; push rbp
; ret
; run: %f()
";

    #[test]
    fn block_stops_at_directives_and_compares_verbatim() {
        let file = parse_test(TEXT).unwrap();
        let lines: Vec<&str> = TEXT.lines().collect();
        assert_eq!(block_range(&lines, &file.functions[0]), Some((5, 7)));
        let path = Path::new("/nonexistent/f.clif");
        let ok = check(
            path,
            TEXT,
            &file.functions,
            &[(0, "push rbp\nret\n".into())],
        );
        assert!(ok.is_empty(), "{ok:?}");
        if !blessing() {
            let bad = check(
                path,
                TEXT,
                &file.functions,
                &[(0, "push rbp\nnop\n".into())],
            );
            assert_eq!(bad.len(), 1);
            assert!(
                bad[0].message.contains("expected `ret`, got `nop`"),
                "{bad:?}"
            );
        }
    }
}
