//! Reports: made only from a verified pack, byte-identical to the golden files in
//! fixtures/evidence/reports/ (so deterministic), and the PDF's text (pdftotext, from
//! poppler-utils) holds every control id, the pack digest and the signer.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use audit_pack::report::{self, ReportFormat, ReportInput};
use audit_pack::{parse_public_key, Index, Limits, SpotCheckRequest, PLUGIN};
use plugin_api::Report;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/evidence")
}

fn key() -> merkle::note::VerifierKey {
    let text = std::fs::read_to_string(root().join("keys/acme-audit-pack.pub")).unwrap();
    parse_public_key(&text).unwrap()
}

fn release_key() -> merkle::note::VerifierKey {
    let text = std::fs::read_to_string(root().join("keys/acme-release.pub")).unwrap();
    parse_public_key(&text).unwrap()
}

/// Verifies (index key `index`, and the release key for the manifest, as an auditor would)
/// and digests.
fn verify_and_digest(
    bytes: &[u8],
    index: merkle::note::VerifierKey,
    spot: Option<SpotCheckRequest>,
) -> (audit_pack::Verification, Option<String>) {
    let index = [index];
    let manifest = [release_key()];
    let trust = audit_pack::Trust::keys(&index).with_manifest_keys(&manifest);
    report::verify_and_digest_trusted(
        Report::builder(PLUGIN),
        bytes,
        &trust,
        &Limits::DEFAULT,
        spot,
    )
    .unwrap()
}

fn render_all(bytes: &[u8]) -> Vec<(ReportFormat, Vec<u8>)> {
    let (v, digest) = verify_and_digest(bytes, key(), None);
    let digest = digest.unwrap();
    let pack = v.verified().expect("sample pack verifies");
    let input = ReportInput {
        pack,
        verification: &v.report,
        file_name: "audit-pack-acme-2026-11-23.tgz",
        pack_sha256: &digest,
    };
    [
        ReportFormat::Json,
        ReportFormat::Csv,
        ReportFormat::Pdf,
        ReportFormat::Oscal,
    ]
    .into_iter()
    .map(|f| (f, report::render(&input, f).unwrap()))
    .collect()
}

fn sample() -> Vec<u8> {
    std::fs::read(root().join("audit-pack-acme-2026-11-23.tgz")).unwrap()
}

#[test]
fn reports_equal_golden_files() {
    for (format, bytes) in render_all(&sample()) {
        let golden = root().join(format!("reports/acme-2026-11-23.{}", format.extension()));
        assert!(
            std::fs::read(&golden).unwrap() == bytes,
            "{} differs from a fresh render (regenerate with bash fixtures/evidence/make-evidence.sh and review)",
            golden.display()
        );
    }
}

#[test]
fn digest_is_of_the_pack_bytes() {
    use sha2::Digest;
    let bytes = sample();
    let (_, digest) = verify_and_digest(&bytes, key(), None);
    assert_eq!(digest.unwrap(), hex::encode(sha2::Sha256::digest(&bytes)));
}

#[test]
fn hostile_packs_give_no_verified_pack() {
    let mut n = 0;
    for entry in std::fs::read_dir(root().join("hostile")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("tgz") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let (v, digest) = verify_and_digest(
            &bytes,
            key(),
            Some(SpotCheckRequest::Sample { count: 3, seed: 1 }),
        );
        assert!(!v.report.ok(), "{}", path.display());
        assert!(v.verified().is_none(), "{}", path.display());
        assert!(digest.is_none(), "{}", path.display());
        n += 1;
    }
    assert!(n >= 40, "only {n} hostile packs found");
}

#[test]
fn wrong_key_gives_no_verified_pack() {
    let other = audit_pack::SigningKey::from_seed("acme-audit-pack", [9; 32]).unwrap();
    let (v, digest) = verify_and_digest(&sample(), other.verifier_key(), None);
    assert!(v.verified().is_none());
    assert!(digest.is_none());
}

