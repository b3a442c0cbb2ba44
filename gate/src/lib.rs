//! The release gate: a fail-closed policy decision over verification reports.
//!
//! A pipeline verifies its evidence (one `plugin_api::Report` per item), then asks one
//! question: may this release go out? [`policy::Policy`] answers it by evaluating Rego (the
//! `regorus` crate, in process) over [`input::GateInput`], with conftest's conventions
//! (`deny`, `violation`, `warn`, `exception` rules, prefix matching, namespace `main`). The
//! answer, a [`decision::Decision`], is **allow only when nothing stands in the way**: a
//! missing policy, an unknown namespace, a namespace with no rule that can deny, a rule of the
//! wrong shape, an engine error, a time-out, a policy that reaches for the network or the
//! clock, no evidence at all, and any evidence item that did not verify (whether or not the
//! policy mentions it) each stop the release with a named reason.
//!
//! Outputs: [`sarif`] (SARIF 2.1.0), [`junit`] (JUnit XML as GitLab reads it), [`github`]
//! (workflow-command annotations), and [`vsa`] (a signed SLSA verification summary).
#![forbid(unsafe_code)]

pub mod decision;
pub mod github;
pub mod input;
pub mod junit;
pub mod policy;
pub mod sarif;
pub mod vsa;

pub use decision::{Decision, Outcome, Reason};
pub use input::{GateInput, ItemEvidence};
pub use policy::{Policy, PolicyError, PolicyFile, PolicyOptions};
