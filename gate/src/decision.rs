//! The gate's decision and its reasons.

use serde::Serialize;

/// What the gate decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Nothing stands in the way (warnings may remain).
    Allow,
    /// At least one denial.
    Deny,
    /// No decision could be reached (a bad policy, a bad set, an engine error): the release
    /// does not go out either.
    NoDecision,
}

impl Outcome {
    /// The word used in every output.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Allow => "allow",
            Outcome::Deny => "deny",
            Outcome::NoDecision => "no-decision",
        }
    }
}

/// Stable reason codes of the gate's own findings (policy findings use `policy.deny`,
/// `policy.violation` and `policy.warn`).
pub mod codes {
    /// No policy file was given or found.
    pub const NO_POLICY: &str = "gate.no-policy";
    /// A policy file could not be read or parsed.
    pub const POLICY_INVALID: &str = "gate.policy-invalid";
    /// A signed policy bundle whose signature did not verify.
    pub const POLICY_UNSIGNED: &str = "gate.policy-unsigned";
    /// A data file is not a JSON object, or collides with another.
    pub const DATA_INVALID: &str = "gate.data-invalid";
    /// The namespace asked for is not a package of the policy.
    pub const NAMESPACE_MISSING: &str = "gate.namespace-missing";
    /// The namespace has no `deny` or `violation` rule: it cannot deny anything.
    pub const NO_DENY_RULES: &str = "gate.no-deny-rules";
    /// A `deny`/`violation`/`warn` rule is not a set of messages.
    pub const RULE_NOT_A_SET: &str = "gate.rule-not-a-set";
    /// A message is neither a string nor an object with a string `msg`.
    pub const BAD_MESSAGE: &str = "gate.bad-message";
    /// The policy called a function the gate does not provide (`http.send`, `opa.runtime`…).
    pub const UNAVAILABLE_BUILTIN: &str = "gate.unavailable-builtin";
    /// The policy reads the clock (`time.now_ns`) rather than `input.context.now_ns`.
    pub const READS_CLOCK: &str = "gate.reads-clock";
    /// Evaluation failed.
    pub const EVAL_ERROR: &str = "gate.eval-error";
    /// Evaluation ran past its time limit.
    pub const TIMEOUT: &str = "gate.timeout";
    /// The evidence set could not be read (not JSON, an unknown member, a bad item).
    pub const SET_INVALID: &str = "gate.set-invalid";
    /// The evidence set holds no item.
    pub const NO_EVIDENCE: &str = "gate.no-evidence";
    /// An evidence item did not verify.
    pub const EVIDENCE_FAILED: &str = "gate.evidence-failed";
    /// An evidence item verified only with an insecure mode turned on.
    pub const EVIDENCE_INSECURE: &str = "gate.evidence-insecure";
    /// No verdict could be reached for an evidence item.
    pub const EVIDENCE_NO_VERDICT: &str = "gate.evidence-no-verdict";
    /// A built-in SLSA provenance check failed.
    pub const SLSA: &str = "gate.slsa";
    /// A policy `deny` rule.
    pub const POLICY_DENY: &str = "policy.deny";
    /// A policy `violation` rule.
    pub const POLICY_VIOLATION: &str = "policy.violation";
    /// A policy `warn` rule.
    pub const POLICY_WARN: &str = "policy.warn";
}

/// One reason: why the gate denied, warned, or could not decide.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// A stable code ([`codes`]).
    pub code: String,
    /// The rule (`main.deny_unsigned`), for policy findings and rule-shape findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The message.
    pub msg: String,
    /// The evidence item concerned, if known (the policy may say so in a violation's
    /// `item` member).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// The check of that item's report concerned, if known (a violation's `check` member).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// A violation's other members.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
}

impl Reason {
    /// A reason with a code and a message.
    pub fn new(code: &str, msg: impl Into<String>) -> Reason {
        Reason {
            code: code.to_owned(),
            rule: None,
            msg: msg.into(),
            item: None,
            check: None,
            metadata: None,
        }
    }

    /// With the rule that produced it.
    pub fn with_rule(mut self, rule: impl Into<String>) -> Reason {
        self.rule = Some(rule.into());
        self
    }