#[test]
fn json_report_holds_the_index_and_every_check() {
    let all = render_all(&sample());
    let json: serde_json::Value = serde_json::from_slice(&all[0].1).unwrap();
    assert_eq!(json["format"], report::REPORT_FORMAT);
    assert_eq!(json["verified"], true);
    assert_eq!(
        json["checks"].as_array().unwrap().len(),
        audit_pack::CHECK_IDS.len()
    );
    assert!(json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["status"] == "pass"));
    assert_eq!(json["pack"]["signedBy"][0], "acme-audit-pack");
    assert_eq!(
        json["pack"]["signedByKeys"][0],
        "acme-audit-pack (key ID a84eb7e5)"
    );
    assert_eq!(json["controls"].as_array().unwrap().len(), 8);
}

#[test]
fn csv_report_has_a_status_per_control_line() {
    let all = render_all(&sample());
    let text = String::from_utf8(all[1].1.clone()).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r.headers().unwrap().clone();
    assert_eq!(headers.len(), 17 + report::CSV_EXTRA_COLUMNS.len());
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 8);
    assert!(rows.iter().all(|row| row[17].starts_with("verified")));
}

fn pdftotext() -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("pdftotext"))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "pdftotext not found on PATH: install poppler-utils (apt-get install -y poppler-utils); \
             the PDF report test needs it"
        )
    })
}

#[test]
fn pdf_parses_and_its_text_holds_every_control_id() {
    let all = render_all(&sample());
    let pdf = &all[2].1;
    assert!(pdf.starts_with(b"%PDF-1.4\n"));
    assert!(pdf.ends_with(b"%%EOF\n"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new(pdftotext())
        .arg(&file)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "pdftotext complained: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let index_bytes = {
        // The index, to list the control ids independently of the report code.
        let v = verify_and_digest(&sample(), key(), None).0;
        v.verified().unwrap().index().clone()
    };
    let index: Index = index_bytes;
    assert!(!index.controls.is_empty());
    for line in &index.controls {
        assert!(
            text.contains(&line.control_id),
            "control {} missing",
            line.control_id
        );
    }
    for a in &index.artifacts {
        assert!(
            text.contains(&a.path) || a.path.len() > 40,
            "artifact {} missing",
            a.path
        );
    }
    use sha2::Digest;
    let digest = hex::encode(sha2::Sha256::digest(sample()));
    assert!(text.contains(&digest), "pack digest missing");
    assert!(text.contains("acme-audit-pack"), "signer missing");
    assert!(text.contains("2026-11-23"));
    assert!(text.contains("page 3 of 3"));
    // The cover: audit period, report time, tool version, the signer's key ID, and the
    // exceptions (the sample's one control line whose state is not effective).
    for want in [
        "Audit period",
        "2026-07-01 to 2026-12-31",
        "Report time",
        &format!("audit-pack {}", env!("CARGO_PKG_VERSION")),
        "acme-audit-pack (key ID a84eb7e5)",
        "Exceptions: 1 of 8 control lines",
    ] {
        assert!(text.contains(want), "cover: {want} missing");
    }
    let exceptions: Vec<&str> = index
        .controls
        .iter()
        .filter(|c| c.state != "effective")
        .map(|c| c.control_id.as_str())
        .collect();
    assert_eq!(exceptions, ["CC7.2"]);
    // The controls table: evidence id, collection date, owner and notes of each line.
    for line in &index.controls {
        for want in [&line.evidence_id, &line.collected_at] {
            assert!(
                text.contains(want.as_str()),
                "{}: {want} missing",
                line.control_id
            );
        }
    }
    assert!(
        text.contains("signed by acme-release"),
        "manifest signer missing"
    );
}

fn pdftoppm() -> PathBuf {
    pdftotext().with_file_name("pdftoppm")
}

/// A binary PGM (P5) image: width, height and the grey levels.
fn read_pgm(bytes: &[u8]) -> (usize, usize, Vec<u8>) {
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8(bytes[start..i].to_vec()).unwrap());
    }
    assert_eq!(fields[0], "P5");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let pixels = bytes[i + 1..].to_vec();
    assert_eq!(pixels.len(), w * h);
    (w, h, pixels)
}

