//! Generated inputs of the tests: the contract tests' calls and the
//! documents Prism serves.

pub mod contract_calls;
pub mod mock_spec;
