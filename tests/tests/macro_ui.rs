//! Compile-pass and compile-fail cases of `pinterest_mapping!`: each `pass/` case compiles and
//! runs its assertions; each `fail/` case must fail with exactly its `.stderr`.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/fail/*.rs");
}
