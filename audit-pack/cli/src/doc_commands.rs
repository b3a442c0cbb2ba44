//! The command lines of a tool in documentation: every line of a fenced code block (`sh`,
//! `console`, `bash` or unmarked) that runs `tool`, joined across `\` continuations, cut at the
//! first unquoted `#` comment, pipe, redirection or `;`/`&&`, split into words as a POSIX
//! shell would (quotes, backslashes; `$(...)` and `$VAR` stay literal). Tests parse each
//! with the tool's clap definition, so that an example with a flag the tool does not have
//! fails the build.

/// One command line found: the 1-based line number where it starts, and its words after the
/// tool name (environment assignments before the tool name are dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocCommand {
    /// Where the command starts (1-based).
    pub line: usize,
    /// The words after the tool's name.
    pub args: Vec<String>,
}

/// Every command line of `tool` in the fenced code blocks of `markdown`.
pub fn find(markdown: &str, tool: &str) -> Vec<DocCommand> {
    let mut out = Vec::new();
    let mut in_block = false;
    let mut shell_block = false;
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in markdown.lines().enumerate() {
        let line_no = i + 1;
        let trimmed = raw.trim_start();
        if trimmed.starts_with("```") {
            in_block = !in_block;
            let lang = trimmed.trim_start_matches('`').trim();
            shell_block = in_block && matches!(lang, "" | "sh" | "bash" | "console" | "shell");
            pending = None;
            continue;
        }
        if !in_block || !shell_block {
            continue;
        }
        let text = trimmed.strip_prefix("$ ").unwrap_or(trimmed);
        let (start, mut joined) = match pending.take() {
            Some((start, mut acc)) => {
                acc.push(' ');
                acc.push_str(text);
                (start, acc)
            }
            None => (line_no, text.to_owned()),
        };
        // A continuation: the line (before any comment) ends with a backslash.
        let code = cut(&joined);
        if code.trim_end().ends_with('\\') {
            let keep = code.trim_end().trim_end_matches('\\').to_owned();
            joined = keep;
            pending = Some((start, joined));
            continue;
        }
        let words = split(&code);
        let mut words = words.into_iter().skip_while(|w| is_assignment(w));
        if words.next().as_deref() == Some(tool) {
            out.push(DocCommand {
                line: start,
                args: words.collect(),
            });
        }
    }
    out
}

fn is_assignment(w: &str) -> bool {
    w.split_once('=').is_some_and(|(k, _)| {
        !k.is_empty()
            && k.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    })
}

/// The line up to its first unquoted `#` (at a word start), `|`, `>`, `<`, `;` or `&`.
fn cut(line: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut prev_space = true;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                } else if c == '\\' && q == '"' {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                }
            }
            None => {
                if c == '#' && prev_space {
                    break;
                }
                if matches!(c, '|' | '>' | '<' | ';' | '&') {
                    break;
                }
                if c == '\'' || c == '"' {
                    quote = Some(c);
                }
                if c == '\\' {
                    out.push(c);
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                    prev_space = false;
                    continue;
                }
                out.push(c);
            }
        }
        prev_space = c.is_whitespace();
    }
    out
}

/// Words as a POSIX shell splits them (quotes and backslashes; no expansion).
pub fn split(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some('\'') if c == '\'' => quote = None,
            Some('"') if c == '"' => quote = None,
            Some('"') if c == '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            Some(_) => cur.push(c),
            None if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            None => {
                in_word = true;
                match c {
                    '\'' | '"' => quote = Some(c),
                    '\\' => {
                        if let Some(n) = chars.next() {
                            cur.push(n);
                        }
                    }
                    _ => cur.push(c),
                }
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

/// Whether a command line is a synopsis (`[--flag X]`, `(A | B)`, `FILE...`, `...` for
/// arguments left out) rather than an
/// example: such a line is checked flag by flag ([`unknown_flags`]), not parsed.
pub fn is_synopsis(args: &[String]) -> bool {
    args.iter().any(|a| {
        a.starts_with('[')
            || a.starts_with('(')
            || a.ends_with(']')
            || a.ends_with(')')
            || a.ends_with("]...")
            || a.ends_with(")...")
            || a == "|"
            || a == "..."
            || a == "…"
            || (a.contains('|') && !a.starts_with('-'))
    })
}

/// The `--flags` of a synopsis line that the (sub)command it names does not have: the
/// leading words that name subcommands select the command; each `--flag` (brackets,
/// parentheses, `=VALUE` and `...` removed) must be one of its long flags or a global one.
pub fn unknown_flags(root: &clap::Command, args: &[String]) -> Vec<String> {
    let mut cmd = root.clone();
    cmd.build();
    let mut path: Vec<&clap::Command> = vec![&cmd];
    for a in args {
        let Some(cur) = path.last().copied() else {
            break;
        };
        match cur.find_subcommand(a) {
            Some(sub) => path.push(sub),
            None if a.starts_with('-') => continue,
            None => {}
        }
    }
    let mut problems = Vec::new();
    for a in args {
        let flag = a
            .trim_start_matches(['[', '('])
            .trim_end_matches("...")
            .trim_end_matches([']', ')', ','])
            .trim_end_matches("...");
        let Some(name) = flag.strip_prefix("--") else {
            continue;
        };
        let name = name.split('=').next().unwrap_or(name);
        if name.is_empty() || name.contains('*') || name.contains('{') {
            continue;
        }
        let known = path.iter().any(|c| {
            c.get_arguments().any(|arg| {
                arg.get_long() == Some(name)
                    || arg.get_all_aliases().is_some_and(|al| al.contains(&name))
            })
        }) || name == "help"
            || name == "version";
        if !known {
            problems.push(format!("unknown flag --{name}"));
        }
    }
    problems
}

/// Whether a parse error is only about a placeholder in an example: a value such as `N`,
/// `HEX`, `$(jq .size proof.json)` or `$SIZE` where the flag wants a number.
pub fn is_placeholder_error(e: &clap::Error) -> bool {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => true,
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            match e.get(ContextKind::InvalidValue) {
                Some(ContextValue::String(v)) => {
                    v.contains('$')
                        || (!v.is_empty()
                            && v.chars()
                                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
                }
                _ => false,
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_joined_cut_and_split_as_a_shell_would() {
        let md = "text prov-verify x\n```sh\nprov-verify a --b 'c d' \\\n   --e \"f\\\"g\" # comment\nFOO=1 prov-verify --json x > out.json\necho prov-verify\n```\n```json\nprov-verify nope\n```\n```console\n$ prov-verify z | head\nverified\n```\n";
        let found = find(md, "prov-verify");
        let args: Vec<Vec<&str>> = found
            .iter()
            .map(|c| c.args.iter().map(String::as_str).collect())
            .collect();
        assert_eq!(
            args,
            vec![
                vec!["a", "--b", "c d", "--e", "f\"g"],
                vec!["--json", "x"],
                vec!["z"],
            ]
        );
        assert_eq!(found.first().map(|c| c.line), Some(3));
    }
}
