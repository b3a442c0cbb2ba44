//! The PDF report for auditors: a cover (organisation, pack date, pack SHA-256, signer key,
//! Merkle root, the verification's checks), the controls table and the evidence index, with
//! a footer on every page naming the pack and its digest.

use super::pdf::{text_width, write_pdf, Font, Page, PAGE_HEIGHT, PAGE_WIDTH};
use super::{insecure_note, line_status, ReportInput};

const MARGIN: f32 = 40.0;
const TOP: f32 = PAGE_HEIGHT - MARGIN;
const BOTTOM: f32 = MARGIN + 24.0;
const TABLE_SIZE: f32 = 7.5;
const LINE: f32 = 9.5;
const PAD: f32 = 3.0;

/// Pages laid out from the top down.
struct Layout {
    done: Vec<Page>,
    current: Page,
    y: f32,
}

impl Layout {
    fn new() -> Self {
        Layout {
            done: Vec::new(),
            current: Page::new(),
            y: TOP,
        }
    }

    fn new_page(&mut self) {
        self.done.push(std::mem::take(&mut self.current));
        self.y = TOP;
    }

    fn page(&mut self) -> &mut Page {
        &mut self.current
    }

    fn into_pages(mut self) -> Vec<Page> {
        self.done.push(self.current);
        self.done
    }

    /// Room for `h` points, or a new page.
    fn need(&mut self, h: f32) -> bool {
        if self.y - h < BOTTOM {
            self.new_page();
            true
        } else {
            false
        }
    }

    fn heading(&mut self, text: &str, size: f32) {
        self.need(size * 2.2);
        self.y -= size * 1.4;
        let y = self.y;
        self.page().text(MARGIN, y, size, Font::Bold, text);
        self.y -= size * 0.6;
    }

    /// A paragraph, wrapped to the page width.
    fn para(&mut self, text: &str, size: f32, font: Font) {
        for line in wrap(text, PAGE_WIDTH - 2.0 * MARGIN, size, font) {
            self.need(size * 1.35);
            self.y -= size * 1.35;
            let y = self.y;
            self.page().text(MARGIN, y, size, font, &line);
        }
    }

    /// A label/value line, the value wrapped beside the label.
    fn field(&mut self, label: &str, value: &str) {
        self.field_in(label, value, Font::Regular);
    }

    /// A label/value line with the value in `font` (digests in [`Font::Mono`]).
    fn field_in(&mut self, label: &str, value: &str, font: Font) {
        let size = if font == Font::Mono { 8.5 } else { 10.0 };
        let indent = 120.0;
        let lines = wrap(value, PAGE_WIDTH - 2.0 * MARGIN - indent, size, font);
        for (i, line) in lines.iter().enumerate() {
            self.need(14.0);
            self.y -= 14.0;
            let y = self.y;
            if i == 0 {
                self.page().text(MARGIN, y, 10.0, Font::Bold, label);
            }
            self.page().text(MARGIN + indent, y, size, font, line);
        }
    }

    fn table_header(&mut self, columns: &[(&str, f32, Font)]) {
        let h = LINE + 2.0 * PAD;
        self.need(h + LINE * 2.0);
        let width: f32 = columns.iter().map(|c| c.1).sum();
        let y = self.y;
        self.page().fill_rect(MARGIN, y - h, width, h, 0.85);
        let mut x = MARGIN;
        for (name, w, _) in columns {
            self.page()
                .text(x + PAD, y - PAD - LINE + 2.0, TABLE_SIZE, Font::Bold, name);
            x += w;
        }
        self.y -= h;
    }

