//! `; run:` and `; trap:` directives: parsing, typing against a signature, and judging the
//! outcome of a call.
//!
//! Syntax (comment text after `;`):
//! - `run: %f(1, 2) == 3`, `run: %f(0) == [1, 2]` (several results), `run: %f(1) != 4`;
//! - `run: %f(1)`: the single integer result must be non-zero;
//! - `run` alone: the enclosing function, called without arguments, must return non-zero;
//! - `trap: %f(1, 0) == int_divz`: the call must trap with that code.
//!
//! Arguments and results use [`DataValue::parse`] literals of the signature's types; a vector
//! literal is written `[1 2 3 4]`, so commas only separate arguments or results.

use kiln_ir::interpreter::InterpreterError;
use kiln_ir::{DataValue, Signature, TrapCode, Type};

/// A call written in a directive: `%name(arg, ...)`, arguments still as text.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Invocation {
    /// The function name as written (`%f` or `u0:1`).
    pub func: String,
    /// The argument literals.
    pub args: Vec<String>,
}

/// What a directive expects, literals still as text.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Expected {
    /// No comparison: one integer result, non-zero.
    Truthy,
    /// `== VALUE` or `== [V1, V2]`.
    Eq(String),
    /// `!= VALUE` or `!= [V1, V2]`.
    Ne(String),
    /// `trap: ... == CODE`.
    Trap(TrapCode),
}

/// One `; run:` or `; trap:` line.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RunDirective {
    /// The 1-based line of the comment.
    pub line: u32,
    /// The comment text, for messages (`run: %f(1) == 2`).
    pub text: String,
    /// The call.
    pub call: Invocation,
    /// The expectation.
    pub expected: Expected,
}

/// Recognises a run or trap directive in a comment's text. `None` if the comment is no such
/// directive; `Some(Err)` if it is one but malformed. `enclosing` names the function whose
/// comments hold the line (used by a bare `run`).
pub fn parse_directive(
    line: u32,
    text: &str,
    enclosing: Option<&str>,
) -> Option<Result<RunDirective, String>> {
    let text = text.trim();
    let make = |call, expected| RunDirective {
        line,
        text: text.to_string(),
        call,
        expected,
    };
    if text == "run" {
        return Some(match enclosing {
            Some(name) => Ok(make(
                Invocation {
                    func: name.to_string(),
                    args: vec![],
                },
                Expected::Truthy,
            )),
            None => Err("a bare `run` must be inside a function".into()),
        });
    }
    let (is_trap, body) = if let Some(body) = text.strip_prefix("run:") {
        (false, body)
    } else if let Some(body) = text.strip_prefix("trap:") {
        (true, body)
    } else {
        // `; run %f(1) == 2` is a directive with a typo, not prose: silently ignoring it would
        // lose the test.
        for word in ["run", "trap"] {
            if let Some(rest) = text.strip_prefix(word) {
                if rest.starts_with(char::is_whitespace) && rest.trim_start().starts_with('%') {
                    return Some(Err(format!("missing `:` after `{word}`")));
                }
            }
        }
        return None;
    };
    Some(parse_body(body, is_trap).map(|(call, expected)| make(call, expected)))
}

fn parse_body(body: &str, is_trap: bool) -> Result<(Invocation, Expected), String> {
    let body = body.trim();
    let (call, rest) = parse_call(body)?;
    let rest = rest.trim();
    let comparison = if let Some(v) = rest.strip_prefix("==") {
        Some((true, v.trim()))
    } else if let Some(v) = rest.strip_prefix("!=") {
        Some((false, v.trim()))
    } else if rest.is_empty() {
        None
    } else {
        return Err(format!(
            "expected `==` or `!=` after the call, found `{rest}`"
        ));
    };
    if let Some((_, "")) = comparison {
        return Err("missing the expected value after the comparison".into());
    }
    let expected = match (is_trap, comparison) {
        (false, None) => Expected::Truthy,
        (false, Some((true, v))) => Expected::Eq(v.to_string()),
        (false, Some((false, v))) => Expected::Ne(v.to_string()),
        (true, Some((true, code))) => Expected::Trap(
            code.parse()
                .map_err(|()| format!("`{code}` is not a trap code"))?,
        ),
        (true, Some((false, _))) => return Err("a trap line compares with `==` only".into()),
        (true, None) => return Err("a trap line needs `== CODE`".into()),
    };
    Ok((call, expected))
}

