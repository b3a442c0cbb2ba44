//! Man pages and shell completions for both tools (`prov-verify`, `audit-pack`), from their
//! clap definitions plus the sections clap does not know: EXIT STATUS, EXAMPLES, ENVIRONMENT,
//! FILES.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The sections of a tool's manual that are not in its clap definition. Each is roff-safe
/// plain text: paragraphs separated by blank lines; a line starting with `$ ` is an example
/// command, shown as is.
#[derive(Debug, Clone, Copy)]
pub struct Sections<'a> {
    /// What each exit status means.
    pub exit_status: &'a str,
    /// Examples, by command path (`""` for the tool's own page, `"cosign verify-blob"` for a
    /// subcommand's); a page without its own examples points to the tool's page.
    pub examples: &'a [(&'a str, &'a str)],
    /// Environment variables read.
    pub environment: &'a str,
    /// Files read or written by default.
    pub files: &'a str,
}

/// The man page (roff) of `cmd` (built, so that a subcommand's page is named
/// `prov-verify-cosign`), whose path below the tool is `path` (`""`, `"cosign"`).
pub fn render(
    cmd: &clap::Command,
    path: &str,
    tool: &str,
    s: &Sections<'_>,
) -> std::io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut out)?;
    }
    if cmd.has_subcommands() {
        man.render_subcommands_section(&mut out)?;
    }
    section(&mut out, "EXIT STATUS", s.exit_status)?;
    let examples = s
        .examples
        .iter()
        .filter(|(p, _)| *p == path)
        .map(|(_, text)| *text)
        .collect::<Vec<_>>();
    if examples.is_empty() {
        section(
            &mut out,
            "EXAMPLES",
            &format!("See the EXAMPLES of {tool}(1)."),
        )?;
    } else {
        section(&mut out, "EXAMPLES", &examples.join("\n\n"))?;
    }
    section(&mut out, "ENVIRONMENT", s.environment)?;
    section(&mut out, "FILES", s.files)?;
    if cmd.get_version().is_some() {
        man.render_version_section(&mut out)?;
    }
    Ok(out)
}

/// Writes `tool.1` and one page per subcommand (`tool-sub.1`, `tool-sub-subsub.1`; `help`
/// excluded) into `dir`, creating it. Returns the files written, in order.
pub fn write_all(
    cmd: &clap::Command,
    tool: &str,
    s: &Sections<'_>,
    dir: &Path,
) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut cmd = cmd.clone();
    cmd.build();
    let mut written = Vec::new();
    write_page(&cmd, "", tool, s, dir, &mut written)?;
    Ok(written)
}

fn write_page(
    cmd: &clap::Command,
    path: &str,
    tool: &str,
    s: &Sections<'_>,
    dir: &Path,
    written: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    let file = dir.join(clap_mangen::Man::new(cmd.clone()).get_filename());
    std::fs::write(&file, render(cmd, path, tool, s)?)?;
    written.push(file);
    for sub in cmd.get_subcommands().filter(|c| c.get_name() != "help") {
        let sub_path = if path.is_empty() {
            sub.get_name().to_owned()
        } else {
            format!("{path} {}", sub.get_name())
        };
        write_page(sub, &sub_path, tool, s, dir, written)?;
    }
    Ok(())
}

/// A section: `.SH TITLE`, then each paragraph; example lines (`$ ...`) verbatim.
fn section(out: &mut Vec<u8>, title: &str, text: &str) -> std::io::Result<()> {
    writeln!(out, ".SH \"{title}\"")?;
    for para in text.split("\n\n") {
        let lines: Vec<&str> = para.lines().collect();
        if lines
            .iter()
            .all(|l| l.starts_with("$ ") || l.starts_with("  "))
        {
            writeln!(out, ".PP\n.nf\n.RS 4")?;
            for l in lines {
                writeln!(out, "{}", escape(l))?;
            }
            writeln!(out, ".RE\n.fi")?;
        } else {
            writeln!(out, ".PP")?;
            for l in lines {
                writeln!(out, "{}", escape(l))?;
            }
        }
    }
    Ok(())
}

/// Escapes roff: backslashes, and a leading `.` or `'` that would be read as a request.
fn escape(line: &str) -> String {
    let l = line.replace('\\', "\\e").replace('-', "\\-");
    if l.starts_with('.') || l.starts_with('\'') {
        format!("\\&{l}")
    } else {
        l
    }
}

/// The completion script of `cmd` for `shell`. For bash, the names of the generated case
/// labels are made to match the names the script assigns: clap_complete writes a hyphenated
/// tool name (`prov-verify`) as `prov__verify` in one place and `prov__subcmd__verify` in the
/// other, so completion below the first word offered nothing.
pub fn completions(shell: clap_complete::Shell, cmd: &mut clap::Command, bin: &str) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell, cmd, bin, &mut out);
    let script = String::from_utf8_lossy(&out).into_owned();
    if shell == clap_complete::Shell::Bash && bin.contains('-') {
        let assigned = bin.replace('-', "__");
        let labelled = bin.replace('-', "__subcmd__");
        return script.replace(&labelled, &assigned);
    }
    script
}
