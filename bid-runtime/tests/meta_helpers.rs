//! The short metadata constructors that generated code relies on.

use bid_runtime::__private::ValueKind;
use bid_runtime::__private::meta::{
    Borrowed, I64, Transferred, VOID, array, handle, method, param, string, value,
};

#[test]
fn short_constructors_build_the_long_form() {
    let h = handle(Transferred, 2);
    assert_eq!(h.kind, ValueKind::Handle);
    assert_eq!(h.ownership, Some(Transferred));
    assert_eq!(h.handle, Some(2));
    let s = string(Borrowed);
    assert_eq!(
        (s.kind, s.ownership, s.handle),
        (ValueKind::String, Some(Borrowed), None)
    );
    assert_eq!(array(Transferred).kind, ValueKind::Array);
    assert_eq!((I64.kind, I64.ownership), (ValueKind::I64, None));
    let v = value(ValueKind::Bytes, None, Some(1));
    assert_eq!(
        (v.kind, v.ownership, v.handle),
        (ValueKind::Bytes, None, Some(1))
    );

    static PARAMS: [bid_runtime::__private::ParamMeta; 1] = [param("path", string(Borrowed))];
    let m = method("open", "fs_open", "io", true, VOID, &PARAMS);
    assert_eq!(
        (m.name, m.symbol, m.effect, m.fallible),
        ("open", "fs_open", "io", true)
    );
    assert_eq!(m.ret.kind, ValueKind::Void);
    assert_eq!(m.params[0].name, "path");
    assert_eq!(m.params[0].value.ownership, Some(Borrowed));
}
