//! `--spot-check N --seed S`: a reproducible sample of control lines, each followed along its
//! chain of evidence: control line → evidence file in the pack → SHA-256 computed from the
//! pack's bytes → artifact entry of the signed index → RFC 6962 inclusion proof verified
//! against the signed `merkleRoot` → the key that signed `index.json`.
//!
//! The sample is drawn with SplitMix64 from the seed (a partial Fisher–Yates shuffle with
//! rejection sampling, so every line is equally likely), then listed in control-map order.
//! The same pack, N and seed always give the same lines.

use crate::index::Index;
use merkle::Hash;
use plugin_api::Failure;
use std::collections::BTreeMap;

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, well-mixed deterministic generator. Not for
/// secrets; used only to pick which lines to show.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64-bit output.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A uniform value in `0..bound` (`bound` > 0), by rejection sampling.
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound <= 1 {
            return 0;
        }
        let zone = u64::MAX - (u64::MAX % bound);
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % bound;
            }
        }
    }
}

/// `min(n, len)` distinct positions in `0..len`, chosen from `seed`, in ascending order.
pub fn sample(len: usize, n: usize, seed: u64) -> Vec<usize> {
    let mut positions: Vec<usize> = (0..len).collect();
    let mut rng = SplitMix64::new(seed);
    let take = n.min(len);
    for i in 0..take {
        let remaining = (len - i) as u64;
        let j = i + rng.below(remaining) as usize;
        positions.swap(i, j);
    }
    positions.truncate(take);
    positions.sort_unstable();
    positions
}

/// One sampled control line and its chain of evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpotCheck {
    /// The line's position in the control map (1 = first line after the header).
    pub line: usize,
    /// `control_id` of the line.
    pub control_id: String,
    /// The framework of the line.
    pub framework: String,
    /// The evidence file's path in the pack.
    pub evidence_path: String,
    /// SHA-256 of the evidence file, computed from the pack's bytes while verifying.
    pub computed_sha256: String,
    /// Position of the artifact in the index (the Merkle leaf index).
    pub leaf_index: u64,
    /// Number of artifacts (the Merkle tree size).
    pub tree_size: u64,
    /// The inclusion proof's hashes, hex.
    pub proof: Vec<String>,
    /// The signed Merkle root the proof was verified against.
    pub merkle_root: String,
    /// Names of the keys whose signatures over `index.json` verified.
    pub signed_by: Vec<String>,
}

impl SpotCheck {
    /// One line: `control → evidence → sha256 → Merkle proof → signature`.
    pub fn chain(&self) -> String {
        format!(
            "control {} ({}, line {}) -> {} -> sha256 {} (computed from the pack) -> artifact {} of {}, inclusion proof [{}] verified against merkleRoot {} -> index.json signed by {}",
            self.control_id,
            self.framework,
            self.line,
            self.evidence_path,
            self.computed_sha256,
            self.leaf_index,
            self.tree_size,
            self.proof.join(" "),
            self.merkle_root,
            self.signed_by.join(", ")
        )
    }
}

/// Follows `n` control lines chosen from `seed` along their chains. `digests` maps each pack
/// path to the SHA-256 computed from the pack's bytes. Fails, naming the line, if any link is
/// missing or does not verify.
pub(crate) fn spot_check(
    index: &Index,
    digests: &BTreeMap<String, String>,
    signers: &[String],
    root: &Hash,
    positions: &[usize],
) -> Result<Vec<SpotCheck>, Failure> {
    if positions.is_empty() {
        return Err(Failure::new(
            "no control line to follow: a spot check of nothing checks nothing (ask for at least one line or control)",
        ));
    }
    let mut out = Vec::new();
    for &pos in positions {
        let line = index
            .controls
            .get(pos)
            .ok_or_else(|| format!("control line {} is missing", pos + 1))?;
        let at = |what: &str| {
            Failure::new(format!(
                "control line {} ({}): {what}",
                pos + 1,
                line.control_id
            ))
        };
        let artifact = index.artifact_named(&line.evidence_path).ok_or_else(|| {
            at(&format!(
                "{} is not listed in the index",
                line.evidence_path
            ))
        })?;
        let path = artifact.path.clone();
        let computed = digests
            .get(&path)
            .ok_or_else(|| at(&format!("{path} is not in the pack")))?;
        if computed != &artifact.sha256 || computed != &line.evidence_sha256 {
            return Err(at(&format!(
                "{path}: computed sha256 {computed}, index {}, control line {}",
                artifact.sha256, line.evidence_sha256
            )));
        }
        let proof = index
            .inclusion_proof(&path)
            .ok_or_else(|| at(&format!("no inclusion proof for {path}")))?;
        proof
            .verify(root)
            .map_err(|e| at(&format!("inclusion proof of {path}: {e}")))?;
        out.push(SpotCheck {
            line: pos + 1,
            control_id: line.control_id.clone(),
            framework: line.framework.clone(),
            evidence_path: path,
            computed_sha256: computed.clone(),
            leaf_index: proof.index,
            tree_size: proof.size,
            proof: proof.proof.iter().map(Hash::to_hex).collect(),
            merkle_root: root.to_hex(),
            signed_by: signers.to_vec(),
        });
    }
    Ok(out)
}

/// The positions (0-based, in control-map order) of every control line of these control ids;
/// an id with no line is a failure naming it.
pub(crate) fn lines_of(index: &Index, ids: &[String]) -> Result<Vec<usize>, Failure> {
    if ids.is_empty() {
        return Err(Failure::new("no control was named to spot-check"));
    }
    let mut positions = Vec::new();
    for id in ids {
        let before = positions.len();
        positions.extend(
            index
                .controls
                .iter()
                .enumerate()
                .filter(|(_, l)| &l.control_id == id)
                .map(|(i, _)| i),
        );
        if positions.len() == before {
            return Err(Failure::new(format!(
                "control {id} has no line in the pack's control map"
            )));
        }
    }
    positions.sort_unstable();
    positions.dedup();
    Ok(positions)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn splitmix64_reference_values() {
        // Reference outputs for seed 1234567 (from the C reference implementation).
        let mut r = SplitMix64::new(1_234_567);
        assert_eq!(r.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(r.next_u64(), 3_203_168_211_198_807_973);
        assert_eq!(r.next_u64(), 9_817_491_932_198_370_423);
    }

    #[test]
    fn sample_is_deterministic_distinct_and_bounded() {
        let a = sample(40, 5, 7);
        assert_eq!(a, sample(40, 5, 7));
        assert_eq!(a.len(), 5);
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert!(a.iter().all(|&p| p < 40));
        assert_ne!(a, sample(40, 5, 8));
        assert_eq!(sample(3, 10, 1), vec![0, 1, 2]);
        assert!(sample(0, 3, 1).is_empty());
    }
}
