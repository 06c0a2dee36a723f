//! Malformed input must produce errors, never panics: compile thousands of
//! random mutations of the test programs.

use std::path::Path;

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "(", ")", " ", "_", "@", "x", "0", "-1", "$LIMIT", "u32", "Expr.Add", "and", "if-let", "let",
    "multi", "\n", ";",
];

fn mutate(src: &[char], rng: &mut Rng) -> String {
    let mut s: Vec<char> = src.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(s.len() + 1);
        match rng.below(3) {
            0 if at < s.len() => {
                let len = 1 + rng.below(8.min(s.len() - at));
                s.drain(at..at + len);
            }
            1 => {
                let p = PIECES[rng.below(PIECES.len())];
                s.splice(at..at, p.chars());
            }
            _ => {
                // Swap two tokens' worth of text to mix up structure.
                let other = rng.below(s.len() + 1);
                let (a, b) = (at.min(other), at.max(other));
                s[a..b].reverse();
            }
        }
    }
    s.into_iter().collect()
}

#[test]
fn random_mutations_never_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut rejected = 0;
    for name in ["e2e.isle", "lower_x64.isle", "edge.isle"] {
        let src: Vec<char> = std::fs::read_to_string(dir.join(name))
            .unwrap()
            .chars()
            .collect();
        for _ in 0..700 {
            let text = mutate(&src, &mut rng);
            if let Err(e) = kiln_isle_dsl::compile_str(name, &text) {
                rejected += 1;
                // Rendering must not panic either, and every error has a position.
                assert!(!e.to_string().is_empty());
                assert!(e.errors.iter().all(|x| x.span.is_some()));
            }
        }
    }
    // Most mutations break the program; if none did, the mutator is broken.
    assert!(
        rejected > 1000,
        "only {rejected} of 2100 mutations were rejected"
    );
}
