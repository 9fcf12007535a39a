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

/// The declared type behind `id`, by name and position: ids cannot be built outside the
/// crate, so tests read them back.
fn type_at(iface: &Interface, id: TypeId) -> (usize, &str) {
    (id.index(), iface.ty(id).name())
}

fn record(iface: &Interface, index: usize) -> &RecordDef {
    match iface.types()[index].kind() {
        TypeDefKind::Record(r) => r,
        TypeDefKind::Handle(_) => panic!("{} is not a record", iface.types()[index].name()),
    }
}

fn handle(iface: &Interface, index: usize) -> &HandleDef {
    match iface.types()[index].kind() {
        TypeDefKind::Handle(h) => h,
        TypeDefKind::Record(_) => panic!("{} is not a handle", iface.types()[index].name()),
    }
}

#[test]
fn seed_example_checks() {
    let m = check("nyash_file.bid.yaml");
    assert_eq!(m.memory().pointer_size(), 32);
    assert_eq!(m.transport().location(), Some("./libnyash_file.so"));
    let i = &m.interfaces()[0];
    assert_eq!(i.qualified(), "nyash.file");
    assert_eq!(i.box_name(), "File");
    assert_eq!(i.symbol_prefix(), "nyash_file");
    assert_eq!(i.methods().len(), 4);
    let open = &i.methods()[0];
    assert_eq!(open.symbol(), "nyash_file_open");
    assert_eq!(
        open.params()[0].ty(),
        Type::Buffer(Buffer::String, Ownership::Borrowed)
    );
    let Some(Type::Handle(h, own)) = open.returns() else {
        panic!("open returns a handle: {:?}", open.returns())
    };
    assert_eq!(type_at(i, h), (0, "FileHandle"));
    assert_eq!(own, Ownership::Transferred);
    assert_eq!(i.methods()[3].returns(), None);
}

#[test]
fn filebox_links_release() {
    let m = check("filebox.bid.yaml");
    let i = &m.interfaces()[0];
    assert_eq!(i.box_name(), "FileBox");
    let release = handle(i, 0)
        .release()
        .expect("FileHandle has a release method");
    assert_eq!(release.index(), 3);
    assert_eq!(i.method(release).name(), "close");
    assert_eq!(i.types()[0].c(), "nyash_file_FileHandle");
    assert!(i.needs_free());
}

#[test]
fn short_form_checks() {
    let m = check("short_form.bid.yaml");
    let c = &m.interfaces()[0];
    assert_eq!((c.namespace(), c.name()), ("env", "console"));
    assert_eq!(c.methods()[0].params()[0].name(), "msg");
    assert_eq!(
        c.methods()[0].params()[0].ty(),
        Type::Buffer(Buffer::String, Ownership::Borrowed)
    );
    assert_eq!(c.methods()[0].returns(), None);
    assert_eq!(c.methods()[1].rust(), "log_level");
    assert_eq!(c.methods()[1].symbol(), "env_console_logLevel");
    assert_eq!(c.methods()[2].returns(), Some(Type::Scalar(Scalar::I64)));
    let v = &m.interfaces()[1];
    assert_eq!((v.namespace(), v.name()), ("env.math", "vec"));
    assert_eq!(v.symbol_prefix(), "env_math_vec");
    assert_eq!(v.box_name(), "Vec");
    assert_eq!(
        v.methods()[2].params()[0].ty(),
        Type::Buffer(
            Buffer::Array(Elem::Scalar(Scalar::F64)),
            Ownership::Borrowed
        )
    );
}

#[test]
fn mixed_form_checks() {
    let m = check("mixed.bid.yaml");
    assert_eq!(m.memory().pointer_size(), 64);
    let i = &m.interfaces()[0];
    assert_eq!(i.methods()[1].symbol(), "canvas_fillRect");
    assert_eq!(i.methods()[1].rust(), "fill_rect");
    assert_eq!(
        i.methods()[2].returns().and_then(Type::ownership),
        Some(Ownership::Borrowed)
    );
}

#[test]
fn all_types_checks() {
    let m = check("all_types.bid.yaml");
    let i = &m.interfaces()[0];
    assert_eq!(i.symbol_prefix(), "at");
    let drop = i.methods().iter().find(|m| m.name() == "drop").unwrap();
    assert_eq!(drop.symbol(), "at_drop_obj_v2");
    let ptr = handle(i, 2);
    assert_eq!(ptr.repr(), HandleRepr::Pointer);
    assert!(ptr.release().is_some());
    assert!(!m.interfaces()[1].thread_safe());
    assert!(i.thread_safe());
    let objs = i.methods().iter().find(|m| m.name() == "objs").unwrap();
    let Type::Buffer(Buffer::Array(Elem::Handle(obj)), Ownership::Borrowed) = objs.params()[0].ty()
    else {
        panic!(
            "objs takes a borrowed array of handles: {:?}",
            objs.params()[0].ty()
        )
    };
    assert_eq!(type_at(i, obj), (0, "Obj"));
    assert!(i.methods().iter().filter(|m| m.fallible()).count() >= 3);
}

#[test]
fn keywords_are_escaped() {
    let m = check("keywords.bid.yaml");
    let i = &m.interfaces()[0];
    assert_eq!(i.box_name(), "Type");
    assert_eq!(i.types()[0].rust(), "Self_");
    let r = record(i, 1);
    assert_eq!(r.fields()[0].rust(), "r#type");
    assert_eq!(r.fields()[1].c(), "int_");
    assert_eq!(r.fields()[3].rust(), "self_");
    let f = &i.methods()[0];
    assert_eq!(f.rust(), "r#fn");
    assert_eq!(f.symbol(), "match_type_fn");
    assert_eq!(f.params()[2].c(), "int_");
    let new = &i.methods()[1];
    assert_eq!(new.params()[0].c(), "template_");
    assert_eq!(new.params()[1].c(), "out_");
    let lp = &i.methods()[3];
    assert_eq!(lp.params()[0].rust(), "super_");
    assert_eq!(lp.params()[1].rust(), "crate_");
    assert_eq!(i.methods()[4].params()[1].rust(), "__");
}

#[test]
fn records_nest() {
    let m = check("records.bid.yaml");
    let i = &m.interfaces()[0];
    let Elem::Record(inner) = record(i, 5).fields()[0].ty() else {
        panic!("Deep.inner is a record")
    };
    assert_eq!(type_at(i, inner), (4, "Nested"));
    assert_eq!(i.methods()[1].rust(), "round_trip");
}

#[test]
fn generated_bench_interface_checks() {
    let text = bid_bench_gen::bid_yaml(100);
    let m = bid_schema::check_source("gen.bid.yaml", &text).unwrap_or_else(|r| panic!("{r}"));
    let i = &m.interfaces()[0];
    assert_eq!(i.methods().len(), 100);
    assert_eq!(
        i.methods()[5].params()[0].ty(),
        Type::Buffer(Buffer::String, Ownership::Borrowed)
    );
    assert_eq!(i.methods()[13].returns(), None);
    let Some(Type::Buffer(Buffer::Array(Elem::Record(sample)), Ownership::Transferred)) =
        i.methods()[11].returns()
    else {
        panic!(
            "m11 returns an array of records: {:?}",
            i.methods()[11].returns()
        )
    };
    assert_eq!(type_at(i, sample), (1, "Sample"));
}