/// Every page of the PDF report renders (poppler's pdftoppm, 50 dpi, greyscale) without a
/// complaint, at A4 size, with ink on it: text in the top part of each page, and the
/// exceptions band on the cover in a tint between black and white.
#[test]
fn pdf_pages_render_to_images() {
    let all = render_all(&sample());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, &all[2].1).unwrap();
    let out = std::process::Command::new(pdftoppm())
        .args(["-r", "50", "-gray"])
        .arg(&file)
        .arg(dir.path().join("page"))
        .output()
        .unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "pdftoppm complained: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pgm"))
        .collect();
    pages.sort();
    assert_eq!(pages.len(), 3, "{pages:?}");
    for (n, page) in pages.iter().enumerate() {
        let (w, h, px) = read_pgm(&std::fs::read(page).unwrap());
        // A4 at 50 dpi: 595 x 842 points = 413 x 585 pixels (rounding aside).
        assert!(
            (412..=414).contains(&w) && (584..=586).contains(&h),
            "page {n}: {w}x{h}"
        );
        let dark = px.iter().filter(|&&g| g < 128).count();
        assert!(
            dark > w * h / 200,
            "page {n}: almost no ink ({dark} dark pixels)"
        );
        let top = &px[..w * h / 3];
        assert!(
            top.iter().any(|&g| g < 64),
            "page {n}: nothing in its top third"
        );
        if n == 0 {
            // The pink exceptions band: light, not white.
            assert!(
                px.iter().filter(|&&g| (200..245).contains(&g)).count() > w * 4,
                "no tinted band on the cover"
            );
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn pdf_escapes_parentheses_backslashes_and_non_ascii() {
    let dir = tempfile::tempdir().unwrap();
    let ev = dir.path().join("acme");
    std::fs::create_dir_all(&ev).unwrap();
    copy_dir(&root().join("acme"), &ev);
    let mut map = std::fs::read_to_string(root().join("control-map.csv")).unwrap();
    map.push_str(
        "ISO 27001,2022,X(1)\\é,\"naïve → 日本 (test) \\ \"\"quoted\"\"\",EV-99,access/access-review-2026-q3.csv,,,2026-10-02,2026-07-01,2026-09-30,effective,,,=cmd|' /C calc'!A0,\"(unbalanced\"\n",
    );
    // Names outside Latin-1: Cyrillic, Greek, Polish, Turkish.
    map.push_str(
        "ISO 27001,2022,A.5.2,Роли и обязанности,EV-98,access/access-review-2026-q3.csv,,,2026-10-02,2026-07-01,2026-09-30,effective,,,Ωμέγα Σοφία,Łódź İstanbul\n",
    );
    let map_path = dir.path().join("control-map.csv");
    std::fs::write(&map_path, map).unwrap();
    let key = audit_pack::SigningKey::from_seed("test-pack", [3; 32]).unwrap();
    let release =
        parse_public_key(&std::fs::read_to_string(root().join("keys/acme-release.pub")).unwrap())
            .unwrap();
    let mut pack = Vec::new();
    let input = audit_pack::BuildInput {
        org: audit_pack::OrgSlug::parse("acme").unwrap(),
        date: audit_pack::PackDate::parse("2026-11-23").unwrap(),
        evidence_dir: &ev,
        control_map: &map_path,
        kinds: None,
        key: audit_pack::IndexSigner::Ed25519(&key),
        manifest_keys: &[release],
        manifest_roots: &[],
        manifest_sigstore: None,
        insecure: &[],
        strict_dates: false,
        limits: Limits::DEFAULT,
        log: None,
    };
    audit_pack::build_pack(&input, &mut pack).unwrap();
    let (v, digest) = verify_and_digest(&pack, key.verifier_key(), None);
    let digest = digest.unwrap();
    let verified = v.verified().expect("pack verifies");
    let input = ReportInput {
        pack: verified,
        verification: &v.report,
        file_name: "p.tgz",
        pack_sha256: &digest,
    };
    let pdf = report::to_pdf(&input);
    // Text is set in the embedded, subset Unicode font (pdffonts: emb yes, sub yes, uni yes).
    assert!(pdf.windows(16).any(|w| w == b"+DejaVuSans /Enc"));
    let file = dir.path().join("r.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let out = std::process::Command::new(pdftotext())
        .arg(&file)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("X(1)\\é"), "control id with ( ) \\ and é");
    // Every character the embedded font has prints (→ too); characters it lacks (日本, the
    // font has no CJK) are shown as `?`.
    assert!(text.contains("naïve → ?? (test)"), "{text}");
    for name in ["Роли", "обязанности", "Ωμέγα Σοφία", "Łódź İstanbul"]
    {
        assert!(text.contains(name), "{name} missing from:\n{text}");
    }
    // The CSV neutralises a formula; the JSON keeps the value as it is.
    let csv = report::to_csv(&input).unwrap();
    assert!(csv.contains("'=cmd|"));
    let json = report::to_json(&input).unwrap();
    assert!(json.contains("\"owner\": \"=cmd|"));
}

/// Builds the sample evidence with `extra` control lines appended to the control map, signed
/// with a test key; with `insecure`, without the release key (so the manifest is recorded as
/// not verified under --allow-unverified-manifests).
fn build_variant(extra: &str, insecure: bool) -> (Vec<u8>, audit_pack::SigningKey) {
    let dir = tempfile::tempdir().unwrap();
    let ev = dir.path().join("acme");
    std::fs::create_dir_all(&ev).unwrap();
    copy_dir(&root().join("acme"), &ev);
    let mut map = std::fs::read_to_string(root().join("control-map.csv")).unwrap();
    map.push_str(extra);
    let map_path = dir.path().join("control-map.csv");
    std::fs::write(&map_path, map).unwrap();
    let key = audit_pack::SigningKey::from_seed("test-pack", [3; 32]).unwrap();
    let release = [release_key()];
    let mut pack = Vec::new();
    let input = audit_pack::BuildInput {
        org: audit_pack::OrgSlug::parse("acme").unwrap(),
        date: audit_pack::PackDate::parse("2026-11-23").unwrap(),
        evidence_dir: &ev,
        control_map: &map_path,
        kinds: None,
        key: audit_pack::IndexSigner::Ed25519(&key),
        manifest_keys: if insecure { &[] } else { &release },
        manifest_roots: &[],
        manifest_sigstore: None,
        insecure: if insecure {
            &[audit_pack::BuildInsecure::AllowUnverifiedManifests]
        } else {
            &[]
        },
        strict_dates: false,
        limits: Limits::DEFAULT,
        log: None,
    };
    audit_pack::build_pack(&input, &mut pack).unwrap();
    (pack, key)
}

/// Verifies with `key` (and the release key for manifests unless the pack was built with
/// --allow-unverified-manifests and no key) and renders.
fn render(pack: &[u8], key: &audit_pack::SigningKey, format: ReportFormat) -> Vec<u8> {
    let index = [key.verifier_key()];
    let manifest = [release_key()];
    let mut trust = audit_pack::Trust::keys(&index);
    let insecure =
        pack_index(pack).has_insecure(audit_pack::BuildInsecure::AllowUnverifiedManifests);
    if !insecure {
        trust = trust.with_manifest_keys(&manifest);
    }
    let (v, digest) = report::verify_and_digest_trusted(
        Report::builder(PLUGIN),
        pack,
        &trust,
        &Limits::DEFAULT,
        None,
    )
    .unwrap();
    let verified = v.verified().expect("pack verifies");
    let input = ReportInput {
        pack: verified,
        verification: &v.report,
        file_name: "p.tgz",
        pack_sha256: &digest.unwrap(),
    };
    report::render(&input, format).unwrap()
}

/// OWASP CSV injection, end to end: a control line whose every free-text cell starts with a
/// formula trigger after blanks, or with a full-width trigger, or with a tab, CR, LF or NUL,
/// comes out of the CSV report with each of those cells prefixed with `'` and otherwise
/// unchanged; the JSON report keeps the exact values.
#[test]
fn csv_report_neutralises_every_formula_cell() {
    let fields = [
        "+SOC 2",
        "\u{FF0B}1",
        "-CC9.9",
        " =HYPERLINK(\"http://evil.example\")",
        "\u{3000}@x",
        "access/access-review-2026-q3.csv",
        "",
        "",
        "\t2026-10-02",
        "\r=1",
        "\u{200B}=1",
        "\u{FF20}x",
        "",
        "",
        "\u{FF1D}1+1",
        "\0=1\n\u{FF0D}2",
    ];
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(fields).unwrap();
    let row = String::from_utf8(w.into_inner().unwrap()).unwrap();
    let (pack, key) = build_variant(&row, false);
    let csv_text = String::from_utf8(render(&pack, &key, ReportFormat::Csv)).unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&render(&pack, &key, ReportFormat::Json)).unwrap();
    let controls = json["controls"].as_array().unwrap();
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), controls.len());
    let hostile = rows.last().unwrap();
    let original = controls.last().unwrap();
    let mut prefixed = 0;
    for (i, column) in audit_pack::controls::COLUMNS.iter().enumerate() {
        let value = original[column].as_str().unwrap();
        let cell = &hostile[i];
        assert!(
            cell == value || *cell == format!("'{value}"),
            "{column}: {cell:?} from {value:?}"
        );
        let first = cell.chars().find(|c| !report::is_blank(*c));
        let unsafe_start = cell.chars().next().is_some_and(char::is_control)
            || first.is_some_and(|c| report::FORMULA_TRIGGERS.contains(&c));
        assert!(
            !unsafe_start,
            "{column}: {cell:?} would be read as a formula"
        );
        if cell != value {
            prefixed += 1;
        }
    }
    // Every free-text cell of that line was hostile (not evidence_path, the filled-in
    // evidence_sha256/kind and signature columns).
    assert_eq!(prefixed, 11, "{hostile:?}");
    assert!(csv_text.contains("'\u{FF1D}1+1"));
    assert!(json["controls"][8]["owner"] == "\u{FF1D}1+1");
}