/// Splits `%name(args) rest` into the invocation and the rest.
fn parse_call(text: &str) -> Result<(Invocation, &str), String> {
    if text.is_empty() {
        return Err("missing the call, like `%f(1, 2)`".into());
    }
    let open = text
        .find('(')
        .ok_or_else(|| format!("expected a call like `%f(1, 2)`, found `{text}`"))?;
    let name = &text[..open];
    let name_ok = (name.starts_with('%') && name.len() > 1 || name.starts_with('u'))
        && !name.contains(char::is_whitespace);
    if !name_ok {
        return Err(format!(
            "expected a function name like `%f` or `u0:1`, found `{}`",
            name.trim()
        ));
    }
    let close = text[open..]
        .find(')')
        .map(|i| open + i)
        .ok_or_else(|| "missing `)` after the arguments".to_string())?;
    let inner = &text[open + 1..close];
    if inner.contains('(') {
        return Err("unexpected `(` in the arguments".into());
    }
    let args = split_list(inner).map_err(|e| format!("in the arguments: {e}"))?;
    Ok((
        Invocation {
            func: name.to_string(),
            args,
        },
        &text[close + 1..],
    ))
}

/// Splits at top-level commas (commas inside `[...]` stay); an empty text is an empty list.
fn split_list(text: &str) -> Result<Vec<String>, String> {
    if text.trim().is_empty() {
        return Ok(vec![]);
    }
    let mut items = vec![];
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth < 0 {
                    return Err("unbalanced `]`".into());
                }
            }
            ',' if depth == 0 => {
                items.push(text[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err("unbalanced `[`".into());
    }
    items.push(text[start..].trim().to_string());
    if let Some(pos) = items.iter().position(String::is_empty) {
        return Err(format!("item {} is empty", pos + 1));
    }
    Ok(items)
}

/// A directive with its literals turned into values of the signature's types.
#[derive(Clone, PartialEq, Debug)]
pub struct TypedRun {
    /// The arguments.
    pub args: Vec<DataValue>,
    /// The expectation.
    pub expected: TypedExpected,
}

/// An expectation with typed values.
#[derive(Clone, PartialEq, Debug)]
pub enum TypedExpected {
    /// One integer result, non-zero.
    Truthy,
    /// The results must match these.
    Eq(Vec<DataValue>),
    /// The results must differ from these.
    Ne(Vec<DataValue>),
    /// The call must trap with this code.
    Trap(TrapCode),
}

/// Types the literals of `directive` against `sig`, the called function's signature.
pub fn type_directive(directive: &RunDirective, sig: &Signature) -> Result<TypedRun, String> {
    let name = &directive.call.func;
    let params = &sig.params;
    if directive.call.args.len() != params.len() {
        return Err(format!(
            "{name} takes {} argument{}, found {}",
            params.len(),
            plural(params.len()),
            directive.call.args.len()
        ));
    }
    let args = directive
        .call
        .args
        .iter()
        .zip(params)
        .enumerate()
        .map(|(i, (text, p))| {
            DataValue::parse(text, p.value_type).map_err(|e| format!("argument {}: {e}", i + 1))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let returns: Vec<Type> = sig.returns.iter().map(|r| r.value_type).collect();
    let expected = match &directive.expected {
        Expected::Truthy => {
            if returns.len() != 1 || !returns[0].is_int() {
                return Err(format!(
                    "a run line without a comparison needs a function returning one integer; \
                     {name} returns {}",
                    describe_types(&returns)
                ));
            }
            TypedExpected::Truthy
        }
        Expected::Eq(text) => TypedExpected::Eq(parse_results(text, &returns, name)?),
        Expected::Ne(text) => TypedExpected::Ne(parse_results(text, &returns, name)?),
        Expected::Trap(code) => TypedExpected::Trap(*code),
    };
    Ok(TypedRun { args, expected })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn describe_types(types: &[Type]) -> String {
    if types.is_empty() {
        return "nothing".into();
    }
    let names: Vec<String> = types.iter().map(|t| t.to_string()).collect();
    names.join(", ")
}

/// Parses the expected results: one literal, or `[a, b, ...]` for several.
fn parse_results(text: &str, returns: &[Type], name: &str) -> Result<Vec<DataValue>, String> {
    // A single vector result is written as a vector literal `[1 2 3 4]`.
    if let [ty] = returns {
        if ty.is_vector() {
            if let Ok(v) = DataValue::parse(text, *ty) {
                return Ok(vec![v]);
            }
        }
    }
    let items = match text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        Some(inner) => split_list(inner).map_err(|e| format!("in the expected results: {e}"))?,
        None => vec![text.to_string()],
    };
    if items.len() != returns.len() {
        return Err(format!(
            "{name} returns {} value{}, the expectation has {}",
            returns.len(),
            plural(returns.len()),
            items.len()
        ));
    }
    items
        .iter()
        .zip(returns)
        .enumerate()
        .map(|(i, (item, &ty))| {
            DataValue::parse(item, ty).map_err(|e| {
                if returns.len() == 1 {
                    format!("expected result: {e}")
                } else {
                    format!("expected result {}: {e}", i + 1)
                }
            })
        })
        .collect()
}

/// Judges a call's outcome against the expectation: `Err("expected 3, got 4")` on mismatch.
pub fn check_outcome(
    expected: &TypedExpected,
    outcome: &Result<Vec<DataValue>, InterpreterError>,
) -> Result<(), String> {
    let got = match outcome {
        Ok(values) => values,
        Err(InterpreterError::Trap(code)) => {
            return match expected {
                TypedExpected::Trap(want) if want == code => Ok(()),
                TypedExpected::Trap(want) => Err(format!("expected trap {want}, got trap {code}")),
                TypedExpected::Eq(want) => Err(format!(
                    "expected {}, got trap {code}",
                    show_values(want, None)
                )),
                TypedExpected::Ne(want) => Err(format!(
                    "expected a result other than {}, got trap {code}",
                    show_values(want, None)
                )),
                TypedExpected::Truthy => {
                    Err(format!("expected a non-zero result, got trap {code}"))
                }
            };
        }
        Err(e) => return Err(format!("the call failed: {e}")),
    };
    match expected {
        TypedExpected::Trap(want) => Err(format!(
            "expected trap {want}, got [{}]",
            join(got.iter().map(|v| v.to_string()))
        )),
        TypedExpected::Truthy => match got.as_slice() {
            [v] if v.ty().is_int() && v.to_bits() != 0 => Ok(()),
            _ => Err(format!(
                "expected a non-zero result, got {}",
                show_values(got, None)
            )),
        },
        TypedExpected::Eq(want) => {
            let same = want.len() == got.len() && got.iter().zip(want).all(|(g, w)| g.matches(w));
            if same {
                Ok(())
            } else {
                Err(format!(
                    "expected {}, got {}",
                    show_values(want, Some(got)),
                    show_values(got, Some(want))
                ))
            }
        }
        TypedExpected::Ne(want) => {
            let same = want.len() == got.len() && got.iter().zip(want).all(|(g, w)| g.matches(w));
            if same {
                Err(format!(
                    "expected a result other than {}, got {}",
                    show_values(want, None),
                    show_values(got, None)
                ))
            } else {
                Ok(())
            }
        }
    }
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

/// One value bare, several as `[a, b]`; with a type suffix where types differ from `other`.
fn show_values(values: &[DataValue], other: Option<&[DataValue]>) -> String {
    let types_differ = other.is_some_and(|o| {
        o.len() == values.len() && o.iter().zip(values).any(|(a, b)| a.ty() != b.ty())
    });
    let items = values.iter().map(|v| {
        if types_differ {
            format!("{v} ({})", v.ty())
        } else {
            v.to_string()
        }
    });
    if values.len() == 1 {
        join(items)
    } else {
        format!("[{}]", join(items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_ir::types::{F32, F64, I32, I32X4, I64, I8};
    use kiln_ir::{AbiParam, CallConv, Ieee32};

    fn parse(text: &str) -> Result<RunDirective, String> {
        parse_directive(7, text, Some("%enclosing")).expect("a directive")
    }

    fn call(func: &str, args: &[&str]) -> Invocation {
        Invocation {
            func: func.into(),
            args: args.iter().map(|a| a.to_string()).collect(),
        }
    }

    fn sig(params: &[Type], returns: &[Type]) -> Signature {
        let mut s = Signature::new(CallConv::Fast);
        s.params = params.iter().map(|&t| AbiParam::new(t)).collect();
        s.returns = returns.iter().map(|&t| AbiParam::new(t)).collect();
        s
    }

    #[test]
    fn parses_comparisons() {
        let d = parse("run: %f(1, -2) == [3, 4]").unwrap();
        assert_eq!(d.line, 7);
        assert_eq!(d.text, "run: %f(1, -2) == [3, 4]");
        assert_eq!(d.call, call("%f", &["1", "-2"]));
        assert_eq!(d.expected, Expected::Eq("[3, 4]".into()));

        let d = parse("run:%g(0x10)!=-0x1").unwrap();
        assert_eq!(d.call, call("%g", &["0x10"]));
        assert_eq!(d.expected, Expected::Ne("-0x1".into()));

        let d = parse("run: u0:3() == 0").unwrap();
        assert_eq!(d.call, call("u0:3", &[]));

        let d = parse("run: %v([1 2 3 4], 0x1.8p1) == [2 3 4 5]").unwrap();
        assert_eq!(d.call, call("%v", &["[1 2 3 4]", "0x1.8p1"]));
        assert_eq!(d.expected, Expected::Eq("[2 3 4 5]".into()));
    }

    #[test]
    fn parses_bare_calls_and_traps() {
        assert_eq!(parse("run: %f(1)").unwrap().expected, Expected::Truthy);
        let bare = parse("run").unwrap();
        assert_eq!(bare.call, call("%enclosing", &[]));
        assert_eq!(bare.expected, Expected::Truthy);
        assert_eq!(
            parse_directive(1, "run", None).unwrap(),
            Err("a bare `run` must be inside a function".into())
        );
        let t = parse("trap: %f(1, 0) == int_divz").unwrap();
        assert_eq!(t.call, call("%f", &["1", "0"]));
        assert_eq!(t.expected, Expected::Trap(TrapCode::IntegerDivisionByZero));
        assert_eq!(
            parse("trap: %f() == user7").unwrap().expected,
            Expected::Trap(TrapCode::User(7))
        );
    }

    #[test]
    fn ignores_other_comments() {
        assert_eq!(parse_directive(1, "check: v1 = iadd", None), None);
        assert_eq!(parse_directive(1, "running: fast", None), None);
        assert_eq!(parse_directive(1, "error: bad type", None), None);
        assert_eq!(parse_directive(1, "this is the run: part", None), None);
    }

    #[test]
    fn malformed_lines_have_clear_errors() {
        let err = |t: &str| parse(t).unwrap_err();
        assert_eq!(err("run:"), "missing the call, like `%f(1, 2)`");
        assert_eq!(
            err("run: %f"),
            "expected a call like `%f(1, 2)`, found `%f`"
        );
        assert_eq!(err("run: %f(1"), "missing `)` after the arguments");
        assert_eq!(
            err("run: f(1) == 2"),
            "expected a function name like `%f` or `u0:1`, found `f`"
        );
        assert_eq!(
            err("run: %f(1) = 2"),
            "expected `==` or `!=` after the call, found `= 2`"
        );
        assert_eq!(
            err("run: %f(1) =="),
            "missing the expected value after the comparison"
        );
        assert_eq!(err("run: %f(1,) == 2"), "in the arguments: item 2 is empty");
        assert_eq!(
            err("run: %f([1 2) == 2"),
            "in the arguments: unbalanced `[`"
        );
        assert_eq!(err("run %f(1) == 2"), "missing `:` after `run`");
        assert_eq!(err("trap  %f(1) == int_ovf"), "missing `:` after `trap`");
        assert_eq!(err("trap: %f(1)"), "a trap line needs `== CODE`");
        assert_eq!(
            err("trap: %f(1) != int_ovf"),
            "a trap line compares with `==` only"
        );
        assert_eq!(
            err("trap: %f(1) == int_overflow"),
            "`int_overflow` is not a trap code"
        );
    }

    #[test]
    fn types_ints_floats_and_hex() {
        let d = parse("run: %f(1, -2) == [3, 4]").unwrap();
        let t = type_directive(&d, &sig(&[I32, I64], &[I8, I32])).unwrap();
        assert_eq!(t.args, [DataValue::I32(1), DataValue::I64(-2)]);
        assert_eq!(
            t.expected,
            TypedExpected::Eq(vec![DataValue::I8(3), DataValue::I32(4)])
        );

        let d = parse("run: %f(0xffff_ffff, -0x1) != 0x80").unwrap();
        let t = type_directive(&d, &sig(&[I32, I64], &[I8])).unwrap();
        assert_eq!(t.args, [DataValue::I32(-1), DataValue::I64(-1)]);
        // 0x80 as i8 is -128.
        assert_eq!(t.expected, TypedExpected::Ne(vec![DataValue::I8(-128)]));

        let d = parse("run: %f(0x1.8p1, -0.0) == +NaN").unwrap();
        let t = type_directive(&d, &sig(&[F32, F64], &[F32])).unwrap();
        assert_eq!(t.args[0], DataValue::F32(Ieee32::with_bits(0x4040_0000)));
        assert_eq!(t.args[1].to_bits(), 0x8000_0000_0000_0000);
        assert_eq!(
            t.expected,
            TypedExpected::Eq(vec![DataValue::F32(Ieee32::with_bits(0x7fc0_0000))])
        );

        let d = parse("run: %f(1.5) == [3]").unwrap();
        let t = type_directive(&d, &sig(&[F64], &[I32])).unwrap();
        assert_eq!(t.args[0].to_bits(), 1.5f64.to_bits() as u128);
        assert_eq!(t.expected, TypedExpected::Eq(vec![DataValue::I32(3)]));

        let d = parse("run: %f(true) == false").unwrap();
        let t = type_directive(&d, &sig(&[I8], &[I8])).unwrap();
        assert_eq!(t.args, [DataValue::I8(1)]);
        assert_eq!(t.expected, TypedExpected::Eq(vec![DataValue::I8(0)]));
    }

    #[test]
    fn types_vectors() {
        let d = parse("run: %v([1 2 3 -1]) == [2 3 4 5]").unwrap();
        let t = type_directive(&d, &sig(&[I32X4], &[I32X4])).unwrap();
        assert_eq!(t.args[0].to_bits() >> 96, 0xffff_ffff);
        assert_eq!(t.args[0].to_bits() & 0xffff_ffff, 1);
        match &t.expected {
            TypedExpected::Eq(v) => assert_eq!(v[0].to_bits() >> 96, 5),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn typing_errors_are_clear() {
        let ty_err = |text: &str, s: &Signature| type_directive(&parse(text).unwrap(), s);
        let s = sig(&[I32, I32], &[I32]);
        assert_eq!(
            ty_err("run: %f(1) == 2", &s).unwrap_err(),
            "%f takes 2 arguments, found 1"
        );
        assert_eq!(
            ty_err("run: %f(1, x) == 2", &s).unwrap_err(),
            "argument 2: `x` is not a valid i32 literal"
        );
        assert_eq!(
            ty_err("run: %f(1, 2) == [2, 3]", &s).unwrap_err(),
            "%f returns 1 value, the expectation has 2"
        );
        assert_eq!(
            ty_err("run: %f(1, 2) == 0x1_0000_0000", &s).unwrap_err(),
            "expected result: `0x1_0000_0000` is not a valid i32 literal"
        );
        assert_eq!(
            ty_err("run: %f(1, 2)", &sig(&[I32, I32], &[I32, I32])).unwrap_err(),
            "a run line without a comparison needs a function returning one integer; \
             %f returns i32, i32"
        );
        assert_eq!(
            ty_err("run: %f(1, 2)", &sig(&[I32, I32], &[])).unwrap_err(),
            "a run line without a comparison needs a function returning one integer; \
             %f returns nothing"
        );
        assert!(ty_err("run: %f(1, 2) == [1, 0.5]", &sig(&[I32, I32], &[I32, F32])).is_ok());
    }

    #[test]
    fn judges_outcomes() {
        use TypedExpected as E;
        let i = DataValue::I32;
        let ok = |v: Vec<DataValue>| Ok::<_, InterpreterError>(v);
        let trap = |c| Err::<Vec<DataValue>, _>(InterpreterError::Trap(c));

        assert_eq!(check_outcome(&E::Eq(vec![i(3)]), &ok(vec![i(3)])), Ok(()));
        assert_eq!(
            check_outcome(&E::Eq(vec![i(3)]), &ok(vec![i(4)])),
            Err("expected 3, got 4".into())
        );
        assert_eq!(
            check_outcome(&E::Eq(vec![i(1), i(2)]), &ok(vec![i(1), i(3)])),
            Err("expected [1, 2], got [1, 3]".into())
        );
        assert_eq!(
            check_outcome(&E::Eq(vec![i(3)]), &ok(vec![DataValue::I64(3)])),
            Err("expected 3 (i32), got 3 (i64)".into())
        );
        assert_eq!(check_outcome(&E::Ne(vec![i(3)]), &ok(vec![i(4)])), Ok(()));
        assert_eq!(
            check_outcome(&E::Ne(vec![i(4)]), &ok(vec![i(4)])),
            Err("expected a result other than 4, got 4".into())
        );
        assert_eq!(check_outcome(&E::Truthy, &ok(vec![i(-1)])), Ok(()));
        assert_eq!(
            check_outcome(&E::Truthy, &ok(vec![DataValue::I8(0)])),
            Err("expected a non-zero result, got 0".into())
        );
        let divz = TrapCode::IntegerDivisionByZero;
        assert_eq!(check_outcome(&E::Trap(divz), &trap(divz)), Ok(()));
        assert_eq!(
            check_outcome(&E::Trap(divz), &ok(vec![i(5)])),
            Err("expected trap int_divz, got [5]".into())
        );
        assert_eq!(
            check_outcome(&E::Trap(divz), &trap(TrapCode::IntegerOverflow)),
            Err("expected trap int_divz, got trap int_ovf".into())
        );
        assert_eq!(
            check_outcome(&E::Eq(vec![i(1), i(2)]), &trap(TrapCode::IntegerOverflow)),
            Err("expected [1, 2], got trap int_ovf".into())
        );
        assert_eq!(
            check_outcome(&E::Eq(vec![i(1)]), &Err(InterpreterError::FuelExhausted)),
            Err("the call failed: step limit reached".into())
        );
        // NaN expectations compare loosely (any quiet NaN without payload).
        let nan = DataValue::parse("+NaN", F32).unwrap();
        let neg_nan = DataValue::F32(Ieee32::with_bits(0xffc0_0000));
        assert_eq!(check_outcome(&E::Eq(vec![nan]), &ok(vec![neg_nan])), Ok(()));
    }
}
