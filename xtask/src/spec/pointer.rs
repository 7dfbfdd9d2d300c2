//! JSON Pointer segments (RFC 6901): a name written into a pointer, and a
//! pointer's token read back as the name.

/// `name` as one segment of a JSON Pointer (`~` → `~0`, `/` → `~1`).
pub fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// A pointer's segment as the name it stands for.
pub fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_the_two_escaped_characters() {
        for name in ["/sources/{id}", "application/json", "a~b", "~1", "plain"] {
            assert_eq!(unescape(&escape(name)), name);
        }
        assert_eq!(escape("/a~/b"), "~1a~0~1b");
        assert_eq!(unescape("~01"), "~1", "~0 is read last");
    }
}
