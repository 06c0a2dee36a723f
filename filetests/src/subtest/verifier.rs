//! `test verifier`: functions without `; error:` comments must verify; the others must fail
//! with exactly the expected errors, each at the instruction on the comment's line.

use super::{error_line, inst_at_line};
use crate::report::Failure;
use kiln_ir::parser::{ParsedFunction, TestFile};
use kiln_ir::verifier::{verify_function, VerifierError};
use kiln_ir::{AnyEntity, Inst};

/// One `; error: TEXT` comment, resolved to its instruction.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct Expectation {
    /// The comment's line.
    pub line: u32,
    /// The instruction on that line.
    pub inst: Inst,
    /// The text the message must contain.
    pub text: String,
}

/// Runs `test verifier` on every function of `file`.
pub(crate) fn run(file: &TestFile) -> Vec<Failure> {
    let mut failures = Vec::new();
    for pf in &file.functions {
        let mut expected = Vec::new();
        for c in &pf.comments {
            let Some(text) = c.text.strip_prefix("error:") else {
                continue;
            };
            match inst_at_line(pf, c.line) {
                Some(inst) => expected.push(Expectation {
                    line: c.line,
                    inst,
                    text: text.trim().to_string(),
                }),
                None => failures.push(Failure::at(
                    c.line,
                    "`; error:` must be on the line of the instruction it is about",
                )),
            }
        }
        let actual = verify_function(&pf.func)
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        failures.extend(match_errors(pf, &expected, &actual));
    }
    failures
}

/// Pairs expectations with actual errors: each expectation needs its own error at its
/// instruction whose message contains the text; leftover errors are unexpected.
pub(crate) fn match_errors(
    pf: &ParsedFunction,
    expected: &[Expectation],
    actual: &[VerifierError],
) -> Vec<Failure> {
    let mut used = vec![false; actual.len()];
    let mut failures = Vec::new();
    for exp in expected {
        let hit = actual.iter().enumerate().position(|(i, e)| {
            !used[i] && e.location == AnyEntity::Inst(exp.inst) && e.message.contains(&exp.text)
        });
        match hit {
            Some(i) => used[i] = true,
            None => {
                let here: Vec<String> = actual
                    .iter()
                    .filter(|e| e.location == AnyEntity::Inst(exp.inst))
                    .map(|e| format!("`{}`", e.message))
                    .collect();
                let got = if here.is_empty() {
                    "no error there".to_string()
                } else {
                    format!("only {}", here.join(", "))
                };
                failures.push(Failure::at(
                    exp.line,
                    format!(
                        "verifier: expected an error containing `{}` at {} in {}, got {got}",
                        exp.text, exp.inst, pf.func.name
                    ),
                ));
            }
        }
    }
    for (e, _) in actual.iter().zip(&used).filter(|(_, &u)| !u) {
        failures.push(Failure::at(
            error_line(pf, e),
            format!("verifier: unexpected error in {}: {e}", pf.func.name),
        ));
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_ir::entity::SecondaryMap;
    use kiln_ir::{Block, Function, UserFuncName};

    fn pf_with_lines(lines: &[(u32, u32)]) -> ParsedFunction {
        let mut inst_lines = SecondaryMap::new();
        for &(inst, line) in lines {
            inst_lines[Inst::from_u32(inst)] = line;
        }
        let mut func = Function::new();
        func.name = UserFuncName::testcase("f");
        ParsedFunction {
            func,
            line: 1,
            inst_lines,
            comments: vec![],
        }
    }

    fn err(location: AnyEntity, message: &str) -> VerifierError {
        VerifierError {
            location,
            context: None,
            message: message.into(),
        }
    }

    fn exp(line: u32, inst: u32, text: &str) -> Expectation {
        Expectation {
            line,
            inst: Inst::from_u32(inst),
            text: text.into(),
        }
    }

    #[test]
    fn matched_expectations_pass() {
        let pf = pf_with_lines(&[(0, 3), (1, 4)]);
        let actual = [
            err(Inst::from_u32(1).into(), "arg 0 has type i64, expected i32"),
            err(Inst::from_u32(0).into(), "uses undefined value v9"),
        ];
        let expected = [exp(3, 0, "undefined value"), exp(4, 1, "expected i32")];
        assert_eq!(match_errors(&pf, &expected, &actual), vec![]);
    }

    #[test]
    fn missing_wrong_place_and_extra_errors_fail() {
        let pf = pf_with_lines(&[(0, 3), (1, 4)]);
        let actual = [
            err(Inst::from_u32(0).into(), "type mismatch"),
            err(Block::from_u32(2).into(), "block2 is unreachable"),
        ];
        // Expected at inst1 but reported at inst0; the block error is unexpected.
        let failures = match_errors(&pf, &[exp(4, 1, "type mismatch")], &actual);
        assert_eq!(
            failures,
            vec![
                Failure::at(
                    4,
                    "verifier: expected an error containing `type mismatch` at inst1 in %f, \
                     got no error there"
                ),
                Failure::at(3, "verifier: unexpected error in %f: inst0: type mismatch"),
                Failure::at(
                    1,
                    "verifier: unexpected error in %f: block2: block2 is unreachable"
                ),
            ]
        );
        // Right place, wrong text.
        let failures = match_errors(&pf, &[exp(3, 0, "overflow")], &actual[..1]);
        assert_eq!(failures.len(), 2);
        assert!(failures[0].message.ends_with("got only `type mismatch`"));
    }

    #[test]
    fn no_expectations_means_no_errors() {
        let pf = pf_with_lines(&[]);
        assert_eq!(match_errors(&pf, &[], &[]), vec![]);
        assert_eq!(
            match_errors(&pf, &[], &[err(AnyEntity::Function, "no entry block")]).len(),
            1
        );
    }

    #[test]
    fn one_error_cannot_satisfy_two_expectations() {
        let pf = pf_with_lines(&[(0, 3)]);
        let actual = [err(Inst::from_u32(0).into(), "bad operand")];
        let failures = match_errors(&pf, &[exp(3, 0, "bad"), exp(3, 0, "operand")], &actual);
        assert_eq!(failures.len(), 1);
    }
}