    /// With the evidence item concerned.
    pub fn with_item(mut self, item: impl Into<String>) -> Reason {
        self.item = Some(item.into());
        self
    }

    /// With the check concerned.
    pub fn with_check(mut self, check: impl Into<String>) -> Reason {
        self.check = Some(check.into());
        self
    }

    /// A stable rule id for SARIF and JUnit: the rule, else the code.
    pub fn rule_id(&self) -> String {
        self.rule.clone().unwrap_or_else(|| self.code.clone())
    }

    /// One line for a person: code or rule, message, and where.
    pub fn explain(&self) -> String {
        let mut s = match &self.rule {
            Some(rule) if self.code.starts_with("policy.") => format!("{rule}: {}", self.msg),
            Some(rule) => format!("{} {rule}: {}", self.code, self.msg),
            None => format!("{}: {}", self.code, self.msg),
        };
        match (&self.item, &self.check) {
            (Some(item), Some(check)) => s.push_str(&format!(" [evidence {item}, check {check}]")),
            (Some(item), None) => s.push_str(&format!(" [evidence {item}]")),
            (None, Some(check)) => s.push_str(&format!(" [check {check}]")),
            (None, None) => {}
        }
        s
    }
}

/// The gate's decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    /// Allow, deny or no decision.
    pub outcome: Outcome,
    /// Why it denied (empty for allow).
    pub denials: Vec<Reason>,
    /// Why no decision could be reached (empty unless `outcome` is no-decision).
    pub errors: Vec<Reason>,
    /// Warnings (`warn` rules; never a reason to allow something denied).
    pub warnings: Vec<Reason>,
    /// Findings a policy `exception` rule set aside (shown, not counted).
    pub exceptions: Vec<Reason>,
    /// The namespaces evaluated.
    pub namespaces: Vec<String>,
    /// `sha256:<hex>` over the policy files (paths and contents) and data files.
    pub policy_digest: String,
    /// SLSA levels the policy's `verified_levels` rule names (for the VSA), sorted.
    pub verified_levels: Vec<String>,
    /// Every `deny`/`violation`/`warn` rule evaluated (`main.deny_unsigned`), in order: the
    /// JUnit output has one test case per rule.
    pub rules_evaluated: Vec<String>,
}

impl Decision {
    /// A decision with no findings yet, for the policy of this digest.
    pub fn new(policy_digest: impl Into<String>, namespaces: Vec<String>) -> Decision {
        Decision {
            outcome: Outcome::Allow,
            denials: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            exceptions: Vec::new(),
            namespaces,
            policy_digest: policy_digest.into(),
            verified_levels: Vec::new(),
            rules_evaluated: Vec::new(),
        }
    }

    /// As [`Decision::settle`]; with `fail_on_warn`, warnings deny too (the outcome every
    /// output shows then agrees with the exit status).
    pub fn settle_with(&mut self, fail_on_warn: bool) {
        self.settle();
        if fail_on_warn && self.outcome == Outcome::Allow && !self.warnings.is_empty() {
            self.outcome = Outcome::Deny;
        }
    }

    /// Sets the outcome from the findings: any error → no decision; else any denial → deny.
    pub fn settle(&mut self) {
        self.outcome = if !self.errors.is_empty() {
            Outcome::NoDecision
        } else if !self.denials.is_empty() {
            Outcome::Deny
        } else {
            Outcome::Allow
        };
    }

    /// The exit status: 0 allow, 1 deny (or, with `fail_on_warn`, allow with warnings), 2 no
    /// decision.
    pub fn exit_code(&self, fail_on_warn: bool) -> u8 {
        if fail_on_warn && !self.warnings.is_empty() && self.outcome != Outcome::NoDecision {
            return 1;
        }
        match self.outcome {
            Outcome::Allow if fail_on_warn && !self.warnings.is_empty() => 1,
            Outcome::Allow => 0,
            Outcome::Deny => 1,
            Outcome::NoDecision => 2,
        }
    }

    /// Every finding that stops the release, errors first.
    pub fn blocking(&self) -> impl Iterator<Item = &Reason> {
        self.errors.iter().chain(self.denials.iter())
    }
}
