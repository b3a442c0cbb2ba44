//! `prov-verify merkle ...`: roots, proof generation, inclusion, consistency and checkpoints.

use crate::cli::{ConsistencyArgs, InclusionArgs, MerkleCommand};
use crate::commands::Outcome;
use crate::error::CliError;
use crate::input::{parse_hash, parse_proof, read_small_file, Leaves};
use merkle::Hash;
use merkle::{consistency_proof, inclusion_proof, leaf_hash_reader};
use plugin_api::{
    run_plugin, Policy, Report, Signature, Subject, TrustRoot, TrustRootKind, TrustRoots,
    VerifyRequest,
};
use serde::{Deserialize, Serialize};
use std::path::Path;

pub fn run(cmd: &MerkleCommand) -> Result<Outcome, CliError> {
    match cmd {
        MerkleCommand::Root { leaves, expect } => {
            root(&Leaves::from_args(leaves)?, expect.as_deref())
        }
        MerkleCommand::ProveInclusion {
            leaves,
            index,
            size,
        } => {
            let hashes = Leaves::from_args(leaves)?.collect()?;
            let size = size.unwrap_or(hashes.len() as u64);
            let proof = inclusion_proof(&hashes, size, *index)
                .map_err(|e| CliError::Usage(e.to_string()))?;
            let tree = hashes.get(..size as usize).unwrap_or_default();
            let leaf = hashes
                .get(*index as usize)
                .copied()
                .ok_or_else(|| CliError::Internal("leaf index checked above".into()))?;
            let file = InclusionFile {
                index: Some(*index),
                size: Some(size),
                leaf_hash: Some(leaf.to_hex()),
                proof: Some(proof.iter().map(Hash::to_hex).collect()),
                root: Some(merkle::root_from_leaf_hashes(tree).to_hex()),
            };
            to_data(&file)
        }
        MerkleCommand::ProveConsistency {
            leaves,
            size1,
            size2,
        } => {
            let hashes = Leaves::from_args(leaves)?.collect()?;
            let size2 = size2.unwrap_or(hashes.len() as u64);
            let proof = consistency_proof(&hashes, *size1, size2)
                .map_err(|e| CliError::Usage(e.to_string()))?;
            let root_of = |n: u64| {
                merkle::root_from_leaf_hashes(hashes.get(..n as usize).unwrap_or_default())
            };
            let file = ConsistencyFile {
                size1: Some(*size1),
                size2: Some(size2),
                root1: Some(root_of(*size1).to_hex()),
                root2: Some(root_of(size2).to_hex()),
                proof: Some(proof.iter().map(Hash::to_hex).collect()),
            };
            to_data(&file)
        }
        MerkleCommand::VerifyInclusion(args) => verify_inclusion_cmd(args),
        MerkleCommand::VerifyConsistency(args) => verify_consistency_cmd(args),
        MerkleCommand::VerifyCheckpoint { keys, origin, file } => {
            verify_checkpoint_cmd(keys, origin.as_deref(), file)
        }
    }
}

fn to_data<T: Serialize>(v: &T) -> Result<Outcome, CliError> {
    serde_json::to_value(v)
        .map(Outcome::Data)
        .map_err(|e| CliError::Internal(e.to_string()))
}

fn root(leaves: &Leaves, expect: Option<&str>) -> Result<Outcome, CliError> {
    let expect = expect.map(|e| parse_hash("--expect", e)).transpose()?;
    let (size, root) = leaves.root()?;
    tracing::info!(size, %root, "computed tree root");
    // Without --expect this is a computation, not a verification: print the values.
    let Some(want) = expect else {
        return Ok(Outcome::Data(
            serde_json::json!({ "size": size, "root": root.to_hex() }),
        ));
    };
    Ok(Outcome::Report(merkle::root_match_report(
        size, &root, &want,
    )))
}

/// A JSON inclusion proof file; every field optional here because flags may supply it.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct InclusionFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    leaf_hash: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    proof: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    root: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsistencyFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    size1: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    size2: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    root1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    root2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    proof: Option<Vec<String>>,
}

fn load_json<T: for<'de> Deserialize<'de> + Default + 'static>(
    path: Option<&Path>,
) -> Result<(T, String), CliError> {
    match path {
        None => Ok((T::default(), String::new())),
        Some(p) => {
            let bytes = read_small_file(p)?;
            let v = plugin_api::json::from_slice(&bytes)
                .map_err(|e| CliError::malformed(p.display().to_string(), e))?;
            Ok((v, format!("{}: ", p.display())))
        }
    }
}

/// Takes a field from exactly one of its flag (`--flag`) and the proof file (`field`), and
/// parses it with the name of where it came from, so an error names the bad field.
fn pick<T, R>(
    flag_name: &str,
    flag: Option<T>,
    file_field: &str,
    from_file: Option<T>,
    file_prefix: &str,
    parse: impl FnOnce(&str, T) -> Result<R, CliError>,
) -> Result<R, CliError> {
    match (flag, from_file) {
        (Some(v), None) => parse(flag_name, v),
        (None, Some(v)) => parse(&format!("{file_prefix}{file_field}"), v),
        (Some(_), Some(_)) => Err(CliError::Usage(format!(
            "{flag_name} is given both on the command line and as `{file_field}` in the proof file; give it once"
        ))),
        (None, None) => Err(CliError::Usage(format!(
            "{flag_name} is required (or `{file_field}` in the proof file)"
        ))),
    }
}

