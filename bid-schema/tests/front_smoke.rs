//! Smoke tests: the valid fixtures check into the expected models.

use bid_schema::model::*;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/valid")
        .join(name)
}

fn check(name: &str) -> Model {
    match bid_schema::check_file(&fixture(name)) {
        Ok(m) => m,
        Err(r) => panic!("{}", r.render()),
    }
}

#[test]
fn seed_example_checks() {
    let m = check("nyash_file.bid.yaml");
    assert_eq!(m.memory.pointer_size, 32);
    assert_eq!(m.transport.location.as_deref(), Some("./libnyash_file.so"));
    let i = &m.interfaces[0];
    assert_eq!(i.qualified, "nyash.file");
    assert_eq!(i.box_name, "File");
    assert_eq!(i.symbol_prefix, "nyash_file");
    assert_eq!(i.methods.len(), 4);
    let open = &i.methods[0];
    assert_eq!(open.symbol, "nyash_file_open");
    assert_eq!(open.params[0].ty, Type::String);
    assert_eq!(open.params[0].ownership, Some(Ownership::Borrowed));
    assert_eq!(open.returns.ty, Some(Type::Handle(TypeId(0))));
    assert_eq!(open.returns.ownership, Some(Ownership::Transferred));
    assert_eq!(i.methods[3].returns.ty, None);
}

#[test]
fn filebox_links_release() {
    let m = check("filebox.bid.yaml");
    let i = &m.interfaces[0];
    assert_eq!(i.box_name, "FileBox");
    let TypeDefKind::Handle(h) = &i.types[0].kind else {
        panic!("not a handle")
    };
    assert_eq!(h.release, Some(MethodId(3)));
    assert_eq!(i.types[0].c, "nyash_file_FileHandle");
    assert!(i.needs_free());
}

#[test]
fn short_form_checks() {
    let m = check("short_form.bid.yaml");
    let c = &m.interfaces[0];
    assert_eq!((c.namespace.as_str(), c.name.as_str()), ("env", "console"));
    assert_eq!(c.methods[0].params[0].name, "msg");
    assert_eq!(c.methods[0].params[0].ty, Type::String);
    assert_eq!(c.methods[0].returns.ty, None);
    assert_eq!(c.methods[1].rust, "log_level");
    assert_eq!(c.methods[1].symbol, "env_console_logLevel");
    assert_eq!(c.methods[2].returns.ty, Some(Type::I64));
    let v = &m.interfaces[1];
    assert_eq!((v.namespace.as_str(), v.name.as_str()), ("env.math", "vec"));
    assert_eq!(v.symbol_prefix, "env_math_vec");
    assert_eq!(v.box_name, "Vec");
    assert_eq!(v.methods[2].params[0].ty, Type::Array(Box::new(Type::F64)));
}

#[test]
fn mixed_form_checks() {
    let m = check("mixed.bid.yaml");
    assert_eq!(m.memory.pointer_size, 64);
    let i = &m.interfaces[0];
    assert_eq!(i.methods[1].symbol, "canvas_fillRect");
    assert_eq!(i.methods[1].rust, "fill_rect");
    assert_eq!(i.methods[2].returns.ownership, Some(Ownership::Borrowed));
}

#[test]
fn all_types_checks() {
    let m = check("all_types.bid.yaml");
    let i = &m.interfaces[0];
    assert_eq!(i.symbol_prefix, "at");
    let drop = i.methods.iter().find(|m| m.name == "drop").unwrap();
    assert_eq!(drop.symbol, "at_drop_obj_v2");
    let TypeDefKind::Handle(h) = &i.types[2].kind else {
        panic!("Ptr is a handle")
    };
    assert_eq!(h.repr, HandleRepr::Pointer);
    assert!(h.release.is_some());
    assert!(!m.interfaces[1].thread_safe);
    assert!(i.thread_safe);
    let objs = i.methods.iter().find(|m| m.name == "objs").unwrap();
    assert_eq!(
        objs.params[0].ty,
        Type::Array(Box::new(Type::Handle(TypeId(0))))
    );
    assert!(i.methods.iter().filter(|m| m.fallible).count() >= 3);
}

#[test]
fn keywords_are_escaped() {
    let m = check("keywords.bid.yaml");
    let i = &m.interfaces[0];
    assert_eq!(i.box_name, "Type");
    assert_eq!(i.types[0].rust, "Self_");
    let TypeDefKind::Record(r) = &i.types[1].kind else {
        panic!("struct is a record")
    };
    assert_eq!(r.fields[0].rust, "r#type");
    assert_eq!(r.fields[1].c, "int_");
    assert_eq!(r.fields[3].rust, "self_");
    let f = &i.methods[0];
    assert_eq!(f.rust, "r#fn");
    assert_eq!(f.symbol, "match_type_fn");
    assert_eq!(f.params[2].c, "int_");
    let new = &i.methods[1];
    assert_eq!(new.params[0].c, "template_");
    assert_eq!(new.params[1].c, "out_");
    let lp = &i.methods[3];
    assert_eq!(lp.params[0].rust, "super_");
    assert_eq!(lp.params[1].rust, "crate_");
    assert_eq!(i.methods[4].params[1].rust, "__");
}

#[test]
fn records_nest() {
    let m = check("records.bid.yaml");
    let i = &m.interfaces[0];
    let TypeDefKind::Record(deep) = &i.types[5].kind else {
        panic!("Deep is a record")
    };
    assert_eq!(deep.fields[0].ty, Type::Record(TypeId(4)));
    assert_eq!(i.methods[1].rust, "round_trip");
}
