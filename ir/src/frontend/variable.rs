//! Variables: the mutable locals of a frontend, turned into SSA values by the builder.

/// A mutable variable of the source program (a Wasm local, say). Printed `var0`, `var1`, ...
///
/// Declare one with [`FunctionBuilder::declare_var`](super::FunctionBuilder::declare_var),
/// assign it with `def_var` and read it with `use_var`; the builder works out which SSA value
/// (or block parameter) holds it at each point.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Variable(u32);
crate::entity_impl!(Variable, "var");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entity::EntityRef;

    #[test]
    fn prints_as_var_n() {
        assert_eq!(Variable::new(0).to_string(), "var0");
        assert_eq!(format!("{:?}", Variable::from_u32(12)), "var12");
    }
}
