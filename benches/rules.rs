//! `cargo bench --bench rules`: what each built-in rule costs per manifest on the engine `check`
//! uses (the rvm), on the generated corpus, one thread, and the whole pack on both engines.
//! Prints figures, slowest first; asserts nothing.
//!
//! A rule's cost is the evaluation time of the helper libraries plus that one rule, minus the
//! libraries alone, so it includes what the rule makes the libraries compute.

mod corpus;

use std::time::Instant;

use agentgate::evaluate::{EngineChoice, Evaluator};
use agentgate::registry::{Module, Registry};
use serde_json::{json, Map, Value};

const MANIFESTS: usize = 400;

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let today = agentgate::units::parse_date(corpus::TODAY).expect("a date");
    let inputs: Vec<Value> = (0..MANIFESTS)
        .map(|i| {
            let text = corpus::manifest(i, MANIFESTS);
            let source = agentgate::source::SourceFile::new("a.yaml".into(), "a.yaml".into(), text);
            agentgate::yaml::parse(&source, Default::default()).expect("the corpus parses")[0]
                .value
                .clone()
        })
        .collect();
    let data = data_for(&inputs, today);
    let builtin = Registry::builtin().expect("the built-in pack loads");
    let evaluated: Vec<&Module> = builtin
        .modules
        .iter()
        .filter(|m| builtin.is_evaluated(m))
        .collect();
    let is_rule = |m: &Module| m.package.starts_with("agentgate.rules.");
    let libraries: Vec<&Module> = evaluated.iter().copied().filter(|m| !is_rule(m)).collect();
    let cost = |modules: &[&Module]| {
        microseconds_per_manifest(modules, &data, &inputs, EngineChoice::Auto)
    };

    let base = cost(&libraries);
    let rvm = cost(&evaluated);
    let interpreter =
        microseconds_per_manifest(&evaluated, &data, &inputs, EngineChoice::Interpreter);
    println!(
        "whole pack: {rvm:.0} µs per manifest on the rvm, {interpreter:.0} µs on the interpreter ({:.1}× faster)",
        interpreter / rvm
    );
    println!("helper libraries alone: {base:.0} µs per manifest");
    let mut rows: Vec<(f64, &str)> = evaluated
        .iter()
        .filter(|m| is_rule(m))
        .map(|m| {
            let mut modules = libraries.clone();
            modules.push(m);
            (cost(&modules) - base, m.path.as_str())
        })
        .collect();
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (microseconds, path) in rows {
        println!("{microseconds:7.1} µs  {path}");
    }
}

/// `data.agentgate` as `check` builds it for the corpus.
fn data_for(inputs: &[Value], today: i64) -> Value {
    let trust = agentgate::review::TrustStore::default();
    let mut facts = Map::new();
    let mut inventory = Map::new();
    for m in inputs {
        let name = m["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mut f = agentgate::facts::manifest_facts(m, "a.agent.yaml", today);
        f.extend(agentgate::review::facts(m, trust.trust(), today));
        facts.insert(name.clone(), Value::Object(f));
        inventory.insert(name, m.clone());
    }
    let config = agentgate::config::Config::defaults(".".into());
    let settings = agentgate::check::settings_data(&config, today, None);
    json!({"agentgate": {"settings": settings, "inventory": inventory, "facts": facts}})
}

fn microseconds_per_manifest(
    modules: &[&Module],
    data: &Value,
    inputs: &[Value],
    engine: EngineChoice,
) -> f64 {
    let files = modules.iter().map(|m| (m.path.clone(), m.source.clone()));
    let registry = Registry::from_files(files).expect("the modules load");
    let (evaluator, _) = Evaluator::with_engine(&registry, data.clone(), &inputs[0], engine)
        .expect("the pack evaluates");
    let refs: Vec<regorus::Value> = inputs.iter().map(agentgate::evaluate::to_rego).collect();
    // One rayon thread, so that a rule's cost is CPU time, not shared out between workers.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a thread pool");
    pool.install(|| {
        let _ = evaluator.evaluate_all(&refs);
        // The fastest of five passes: the least disturbed by whatever else the machine does.
        (0..5)
            .map(|_| {
                let start = Instant::now();
                let _ = evaluator.evaluate_all(&refs);
                start.elapsed().as_secs_f64() * 1e6 / refs.len() as f64
            })
            .fold(f64::INFINITY, f64::min)
    })
}
