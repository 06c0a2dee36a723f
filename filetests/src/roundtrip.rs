//! The check every function gets: printing it, parsing the print and printing again must give
//! the same text, so the printer and the parser agree on the format.

use kiln_ir::parser::parse_functions;
use kiln_ir::Function;

/// Checks print -> parse -> print; the error explains the difference.
pub fn check(func: &Function) -> Result<(), String> {
    let first = func.to_string();
    let reparsed = parse_functions(&first).map_err(|e| {
        format!(
            "round trip: the printed function does not parse again: {e}\n{}",
            numbered(&first)
        )
    })?;
    let [again] = reparsed.as_slice() else {
        return Err(format!(
            "round trip: the printed function parses as {} functions",
            reparsed.len()
        ));
    };
    let second = again.to_string();
    if first == second {
        Ok(())
    } else {
        Err(format!(
            "round trip: print -> parse -> print differs (- first print, + second print):\n{}",
            diff(&first, &second)
        ))
    }
}

/// The text with line numbers, to locate a parse error in it.
fn numbered(text: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| format!("{:>4} | {l}\n", i + 1))
        .collect()
}

/// A line diff of `a` and `b`: differing lines marked `-`/`+`, with one line of context.
pub fn diff(a: &str, b: &str) -> String {
    let a: Vec<&str> = a.lines().collect();
    let b: Vec<&str> = b.lines().collect();
    let ops = edit_script(&a, &b);
    let changed: Vec<bool> = ops.iter().map(|op| !matches!(op, Op::Same(_))).collect();
    let mut out = String::new();
    let mut skipped = false;
    for (i, op) in ops.iter().enumerate() {
        let near = changed[i.saturating_sub(1)..(i + 2).min(ops.len())]
            .iter()
            .any(|&c| c);
        if !near {
            skipped = true;
            continue;
        }
        if skipped {
            out.push_str("  ...\n");
            skipped = false;
        }
        let (mark, line) = match op {
            Op::Same(l) => (' ', l),
            Op::Del(l) => ('-', l),
            Op::Add(l) => ('+', l),
        };
        out.push(mark);
        out.push(' ');
        out.push_str(line);
        out.push('\n');
    }
    out
}

enum Op<'a> {
    Same(&'a str),
    Del(&'a str),
    Add(&'a str),
}

/// A shortest edit script by longest common subsequence; functions are small, and a huge one
/// falls back to "everything changed" rather than using quadratic memory.
fn edit_script<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<Op<'a>> {
    let (n, m) = (a.len(), b.len());
    if n.saturating_mul(m) > 4_000_000 {
        let mut ops: Vec<Op> = a.iter().map(|l| Op::Del(l)).collect();
        ops.extend(b.iter().map(|l| Op::Add(l)));
        return ops;
    }
    // lcs[i][j]: length of the LCS of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut ops = Vec::new();
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push(Op::Same(a[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(Op::Del(a[i]));
            i += 1;
        } else {
            ops.push(Op::Add(b[j]));
            j += 1;
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_marks_changed_lines_with_context() {
        let a = "l1\nl2\nl3\nl4\nl5\nl6\n";
        let b = "l1\nl2\nl3\nX4\nl5\nl6\n";
        assert_eq!(diff(a, b), "  ...\n  l3\n- l4\n+ X4\n  l5\n");
        assert_eq!(diff("a\nb\n", "a\nb\nc\n"), "  ...\n  b\n+ c\n");
        assert_eq!(diff("x\n", "x\n"), "");
    }

    #[test]
    fn numbers_lines() {
        assert_eq!(numbered("a\nb\n"), "   1 | a\n   2 | b\n");
    }
}
