//! The format-free finding record every rule emits, and the source
//! positions it points at. Rules build [`Finding`]s; the engine stamps the
//! severity from config and drops suppressed ones; renderers turn them into
//! text. Nothing here knows about syn or about any output format;
//! [`line_index`] converts between byte offsets and positions.

pub mod line_index;

pub use line_index::LineIndex;
use serde::Serialize;

/// A position in a source file: 1-based line, 0-based column counted in
/// characters (what proc-macro2 reports).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, serde::Deserialize,
)]
pub struct Pos {
    /// 1-based line number.
    pub line: u32,
    /// 0-based column, in characters.
    pub col: u32,
}

/// A range between two positions of one file.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, serde::Deserialize,
)]
pub struct Span {
    /// First character of the range.
    pub start: Pos,
    /// One past the last character of the range.
    pub end: Pos,
}

impl Span {
    /// The span of a proc-macro2 token or syntax node.
    pub fn from_pm2(span: proc_macro2::Span) -> Span {
        let s = span.start();
        let e = span.end();
        Span {
            start: Pos {
                line: s.line as u32,
                col: s.column as u32,
            },
            end: Pos {
                line: e.line as u32,
                col: e.column as u32,
            },
        }
    }

    /// A span covering a whole line (used when only a line is known).
    pub fn line(line: u32) -> Span {
        Span {
            start: Pos { line, col: 0 },
            end: Pos { line, col: 0 },
        }
    }

    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// Index of a file in the run's file table.
pub type FileId = usize;

/// A secondary location attached to a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// File the label points into.
    pub file: FileId,
    /// Where in that file.
    pub span: Span,
    /// Short text shown next to the location.
    pub message: String,
}

/// Severity as rendered; `Off` rules never produce findings.
/// Severity at which a rule reports its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The rule is disabled.
    Off,
    /// Findings are reported as warnings.
    Warn,
    /// Findings are reported as errors.
    Error,
}

impl Level {
    /// The configuration spelling of this level (`off`, `warn` or `error`).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }

    /// Parses `off`, `warn` or `error`, and `warning`, the word findings
    /// and `tenant-lint rules` print; anything else yields `None`.
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "off" => Some(Level::Off),
            "warn" | "warning" => Some(Level::Warn),
            "error" => Some(Level::Error),
            _ => None,
        }
    }
}

/// One finding, before or after the engine has stamped its severity.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Rule id, e.g. `unscoped-query`.
    pub rule: &'static str,
    /// Stamped by the engine from config; rules leave the default.
    pub level: Level,
    /// File of the primary location.
    pub file: FileId,
    /// Primary location.
    pub span: Span,
    /// Label shown at the primary location.
    pub primary_label: String,
    /// What is wrong: lowercase, no trailing period.
    pub message: String,
    /// Secondary locations.
    pub labels: Vec<Label>,
    /// Extra notes (shown as `= note:`).
    pub notes: Vec<String>,
    /// What to do about it.
    pub help: Option<String>,
    /// Text that identifies the finding independently of its line: the
    /// enclosing item and the normalised code. Hashed into the fingerprint.
    pub identity: String,
    /// Stable hash, filled in by the engine.
    pub fingerprint: String,
    /// First and last line of the code the finding is about (a query chain
    /// spans several lines); a suppression above any of them applies.
    pub extent: Option<(u32, u32)>,
    /// The rule cannot be sure (a WHERE clause built at run time): reported
    /// one level below the rule's, an error as a warning.
    pub lower: bool,
    /// How the code is reached from the program's entry points (query
    /// findings; filled in by the engine).
    pub reach: Option<Reach>,
    /// The key the query picks its rows by is request input taken
    /// directly: the value as written, where it came from (`id`, "from
    /// the `Path` extractor"), and the handler that took it when that is a
    /// caller (the key was handed down to this function). The engine leads
    /// the message with it, and with the route once the reach is known.
    pub key_from: Option<(String, String, Option<String>)>,
    /// An edit that certainly fixes it (`--fix`, `--diff`, SARIF
    /// `fixes`), when the rule knows one.
    pub fix: Option<Fix>,
}

/// An edit that fixes a finding: a method call to insert after the call
/// that starts the query (`.filter(..)` after `Document::find()`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What it does, for people (`add .filter(..)`).
    pub message: String,
    /// The file.
    pub file: FileId,
    /// Where the start's path ends (`Document::find`, `documents::table`):
    /// the text goes after its arguments, if any.
    pub after_start: Pos,
    /// Method calls right after the start that stay before the text
    /// (Diesel's `table.find(id)`: a filtered table has no `find`).
    pub step_over: Vec<String>,
    /// The text, a method call with its `.` (`.filter(x.eq(y))`).
    pub insert: String,
    /// The tenant's value it compares with (`ctx.org_id`): the fix is made
    /// only where the file surely has it, of one tenant, before the query.
    pub value: String,
    /// The module the column is named through (`document` of
    /// `document::Column::OrganizationId`): the fix is made only where the
    /// file already writes a path through it, so the name resolves there.
    pub through: Option<String>,
}

/// How a finding's code is reached: from which request handlers, or only
/// from background work, or from nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    pub kind: ReachKind,
    /// The routes that lead to it (`DELETE /{org}/workflows/{id}`; a
    /// handler whose route was not seen is named by the handler), at most a
    /// few.
    pub routes: Vec<String>,
    /// The calls from one entry point down to the function of the
    /// finding, the entry first.
    pub path: Vec<Step>,
    /// Why it has this kind, in a few words ("started by main", "no
    /// caller in the workspace").
    pub reason: String,
}

/// One function on a [`Reach::path`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The function as a reader names it (`Store::find`, `delete_job`).
    pub function: String,
    pub file: FileId,
    /// The line of its `fn`.
    pub line: u32,
}

/// What reaches a finding's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum ReachKind {
    /// A request handler.
    Request,
    /// Only background work: start-up, jobs, schedulers, migrations.
    Background,
    /// Nothing: no caller, or only tests.
    None,
    /// Cannot tell (calls the reading does not resolve, or a workspace with
    /// no entry point it knows).
    Unknown,
}

impl ReachKind {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ReachKind::Request => "request",
            ReachKind::Background => "background",
            ReachKind::None => "none",
            ReachKind::Unknown => "unknown",
        }
    }
}

impl Finding {
    /// A finding with only the required parts; builders fill the rest.
    pub fn new(rule: &'static str, file: FileId, span: Span, message: impl Into<String>) -> Self {
        Finding {
            rule,
            level: Level::Error,
            file,
            span,
            primary_label: String::new(),
            message: message.into(),
            labels: Vec::new(),
            notes: Vec::new(),
            help: None,
            identity: String::new(),
            fingerprint: String::new(),
            extent: None,
            lower: false,
            reach: None,
            key_from: None,
            fix: None,
        }
    }
}

/// FNV-1a, 64 bit: a tiny, stable hash for fingerprints (std's hasher is
/// not guaranteed stable across releases).
pub fn stable_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Why a file could not be analysed (a `parse-error` finding).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Failure {
    /// Where (line 1 when unknown).
    pub span: Span,
    /// What went wrong, lowercase.
    pub message: String,
}
