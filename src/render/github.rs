//! `--format github`: GitHub Actions workflow commands
//! (`::error file=..,line=..::message`), which annotate the pull request
//! diff. Escaped as the runner requires: `%`, `\r`, `\n` in the message,
//! and also `:` and `,` in the properties.

use crate::config::Level;
use crate::render::{column1, Options};
use crate::report::Report;
use std::io::{self, Write};

/// Escapes a message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Writes one command per finding.
pub fn render(report: &Report, _opts: Options, out: &mut dyn Write) -> io::Result<()> {
    for f in &report.findings {
        let kind = match f.level {
            Level::Error => "error",
            _ => "warning",
        };
        let end = if f.span.end.line == 0 {
            f.span.start
        } else {
            f.span.end
        };
        let mut message = f.message.clone();
        if let Some(h) = &f.help {
            message.push_str("\nhelp: ");
            message.push_str(h);
        }
        writeln!(
            out,
            "::{kind} file={},line={},endLine={},col={},endColumn={},title={}::{}",
            escape_property(&report.files[f.file].rel),
            f.span.start.line,
            end.line,
            column1(f.span.start.col),
            column1(end.col),
            escape_property(&format!("tenant-lint {}", f.rule)),
            escape_data(&message)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("a%b\r\nc: d, e"), "a%25b%0D%0Ac: d, e");
        assert_eq!(escape_property("src/a,b:c%.rs\n"), "src/a%2Cb%3Ac%25.rs%0A");
    }
}
