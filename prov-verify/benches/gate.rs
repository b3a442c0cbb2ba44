//! The release gate's speed: in-process policy evaluation with a prepared engine (50 rules
//! over 5 reports), against one whole-package query of the same policy in regorus (the
//! baseline, in the same run); and the whole `prov-verify gate` command against
//! `prov-verify verify --set` on the same 5-item set, so the difference is the gate's own
//! cost without the plugins' verification.
//!
//! `cargo bench -p prov-verify --bench gate [-- --quick]`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::process::Command;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// 50 rules in the conftest style: deny, violation and warn rules over the reports.
fn policy() -> String {
    let mut p = String::from("package main\n\nimport rego.v1\n\n");
    for i in 0..50 {
        match i % 5 {
            0 => p.push_str(&format!(
                "deny_{i} contains msg if {{\n\tsome name, r in input.reports\n\tr.plugin == \"no-such-{i}\"\n\tmsg := sprintf(\"%s: rule {i}\", [name])\n}}\n\n"
            )),
            1 => p.push_str(&format!(
                "deny_{i} contains msg if {{\n\tsome name, r in input.reports\n\tnot r.ok\n\tmsg := sprintf(\"%s failed ({i})\", [name])\n}}\n\n"
            )),
            2 => p.push_str(&format!(
                "violation_{i} contains {{\"msg\": \"too many warnings\", \"item\": name}} if {{\n\tsome name, r in input.reports\n\tcount(r.report.warnings) > {}\n}}\n\n",
                100 + i
            )),
            3 => p.push_str(&format!(
                "deny_{i} contains msg if {{\n\tsome a in input.attestations\n\ta.predicateType == \"https://example.invalid/{i}\"\n\tmsg := \"unexpected predicate\"\n}}\n\n"
            )),
            _ => p.push_str(&format!(
                "warn_{i} contains msg if {{\n\tsome name, r in input.reports\n\tcount(r.report.checks) > {}\n\tmsg := name\n}}\n\n",
                1000 + i
            )),
        }
    }
    p
}

fn input() -> serde_json::Value {
    let mut items = Vec::new();
    for (i, plugin) in ["cosign", "x509", "tuf", "audit-pack", "tlog"]
        .iter()
        .enumerate()
    {
        let mut b = plugin_api::Report::builder(*plugin).subject(format!("item {i}"));
        for c in 0..12 {
            b = b.pass(
                format!("{plugin}.check-{c}"),
                "passed with some detail text",
            );
        }
        let report = b
            .output(
                "identity",
                "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0",
            )
            .finish();
        items.push(gate::ItemEvidence {
            name: format!("item-{i}"),
            plugin: (*plugin).to_owned(),
            report: Ok(report),
            subject_sha256: Some("ab".repeat(32)),
            subject_name: Some(format!("artifact-{i}")),
            statements: Vec::new(),
        });
    }
    gate::GateInput {
        items,
        now: plugin_api::VerificationTime::from_unix_seconds(1_796_083_200),
        set_name: "bench.json".into(),
    }
    .to_json("sha256:00")
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (n_eval, n_cmd) = if quick { (200, 5) } else { (5000, 31) };
    let text = policy();
    let files = [gate::PolicyFile {
        path: "bench.rego".into(),
        text: text.clone(),
    }];
    let mut prepared = gate::Policy::load(&files, &[], &gate::PolicyOptions::default()).unwrap();
    let input = input();
    let ns = vec!["main".to_owned()];
    let d = prepared.evaluate(&input, &ns);
    assert_eq!(d.rules_evaluated.len(), 50, "{d:?}");
    assert_eq!(d.outcome, gate::Outcome::Allow, "{d:?}");
    let mut ours = Vec::new();
    for _ in 0..n_eval {
        let t = Instant::now();
        std::hint::black_box(prepared.evaluate(&input, &ns));
        ours.push(t.elapsed());
    }
    // Baseline: regorus evaluating the whole package in one query (what one `data.main`
    // query costs), same policy, same input.
    let mut engine = regorus::Engine::new();
    engine
        .add_policy("bench.rego".into(), text.clone())
        .unwrap();
    let value = regorus::Value::from_json_str(&input.to_string()).unwrap();
    let mut base = Vec::new();
    for _ in 0..n_eval {
        let t = Instant::now();
        engine.set_input(value.clone());
        std::hint::black_box(engine.eval_query("data.main".into(), false).unwrap());
        base.push(t.elapsed());
    }
    let (ours, base) = (median(ours), median(base));
    println!(
        "gate policy evaluation (50 rules, 5 reports, prepared engine): median {:.1} µs; regorus whole-package query {:.1} µs; ratio {:.2}",
        ours.as_secs_f64() * 1e6,
        base.as_secs_f64() * 1e6,
        ours.as_secs_f64() / base.as_secs_f64()
    );

    // The whole command, against verification alone, on the same 5-item set.
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let dir = std::env::temp_dir().join(format!("prov-verify-gate-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy_path = dir.join("bench.rego");
    std::fs::write(&policy_path, &text).unwrap();
    let bin = env!("CARGO_BIN_EXE_prov-verify");
    let time = |args: &[&str]| {
        let mut v = Vec::new();
        for _ in 0..n_cmd {
            let t = Instant::now();
            let out = Command::new(bin)
                .args(args)
                .current_dir(root)
                .output()
                .unwrap();
            v.push(t.elapsed());
            assert!(
                out.status.code() == Some(0),
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        median(v)
    };
    let set = "fixtures/sets/release-evidence.json";
    let verify = time(&["verify", "--set", set]);
    let gate = time(&[
        "gate",
        "--policy",
        policy_path.to_str().unwrap(),
        "--set",
        set,
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "prov-verify gate (5 items, 50 rules): median {:.1} ms; verify --set alone {:.1} ms; the gate's own cost {:.1} ms; ratio {:.2}",
        gate.as_secs_f64() * 1e3,
        verify.as_secs_f64() * 1e3,
        (gate.as_secs_f64() - verify.as_secs_f64()) * 1e3,
        gate.as_secs_f64() / verify.as_secs_f64()
    );
}
