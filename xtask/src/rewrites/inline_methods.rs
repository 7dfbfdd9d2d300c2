//! The generated methods are compiled in the crate that calls them.
//!
//! A non-generic public function is compiled to machine code in the crate
//! that defines it, with everything it calls: a `send()` brings the
//! runtime's future and the JSON reading and writing of its body and
//! success type, monomorphized for each. A year crate holds about 700
//! operations, and a user calls a few. Marked `#[inline]`, a function is
//! compiled only where it is used (as generic code is), so the year crate
//! type-checks every operation but compiles none; a user's crate compiles
//! the ones it calls.
//!
//! This step marks every non-generic function, unless it has an `inline`
//! attribute already, of:
//! - the file's top-level inherent impls (the `Client`'s methods);
//! - every impl, inherent or of a trait, in `mod builder`, `mod types` and
//!   `mod multipart` (the builders, and the types' hand-written `Display`,
//!   `FromStr`, `TryFrom`, `From`; derived impls are not items here);
//!   `types::builder`, a module nested in `types`, is left as it is.

use syn::{ImplItem, Item, parse_quote};

/// Marks the functions of `file`'s `Client`, `mod builder` and `mod types`
/// impls; returns how many.
pub fn apply(file: &mut syn::File) -> usize {
    let mut count = 0;
    for item in file.items.iter_mut() {
        match item {
            Item::Impl(imp) if imp.trait_.is_none() => count += mark(imp),
            Item::Mod(m) if m.ident == "builder" || m.ident == "types" || m.ident == "multipart" => {
                let Some((_, items)) = m.content.as_mut() else { continue };
                for item in items.iter_mut() {
                    if let Item::Impl(imp) = item {
                        count += mark(imp);
                    }
                }
            }
            _ => {}
        }
    }
    count
}

fn mark(imp: &mut syn::ItemImpl) -> usize {
    // A generic impl is compiled where it is used already.
    if imp.generics.type_params().next().is_some() {
        return 0;
    }
    let mut count = 0;
    for f in imp.items.iter_mut() {
        let ImplItem::Fn(f) = f else { continue };
        if f.sig.generics.type_params().next().is_some() || f.attrs.iter().any(|a| a.path().is_ident("inline")) {
            continue;
        }
        f.attrs.push(parse_quote!(#[inline]));
        count += 1;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_generic_methods_are_marked_inline() {
        let mut file: syn::File = parse_quote! {
            impl Client {
                pub fn get_thing(&self) -> builder::GetThing<'_> { builder::GetThing::new(self) }
            }
            pub mod builder {
                impl<'a> GetThing<'a> {
                    pub fn new(client: &'a super::Client) -> Self { todo!() }
                    pub fn id<V>(mut self, value: V) -> Self where V: TryInto<String> { todo!() }
                    #[inline]
                    pub fn send(self) -> Sending { todo!() }
                }
            }
            pub mod types {
                impl ::std::fmt::Display for Status { fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { todo!() } }
                impl<T> Wrapper<T> { pub fn get(&self) -> &T { todo!() } }
            }
        };
        assert_eq!(apply(&mut file), 3);
        let code = quote::quote!(#file).to_string();
        assert_eq!(code.matches("# [inline]").count(), 4, "three marked, one already: {code}");
        assert!(code.contains("# [inline] pub fn get_thing"), "{code}");
        assert!(code.contains("# [inline] pub fn new"), "{code}");
        assert!(code.contains("# [inline] fn fmt"), "{code}");
        assert!(!code.contains("# [inline] pub fn id"), "generic: {code}");
        assert!(!code.contains("# [inline] pub fn get (& self) -> & T"), "generic impl: {code}");
    }
}
