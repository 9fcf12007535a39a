//! Parse + check of generated interfaces with 200, 1,000 and 2,000 methods (a file declares at
//! most 2,048): must scale linearly.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn parse_and_check(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_check");
    group.sample_size(10);
    for n in [200usize, 1_000, 2_000] {
        let text = bid_bench_gen::bid_yaml(n);
        // A bench of a file that does not check would measure the error path.
        let model =
            bid_schema::check_source("bench.bid.yaml", &text).expect("generated BID checks");
        assert_eq!(model.interfaces()[0].methods().len(), n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| bid_schema::check_source("bench.bid.yaml", black_box(text)))
        });
    }
    group.finish();
}

criterion_group!(benches, parse_and_check);
criterion_main!(benches);
