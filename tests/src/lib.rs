//! Integration tests of the SailPoint SDK live in `tests/`.