    /// A table; each cell wraps; a row taller than the space left continues on the next
    /// page, under a repeated header.
    fn table(&mut self, columns: &[(&str, f32, Font)], rows: &[Vec<String>]) {
        let width: f32 = columns.iter().map(|c| c.1).sum();
        self.table_header(columns);
        for row in rows {
            let cells: Vec<Vec<String>> = columns
                .iter()
                .enumerate()
                .map(|(i, (_, w, font))| {
                    let text = row.get(i).map_or("", String::as_str);
                    wrap(text, w - 2.0 * PAD, TABLE_SIZE, *font)
                })
                .collect();
            let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            if self.y - (lines as f32 * LINE + 2.0 * PAD) < BOTTOM && lines <= 20 {
                self.new_page();
                self.table_header(columns);
            }
            self.y -= PAD;
            for k in 0..lines {
                if self.y - LINE < BOTTOM {
                    self.new_page();
                    self.table_header(columns);
                }
                self.y -= LINE;
                let y = self.y + 2.0;
                let mut x = MARGIN;
                for (cell, (_, w, font)) in cells.iter().zip(columns) {
                    if let Some(text) = cell.get(k) {
                        self.page().text(x + PAD, y, TABLE_SIZE, *font, text);
                    }
                    x += w;
                }
            }
            self.y -= PAD;
            let y = self.y;
            self.page().line(MARGIN, y, MARGIN + width, y, 0.6);
        }
    }
}

