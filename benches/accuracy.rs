//! Accuracy figures on every evaluation set of `evalsets/`, holdout halves included: per set,
//! class and language, page classification accuracy and, over every field of the truth, the
//! share found right, recall, precision and accuracy (as `idpctl eval` counts them), with the
//! time each set took. `cargo bench --bench accuracy` runs the release binary on all sets.
//! Without `--bench` (as `cargo test --benches` runs it) it runs only the small real-invoice set,
//! to show the harness works.

#[path = "../tests/eval_sets/harness.rs"]
mod harness;

use harness::{HOLDOUT, SETS, Tally};

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let sets: Vec<_> = if full {
        SETS.iter().chain(HOLDOUT).collect()
    } else {
        SETS.iter().take(1).collect()
    };
    let mut total = Tally::default();
    for spec in sets {
        match harness::run(spec) {
            Ok(r) => {
                print!("{}", harness::table(&r));
                total.pages += r.overall.pages;
                total.pages_right += r.overall.pages_right;
                total.fields.merge(&r.overall.fields);
            }
            Err(why) => println!("\nskipped {why}"),
        }
    }
    println!(
        "\nall sets: pages {}/{} ({:.1}%), fields found {}/{} ({:.1}%), precision {:.1}%",
        total.pages_right,
        total.pages,
        100.0 * total.page_accuracy(),
        total.fields.tp,
        total.expected(),
        100.0 * total.found(),
        100.0 * total.precision()
    );
    if !full {
        println!("accuracy smoke run (run `cargo bench --bench accuracy` for every set)");
    }
}