fn number(_: &str, v: u64) -> Result<u64, CliError> {
    Ok(v)
}

fn hash(field: &str, text: String) -> Result<Hash, CliError> {
    parse_hash(field, &text)
}

fn nodes(field: &str, list: Vec<String>) -> Result<Vec<Hash>, CliError> {
    parse_proof(field, &list)
}

fn verify_inclusion_cmd(args: &InclusionArgs) -> Result<Outcome, CliError> {
    let (file, at): (InclusionFile, String) = load_json(args.proof_file.as_deref())?;
    let index = pick("--index", args.index, "index", file.index, &at, number)?;
    let size = pick("--size", args.size, "size", file.size, &at, number)?;
    let leaf = match &args.leaf {
        Some(path) if file.leaf_hash.is_none() => {
            let f = std::fs::File::open(path).map_err(|e| CliError::io(path, e))?;
            leaf_hash_reader(f).map_err(|e| CliError::io(path, e))?
        }
        Some(_) => {
            return Err(CliError::Usage(
                "--leaf is given and the proof file has `leaf_hash`; give the leaf once".into(),
            ))
        }
        None => pick(
            "--leaf-hash",
            args.leaf_hash.clone(),
            "leaf_hash",
            file.leaf_hash,
            &at,
            hash,
        )?,
    };
    let proof = pick(
        "--proof",
        args.proof.clone(),
        "proof",
        file.proof,
        &at,
        nodes,
    )?;
    let root = pick("--root", args.root.clone(), "root", file.root, &at, hash)?;

    let document = merkle::InclusionDocument {
        index,
        size,
        leaf_hash: leaf.to_hex(),
        proof: proof.iter().map(Hash::to_hex).collect(),
        root: None,
    };
    let report = run_proof(&document, &root, args.proof_file.as_deref())?;
    tracing::info!(
        index,
        size,
        nodes = proof.len(),
        ok = report.ok(),
        "inclusion proof checked"
    );
    Ok(Outcome::Report(report))
}

/// Runs the `merkle` plugin on a proof document built from the flags and the proof file,
/// with `root` as the trusted tree head.
fn run_proof<T: Serialize>(
    document: &T,
    root: &Hash,
    file: Option<&Path>,
) -> Result<Report, CliError> {
    let bytes = serde_json::to_vec(document).map_err(|e| CliError::Internal(e.to_string()))?;
    let mut roots = TrustRoots::new();
    roots.push(TrustRoot::new(
        TrustRootKind::MerkleRoot,
        "--root",
        root.to_hex().into_bytes(),
    ));
    let name = file.map_or_else(|| "proof flags".to_owned(), |p| p.display().to_string());
    let time = crate::commands::now()?;
    let req = VerifyRequest::new(Subject::Bytes(&bytes), Signature::new(b""), &roots, time)
        .with_subject_name(&name);
    Ok(run_plugin(&merkle::MerklePlugin::default(), &req)?)
}

fn verify_consistency_cmd(args: &ConsistencyArgs) -> Result<Outcome, CliError> {
    let (file, at): (ConsistencyFile, String) = load_json(args.proof_file.as_deref())?;
    let size1 = pick("--size1", args.size1, "size1", file.size1, &at, number)?;
    let size2 = pick("--size2", args.size2, "size2", file.size2, &at, number)?;
    let root1 = pick(
        "--root1",
        args.root1.clone(),
        "root1",
        file.root1,
        &at,
        hash,
    )?;
    let root2 = pick(
        "--root2",
        args.root2.clone(),
        "root2",
        file.root2,
        &at,
        hash,
    )?;
    let proof = pick(
        "--proof",
        args.proof.clone(),
        "proof",
        file.proof,
        &at,
        nodes,
    )?;

    let document = merkle::ConsistencyDocument {
        size1,
        size2,
        root2: root2.to_hex(),
        proof: proof.iter().map(Hash::to_hex).collect(),
        root1: None,
    };
    let report = run_proof(&document, &root1, args.proof_file.as_deref())?;
    tracing::info!(
        size1,
        size2,
        nodes = proof.len(),
        ok = report.ok(),
        "consistency proof checked"
    );
    Ok(Outcome::Report(report))
}

/// `merkle verify-checkpoint`: an adapter over the `merkle` plugin
/// ([`merkle::MerklePlugin`]); `--origin` is the policy's expected identity.
fn verify_checkpoint_cmd(
    keys: &[String],
    origin: Option<&str>,
    file: &Path,
) -> Result<Outcome, CliError> {
    let mut roots = TrustRoots::new();
    for (i, k) in keys.iter().enumerate() {
        roots.push(TrustRoot::new(
            TrustRootKind::NoteVerifierKey,
            format!("--key #{}", i + 1),
            k.clone().into_bytes(),
        ));
    }
    let bytes = read_small_file(file)?;
    tracing::info!(file = %file.display(), bytes = bytes.len(), keys = keys.len(), "opening checkpoint");
    let policy = match origin {
        Some(o) => Policy::new().with_identity(o),
        None => Policy::new(),
    };
    let name = file.display().to_string();
    let time = crate::commands::now()?;
    let req = VerifyRequest::new(Subject::Bytes(&bytes), Signature::new(b""), &roots, time)
        .with_subject_name(&name)
        .with_policy(&policy);
    Ok(Outcome::Report(run_plugin(
        &merkle::MerklePlugin::default(),
        &req,
    )?))
}