/// Greedy word wrap to `width`; a word wider than a line is broken between characters.
fn wrap(text: &str, width: f32, size: f32, font: Font) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if text_width(&candidate, size, font) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word wider than a line: a path breaks after a `/`; a part still too wide (a
            // digest, a long name) breaks between characters.
            for part in word.split_inclusive('/') {
                let candidate = format!("{line}{part}");
                if text_width(&candidate, size, font) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                for c in part.chars() {
                    line.push(c);
                    if text_width(&line, size, font) > width && line.chars().count() > 1 {
                        line.pop();
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    }
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// The audit period of the control map: the earliest `period_start` and the latest
/// `period_end` that are dates (`YYYY-MM-DD`, or the date of an RFC 3339 time).
fn audit_period(index: &crate::Index) -> Option<(String, String)> {
    let day = |v: &str| {
        crate::controls::field_seconds(v.trim())
            .and_then(crate::names::PackDate::from_unix_seconds)
            .map(|d| d.to_string())
    };
    let start = index
        .controls
        .iter()
        .filter_map(|c| day(&c.period_start))
        .min()?;
    let end = index
        .controls
        .iter()
        .filter_map(|c| day(&c.period_end))
        .max()?;
    Some((start, end))
}

/// The PDF report.
pub fn to_pdf(input: &ReportInput<'_>) -> Vec<u8> {
    let index = input.pack.index();
    let report = input.verification;
    let date = index.generated_at.get(..10).unwrap_or(&index.generated_at);
    let signers = super::signer_labels(input.pack).join(", ");
    let mut l = Layout::new();

    // Cover.
    l.y -= 40.0;
    l.heading("Audit evidence pack", 22.0);
    l.para(
        &format!("{} - pack of {date}", index.org),
        13.0,
        Font::Regular,
    );
    if let Some(note) = insecure_note(index) {
        l.y -= 8.0;
        l.heading(&note, 14.0);
        for mode in &index.insecure_modes {
            l.para(
                &format!("{}: {}.", mode.flag(), mode.description()),
                10.0,
                Font::Bold,
            );
        }
    }
    l.y -= 12.0;
    l.field("Organisation", &index.org);
    let period = audit_period(index).map_or_else(
        || "(no period in the control map)".to_owned(),
        |(a, b)| format!("{a} to {b}"),
    );
    l.field("Audit period", &period);
    l.field("Pack date", date);
    l.field(
        "Report time",
        &format!(
            "{} (the pack's time: a report reads no clock, so it is reproducible)",
            index.generated_at
        ),
    );
    l.field(
        "Made by",
        &format!("audit-pack {}", env!("CARGO_PKG_VERSION")),
    );
    l.field("Pack file", input.file_name);
    l.field_in("Pack SHA-256", input.pack_sha256, Font::Mono);
    l.field("Signed by (key)", &signers);
    l.field_in("Merkle root", &index.merkle_root, Font::Mono);
    l.field("Artifacts", &index.artifacts.len().to_string());
    l.field("Control lines", &index.controls.len().to_string());
    let verdict = match (report.ok(), insecure_note(index)) {
        (true, None) => format!(
            "VERIFIED: all {} checks passed with the key above",
            report.checks().len()
        ),
        (true, Some(note)) => format!(
            "VERIFIED, {note}: all {} checks passed with the key above, but the pack was built in an insecure mode (see above)",
            report.checks().len()
        ),
        (false, _) => "NOT VERIFIED".to_owned(),
    };
    l.field("Verification", &verdict);

    // Exceptions: every control line that is not effective, highlighted.
    let exceptions: Vec<&crate::controls::ControlLine> = index
        .controls
        .iter()
        .filter(|c| !super::line_effective(c))
        .collect();
    l.y -= 10.0;
    l.need(40.0);
    let y = l.y;
    let band = (1.0, 0.87, 0.87);
    let ok_band = (0.88, 0.95, 0.88);
    l.page().fill_rect_rgb(
        MARGIN,
        y - 20.0,
        PAGE_WIDTH - 2.0 * MARGIN,
        20.0,
        if exceptions.is_empty() { ok_band } else { band },
    );
    l.heading(
        &format!(
            "Exceptions: {} of {} control lines",
            exceptions.len(),
            index.controls.len()
        ),
        12.0,
    );
    if exceptions.is_empty() {
        l.para(
            "None: every control line is effective and every manifest signature verified.",
            9.0,
            Font::Regular,
        );
    } else {
        let rows: Vec<Vec<String>> = exceptions
            .iter()
            .map(|c| {
                vec![
                    c.control_id.clone(),
                    c.control_title.clone(),
                    if super::signature_ok(&c.signature_verified) {
                        c.state.clone()
                    } else {
                        format!("{}; manifest signature NOT verified", c.state)
                    },
                    c.evidence_path.clone(),
                    c.notes.clone(),
                ]
            })
            .collect();
        l.table(
            &[
                ("Control", 60.0, Font::Bold),
                ("Title", 120.0, Font::Regular),
                ("State", 90.0, Font::Bold),
                ("Evidence", 125.0, Font::Regular),
                ("Notes", 120.0, Font::Regular),
            ],
            &rows,
        );
    }

    l.y -= 10.0;
    l.heading("Checks", 12.0);
    let checks: Vec<Vec<String>> = report
        .checks()
        .iter()
        .map(|c| {
            vec![
                c.id.clone(),
                super::status_name(&c.status).to_owned(),
                c.detail.clone(),
            ]
        })
        .collect();
    l.table(
        &[
            ("Check", 150.0, Font::Regular),
            ("Result", 40.0, Font::Regular),
            ("Detail", 325.0, Font::Regular),
        ],
        &checks,
    );
    if !report.warnings().is_empty() {
        l.heading("Warnings", 12.0);
        for w in report.warnings() {
            l.para(&format!("- {w}"), 9.0, Font::Regular);
        }
    }
    if !index.manifest_signatures.is_empty() {
        l.heading("Manifest signatures", 12.0);
        let rows: Vec<Vec<String>> = index
            .manifest_signatures
            .iter()
            .map(|m| {
                let verdict = if m.verified {
                    "verified"
                } else {
                    "NOT verified"
                };
                // The signer kind: Ed25519 pairs carry no plugin (unchanged), CMS pairs
                // `x509`, Sigstore bundles `cosign`.
                let verdict = match &m.plugin {
                    None => verdict.to_owned(),
                    Some(plugin) => format!("{verdict} ({plugin})"),
                };
                vec![m.manifest.clone(), verdict, m.signers.join(", ")]
            })
            .collect();
        l.table(
            &[
                ("Manifest", 300.0, Font::Regular),
                ("Signature", 70.0, Font::Regular),
                ("Signers", 145.0, Font::Regular),
            ],
            &rows,
        );
    }

    // Controls.
    l.new_page();
    l.heading("Controls", 14.0);
    l.para(
        "Every line of the pack's control map. Status \"verified\": the evidence file is in the pack with this SHA-256, listed in the signed index and covered by its Merkle root. The manifest signer is the one whose signature over the evidence verified at build time and again at verification.",
        8.5,
        Font::Regular,
    );
    l.y -= 6.0;
    let manifest_signers = |path: &str| -> String {
        index
            .manifest_signatures
            .iter()
            .find(|m| {
                index
                    .artifact_named(path)
                    .is_some_and(|a| a.path == m.manifest)
            })
            .map(|m| m.signers.join(", "))
            .unwrap_or_default()
    };
    let rows: Vec<Vec<String>> = index
        .controls
        .iter()
        .map(|c| {
            let mut evidence = format!("{}\n{}", c.evidence_id, c.evidence_path);
            let signer = manifest_signers(&c.evidence_path);
            let signer = if signer.is_empty() {
                c.signer_identity.clone()
            } else {
                signer
            };
            if !signer.trim().is_empty() {
                evidence.push_str(&format!("\nsigned by {signer}"));
            }
            let mut dates = String::new();
            if !c.collected_at.trim().is_empty() {
                dates.push_str(&format!("collected {}", c.collected_at));
            }
            if !c.period_start.trim().is_empty() || !c.period_end.trim().is_empty() {
                if !dates.is_empty() {
                    dates.push('\n');
                }
                dates.push_str(&format!("period {} to {}", c.period_start, c.period_end));
            }
            vec![
                format!("{}\n{} {}", c.control_id, c.framework, c.framework_version)
                    .trim()
                    .to_owned(),
                if c.narrative.is_empty() {
                    c.control_title.clone()
                } else {
                    format!("{} | Narrative: {}", c.control_title, c.narrative)
                },
                evidence,
                c.evidence_sha256.clone(),
                dates,
                format!("{}\n{}", c.state, line_status(index, &c.signature_verified)),
                format!("{}\n{}", c.owner, c.notes).trim().to_owned(),
            ]
        })
        .collect();
    l.table(
        &[
            ("Control", 48.0, Font::Regular),
            ("Title", 82.0, Font::Regular),
            ("Evidence", 100.0, Font::Regular),
            ("SHA-256", 80.0, Font::Mono),
            ("Dates", 70.0, Font::Regular),
            ("State, status", 55.0, Font::Regular),
            ("Owner, notes", 80.0, Font::Regular),
        ],
        &rows,
    );

    // Evidence index.
    l.new_page();
    l.heading("Evidence index", 14.0);
    let rows: Vec<Vec<String>> = index
        .artifacts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            vec![
                i.to_string(),
                a.path.clone(),
                a.kind.clone(),
                a.size.to_string(),
                a.sha256.clone(),
            ]
        })
        .collect();
    l.table(
        &[
            ("#", 22.0, Font::Regular),
            ("Path", 168.0, Font::Regular),
            ("Kind", 65.0, Font::Regular),
            ("Bytes", 45.0, Font::Regular),
            ("SHA-256", 215.0, Font::Mono),
        ],
        &rows,
    );

    // Footers.
    let mut pages = l.into_pages();
    let total = pages.len();
    let status = match (report.ok(), insecure_note(index)) {
        (true, None) => "verified".to_owned(),
        (true, Some(note)) => format!("verified [{note}]"),
        (false, _) => "NOT VERIFIED".to_owned(),
    };
    for (i, page) in pages.iter_mut().enumerate() {
        let y = MARGIN - 6.0;
        page.line(MARGIN, y + 12.0, PAGE_WIDTH - MARGIN, y + 12.0, 0.6);
        page.text(
            MARGIN,
            y,
            7.0,
            Font::Regular,
            &format!(
                "{} {date} - {status} - pack sha256 {} - page {} of {total}",
                index.org,
                input.pack_sha256,
                i + 1
            ),
        );
    }
    write_pdf(&pages, &format!("Audit evidence pack {} {date}", index.org))
}
