//! The `set NAME[=VALUE]` settings a test file may name.
//!
//! Kiln accepts every name of Cranelift's shared settings (current and older releases), so
//! Cranelift filetests read unchanged; most do not affect the interpreter and are ignored.
//! An unknown name, or a value that cannot belong to the setting, skips the file.

/// What values a setting takes.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// `true`/`false`/`1`/`0`; a bare `set name` means true.
    Bool,
    /// One of these words.
    Enum(&'static [&'static str]),
    /// A decimal number.
    Num,
}

use Kind::*;

/// Cranelift's shared settings, by name (from its settings documentation).
const KNOWN: &[(&str, Kind)] = &[
    (
        "opt_level",
        Enum(&[
            "none",
            "speed",
            "speed_and_size",
            "default",
            "best",
            "fastest",
        ]),
    ),
    ("enable_verifier", Bool),
    ("enable_alias_analysis", Bool),
    ("enable_pcc", Bool),
    ("is_pic", Bool),
    ("use_colocated_libcalls", Bool),
    ("avoid_div_traps", Bool),
    ("enable_float", Bool),
    ("enable_nan_canonicalization", Bool),
    ("enable_pinned_reg", Bool),
    ("use_pinned_reg_as_heap_base", Bool),
    ("enable_simd", Bool),
    ("enable_atomics", Bool),
    ("enable_safepoints", Bool),
    ("tls_model", Enum(&["none", "elf_gd", "macho", "coff"])),
    (
        "stack_switch_model",
        Enum(&["none", "basic", "update_windows_tib"]),
    ),
    (
        "libcall_call_conv",
        Enum(&[
            "isa_default",
            "fast",
            "cold",
            "system_v",
            "windows_fastcall",
            "apple_aarch64",
            "baldrdash_system_v",
            "baldrdash_windows",
            "probestack",
        ]),
    ),
    ("baldrdash_prologue_words", Num),
    ("emit_all_ones_funcaddrs", Bool),
    ("enable_llvm_abi_extensions", Bool),
    ("enable_multi_ret_implicit_sret", Bool),
    ("unwind_info", Bool),
    ("preserve_frame_pointers", Bool),
    ("machine_code_cfg_info", Bool),
    ("enable_probestack", Bool),
    ("probestack_func_adjusts_sp", Bool),
    ("probestack_size_log2", Num),
    ("probestack_strategy", Enum(&["outline", "inline"])),
    ("enable_jump_tables", Bool),
    ("enable_heap_access_spectre_mitigation", Bool),
    ("enable_table_access_spectre_mitigation", Bool),
    ("enable_incremental_compilation_cache_checks", Bool),
    ("bb_padding_log2_minus_one", Num),
    ("log2_min_function_alignment", Num),
    ("regalloc_checker", Bool),
    ("regalloc_verbose_logs", Bool),
    ("regalloc_algorithm", Enum(&["backtracking", "single_pass"])),
    (
        "regalloc",
        Enum(&[
            "backtracking",
            "backtracking_checked",
            "experimental_linear_scan",
            "experimental_linear_scan_checked",
        ]),
    ),
];

/// Checks one setting: `Ok` if Kiln knows it and the value fits, else why not.
pub fn check_setting(name: &str, value: Option<&str>) -> Result<(), String> {
    let Some(&(_, kind)) = KNOWN.iter().find(|(n, _)| *n == name) else {
        return Err(format!("unknown setting `{name}`"));
    };
    let ok = match (kind, value) {
        (Bool, None) => true,
        (Bool, Some(v)) => matches!(v, "true" | "false" | "1" | "0"),
        (Enum(words), Some(v)) => words.contains(&v),
        (Num, Some(v)) => !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()),
        (Enum(_) | Num, None) => false,
    };
    if ok {
        Ok(())
    } else {
        match value {
            Some(v) => Err(format!("bad value `{v}` for setting `{name}`")),
            None => Err(format!("setting `{name}` needs a value")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_cranelift_settings() {
        for (name, value) in [
            ("opt_level", Some("speed")),
            ("opt_level", Some("none")),
            ("enable_verifier", None),
            ("enable_verifier", Some("false")),
            ("enable_nan_canonicalization", Some("true")),
            ("enable_llvm_abi_extensions", Some("1")),
            ("enable_probestack", Some("false")),
            ("probestack_strategy", Some("inline")),
            ("preserve_frame_pointers", Some("true")),
            ("unwind_info", Some("false")),
            ("is_pic", None),
            ("enable_jump_tables", Some("false")),
            ("enable_heap_access_spectre_mitigation", Some("false")),
            ("enable_table_access_spectre_mitigation", Some("true")),
            ("enable_pinned_reg", Some("true")),
            ("use_colocated_libcalls", Some("false")),
            ("machine_code_cfg_info", Some("true")),
            ("enable_alias_analysis", Some("false")),
            ("regalloc_checker", Some("true")),
            ("enable_multi_ret_implicit_sret", None),
            ("probestack_size_log2", Some("16")),
        ] {
            assert_eq!(check_setting(name, value), Ok(()), "{name}={value:?}");
        }
    }

    #[test]
    fn rejects_unknown_names_and_bad_values() {
        assert_eq!(
            check_setting("enable_magic", None),
            Err("unknown setting `enable_magic`".into())
        );
        assert_eq!(
            check_setting("opt_level", Some("fast")),
            Err("bad value `fast` for setting `opt_level`".into())
        );
        assert_eq!(
            check_setting("opt_level", None),
            Err("setting `opt_level` needs a value".into())
        );
        assert!(check_setting("enable_verifier", Some("yes")).is_err());
        assert!(check_setting("probestack_size_log2", Some("-1")).is_err());
    }
}