/// A pack built with --allow-unverified-manifests verifies (its manifest is recorded, and
/// stays, not verified), and every report says so prominently: the verification's subject and
/// warnings, the JSON report's `insecureModes`, every CSV status, the PDF cover and footer.
#[test]
fn insecure_build_is_shown_by_every_report() {
    let (pack, key) = build_variant("", true);
    // No manifest key: the recorded "not verified" stands, under the recorded mode.
    let index = [key.verifier_key()];
    let v = audit_pack::verify_trusted(
        Report::builder(PLUGIN),
        pack.as_slice(),
        &audit_pack::Trust::keys(&index),
        &Limits::DEFAULT,
        None,
    );
    assert!(v.report.ok(), "{}", v.report.to_json());
    let subject = v.report.subject().unwrap();
    assert!(
        subject.contains("[INSECURE: built with --allow-unverified-manifests]"),
        "{subject}"
    );
    assert!(v.report.warnings()[0]
        .starts_with("INSECURE: the pack was built with --allow-unverified-manifests"));
    assert_eq!(
        v.report.outputs()["insecure_build_modes"],
        "allow-unverified-manifests"
    );

    let json: serde_json::Value =
        serde_json::from_slice(&render(&pack, &key, ReportFormat::Json)).unwrap();
    assert_eq!(
        json["insecureModes"][0]["mode"],
        "allow-unverified-manifests"
    );
    assert_eq!(json["manifestSignatures"][0]["verified"], false);
    let csv_text = String::from_utf8(render(&pack, &key, ReportFormat::Csv)).unwrap();
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    for row in r.records().map(Result::unwrap) {
        assert!(
            row[17].contains("[INSECURE: built with --allow-unverified-manifests]"),
            "{row:?}"
        );
    }
    assert!(csv_text.contains("verified; manifest signature NOT verified [INSECURE"));
    let pdf = render(&pack, &key, ReportFormat::Pdf);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let out = std::process::Command::new(pdftotext())
        .arg(&file)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("INSECURE: built with --allow-unverified-manifests"),
        "{text}"
    );
    assert!(text.contains("VERIFIED, INSECURE"), "{text}");
    // With the release key given, the manifest would verify: the recorded verdict is not
    // reproduced and the pack does not verify (a verdict in the pack is never rewritten).
    let manifest = [release_key()];
    let v = audit_pack::verify_trusted(
        Report::builder(PLUGIN),
        pack.as_slice(),
        &audit_pack::Trust::keys(&index).with_manifest_keys(&manifest),
        &Limits::DEFAULT,
        None,
    );
    assert!(!v.report.ok());
    assert_eq!(
        v.report.first_failure().unwrap().id,
        "audit-pack.manifests.signatures"
    );
}

/// The index of a pack (read without verifying: test helper).
fn pack_index(pack: &[u8]) -> Index {
    let mut reader = audit_pack::PackReader::new(pack, Limits::DEFAULT);
    let entry = reader.next_entry(&|_, _| true).unwrap().unwrap();
    Index::parse(&entry.data.unwrap(), Limits::DEFAULT.max_index_size).unwrap()
}
