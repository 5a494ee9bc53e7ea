//! The macro's expansion on arbitrary token streams: whatever the tokens, `expand_table`
//! returns tokens (the generated module, or `compile_error!`s) and never panics.

#![no_main]

use libfuzzer_sys::fuzz_target;
use proc_macro2::TokenStream;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(tokens) = text.parse::<TokenStream>() else {
        return;
    };
    let output = pinterest_mapping_codegen::expand_table(tokens);
    // The output must itself be printable tokens.
    let _ = output.to_string();
});
