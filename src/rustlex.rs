//! A fast check that text is a sequence of Rust tokens
//! with balanced delimiters, nested and chained no deeper than syn's stack
//! allows, for the files the prefilter shows cannot hold
//! a query: it catches what makes a file not Rust at all (an unterminated
//! string or comment, a stray character, unbalanced brackets, a shell
//! script named `.rs`) at a small fraction of the cost of tokenising with
//! proc-macro2, which allocates a token tree. It also gives the names the
//! text calls ([`Words`]), for the helper rescue.
//!
//! It is deliberately more lenient than rustc where leniency is cheap
//! (escape sequences and number suffixes are not validated): rejecting a
//! file rustc accepts would turn a clean run red, so every text proc-macro2
//! can tokenise must pass here too (a property test checks this).

use crate::diagnostic::{Failure, Pos, Span};
use memchr::memchr;

/// Whether `w` is one of Rust's strict keywords (or `Self`): never a
/// function's or a variable's name. A `match`, which the compiler turns
/// into a test of the length and a few bytes (the reach scan asks for
/// every identifier).
pub fn is_keyword(w: &str) -> bool {
    matches!(
        w,
        "as" | "async"
            | "await"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "self"
            | "Self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
    )
}

/// Deepest bracket nesting we hand to syn.
pub const MAX_DEPTH: usize = 1000;

/// Longest run of `.` and binary-operator characters between two `;`, `{`
/// or `}` we hand to syn: a method or operator chain is a tree as deep as
/// it is long (MEASURED.md: 20,000 overflow a 2 MiB stack).
pub const MAX_CHAIN: usize = 30_000;

/// What decides whether syn's recursion fits the stack: the deepest
/// bracket nesting and the longest operator chain, with their lines,
/// counted on tokens by the lexer here.
#[derive(Default)]
pub struct Shape {
    pub depth: usize,
    pub depth_line: u32,
    pub chain: usize,
    pub chain_line: u32,
}

impl Shape {
    /// Records a chain `run` operators long on `line`.
    #[inline]
    pub fn chained(&mut self, run: usize, line: u32) {
        if run > self.chain {
            self.chain = run;
            self.chain_line = line;
        }
    }

    /// Refuses nesting or chains that could overflow the stack.
    pub fn check(&self) -> Result<(), Failure> {
        if self.depth > MAX_DEPTH {
            return Err(Failure {
                span: Span::line(self.depth_line),
                message: format!("nesting deeper than {MAX_DEPTH} levels; file not analysed"),
            });
        }
        if self.chain > MAX_CHAIN {
            return Err(Failure {
                span: Span::line(self.chain_line),
                message: format!(
                    "an expression chains more than {MAX_CHAIN} operators or method calls; file not analysed"
                ),
            });
        }
        Ok(())
    }
}

/// Checks `text` (already stripped of a BOM and a shebang line) and
/// collects its [`Words`].
pub fn check(text: &str) -> Result<Words, Failure> {
    let mut lexer = Lexer::new(text, WordSink::new(text));
    lexer.run()?;
    Ok(Words(lexer.sink.words))
}

/// The nesting and chain part of [`check`] alone, for text syn is about to
/// parse: an error only when syn's recursion could overflow the stack.
/// Text that is not Rust tokens passes (syn reports it with its own
/// message, and fails while tokenising, before any deep recursion).
pub fn check_shape(text: &str) -> Result<(), Failure> {
    let mut lexer = Lexer::new(text, ());
    match lexer.run() {
        Err(e) if lexer.shape_failed => Err(e),
        _ => Ok(()),
    }
}

/// One token of [`tokens`]: its kind and byte range (texts of 4 GiB and
/// more are refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tok {
    pub kind: Kind,
    pub start: u32,
    pub end: u32,
}

impl Tok {
    /// The token's bytes in the text it was read from.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// What a [`Tok`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `(`, `[` or `{`.
    Open(u8),
    /// `)`, `]` or `}`.
    Close(u8),
    /// An identifier or keyword (a raw one keeps its `r#`).
    Ident,
    /// One punctuation character.
    Punct(u8),
    /// A literal or a lifetime.
    Other,
}

/// The tokens of `text` (comments and whitespace left out), or why it is
/// not Rust tokens at all.
pub fn tokens(text: &str) -> Result<Vec<Tok>, Failure> {
    let mut toks = Vec::new();
    tokens_into(text, &mut toks)?;
    Ok(toks)
}

/// [`tokens`] into `toks` (cleared first), so one buffer can serve many
/// files.
pub fn tokens_into(text: &str, toks: &mut Vec<Tok>) -> Result<(), Failure> {
    if u32::try_from(text.len()).is_err() {
        return Err(Failure {
            span: Span::line(1),
            message: "file of 4 GiB or more; not analysed".into(),
        });
    }
    toks.clear();
    // Code averages a token per 4 to 5 bytes.
    toks.reserve(text.len() / 4 + 16);
    let mut lexer = Lexer::new(text, toks);
    lexer.run()
}

/// The words of a text that may name a function being called: its
/// identifiers followed by `(` or `::` (`name(..)`, `Type::name(..)`,
/// `name::<T>(..)`) other than method names (`x.name(..)`), as hashes, in
/// the order the text has them, repeats kept (sorting them cost more than
/// the few lookups they serve). Comments and literals hold no words. A
/// hash can collide, so a match means "maybe" and a miss means "no".
#[derive(Debug, Clone, Default)]
pub struct Words(Vec<u32>);

impl Words {
    /// Whether the words and `hashes` (sorted [`word_hash`]es) meet.
    pub fn any_of(&self, hashes: &[u32]) -> bool {
        !hashes.is_empty() && self.0.iter().any(|w| hashes.binary_search(w).is_ok())
    }

    /// The hashes, in text order, repeats kept.
    pub fn hashes(&self) -> &[u32] {
        &self.0
    }

    /// The words of these hashes (in any order, repeats allowed).
    pub fn from_hashes(v: Vec<u32>) -> Words {
        Words(v)
    }

    /// The words of the token runs `runs` of `text` (each a slice of
    /// [`tokens`] of it).
    pub fn of_tokens<'t>(text: &str, runs: impl IntoIterator<Item = &'t [Tok]>) -> Words {
        let mut sink = WordSink::new(text);
        for run in runs {
            // Runs are not adjacent: nothing carries over from the last.
            sink.pending = None;
            sink.after_dot = false;
            for t in run {
                sink.push(t.kind, t.start as usize, t.end as usize);
            }
        }
        Words(sink.words)
    }
}

/// The hash [`Words`] keeps of `word` (a raw identifier's `r#` left out).
pub fn word_hash(word: &str) -> u32 {
    word_bytes_hash(word.strip_prefix("r#").unwrap_or(word).as_bytes())
}

/// [`word_hash`] of an identifier's bytes, its `r#` already left out.
pub fn word_bytes_hash(w: &[u8]) -> u32 {
    // FxHash-style over 8-byte words: identifiers are short. The last word
    // is read overlapping the one before (or as two overlapping halves),
    // so that no byte-by-byte copy is needed; with the length mixed in,
    // the words still determine every byte.
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let n = w.len();
    let le8 = |at: usize| u64::from_le_bytes(w[at..at + 8].try_into().unwrap_or_default());
    let le4 = |at: usize| {
        u64::from(u32::from_le_bytes(
            w[at..at + 4].try_into().unwrap_or_default(),
        ))
    };
    let mut h = n as u64;
    let last = if n >= 8 {
        let mut at = 0;
        while at + 8 < n {
            h = (h.rotate_left(5) ^ le8(at)).wrapping_mul(K);
            at += 8;
        }
        le8(n - 8)
    } else if n >= 4 {
        le4(0) | le4(n - 4) << 32
    } else {
        w.iter()
            .enumerate()
            .fold(0, |v, (i, &b)| v | u64::from(b) << (8 * i))
    };
    h = (h.rotate_left(5) ^ last).wrapping_mul(K);
    (h >> 32) as u32
}

struct WordSink<'a> {
    text: &'a str,
    after_dot: bool,
    /// An identifier not after a `.`, waiting for the next token.
    pending: Option<(usize, usize)>,
    words: Vec<u32>,
}

impl<'a> WordSink<'a> {
    fn new(text: &'a str) -> Self {
        WordSink {
            text,
            after_dot: false,
            pending: None,
            words: Vec::new(),
        }
    }
}

impl Sink for WordSink<'_> {
    #[inline(always)]
    fn push(&mut self, kind: Kind, start: usize, end: usize) {
        if let Some((s, e)) = self.pending.take() {
            let called = match kind {
                Kind::Open(b'(') => true,
                Kind::Punct(b':') => self.text.as_bytes().get(start + 1) == Some(&b':'),
                _ => false,
            };
            if called {
                self.words.push(word_hash(&self.text[s..e]));
            }
        }
        if kind == Kind::Ident && !self.after_dot {
            self.pending = Some((start, end));
        }
        self.after_dot = kind == Kind::Punct(b'.');
    }
}

/// Where the lexer reports tokens; `()` ignores them.
trait Sink {
    fn push(&mut self, kind: Kind, start: usize, end: usize);
}

impl Sink for () {
    #[inline(always)]
    fn push(&mut self, _: Kind, _: usize, _: usize) {}
}

impl Sink for &mut Vec<Tok> {
    #[inline]
    fn push(&mut self, kind: Kind, start: usize, end: usize) {
        // `tokens` refuses texts whose offsets do not fit.
        Vec::push(
            self,
            Tok {
                kind,
                start: start as u32,
                end: end as u32,
            },
        );
    }
}

struct Lexer<'a, S> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    line: u32,
    line_start: usize,
    sink: S,
    /// The text was tokens, but nested or chained too deep.
    shape_failed: bool,
}

/// The ASCII bytes that continue an identifier.
static ASCII_IDENT: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    t
};

fn is_ident_start(c: char) -> bool {
    c == '_' || unicode_ident::is_xid_start(c)
}

fn is_ident_continue(c: char) -> bool {
    unicode_ident::is_xid_continue(c)
}

impl<'a, S: Sink> Lexer<'a, S> {
    fn new(text: &'a str, sink: S) -> Self {
        Lexer {
            s: text.as_bytes(),
            text,
            i: 0,
            line: 1,
            line_start: 0,
            sink,
            shape_failed: false,
        }
    }

    fn fail(&self, at: usize, message: String) -> Failure {
        let col = self.text[self.line_start..at.max(self.line_start)]
            .chars()
            .count() as u32;
        let pos = Pos {
            line: self.line,
            col,
        };
        Failure {
            span: Span {
                start: pos,
                end: pos,
            },
            message: format!("could not read as Rust tokens: {message}"),
        }
    }

    fn peek(&self, k: usize) -> Option<u8> {
        self.s.get(self.i + k).copied()
    }

    fn char_at(&self, i: usize) -> Option<char> {
        self.text.get(i..).and_then(|t| t.chars().next())
    }

    /// Advances over `n` bytes, counting newlines.
    fn bump_to(&mut self, to: usize) {
        for (k, b) in self.s[self.i..to].iter().enumerate() {
            if *b == b'\n' {
                self.line += 1;
                self.line_start = self.i + k + 1;
            }
        }
        self.i = to;
    }

    fn run(&mut self) -> Result<(), Failure> {
        // What decides whether syn's recursion fits the stack, counted on
        // tokens (brackets in strings and comments do not count).
        let mut shape = Shape::default();
        let mut run = 0usize;
        let mut open: Vec<(u8, u32, usize, usize)> = Vec::new();
        let s = self.s;
        // The position, in a local on the common paths; `self.i` is
        // synced around the methods that read or move it.
        let mut i = self.i;
        while i < s.len() {
            let b = s[i];
            match b {
                b'\n' => {
                    i += 1;
                    self.line += 1;
                    self.line_start = i;
                }
                b' ' | b'\t' | b'\r' | 0x0b | 0x0c => {
                    // Indentation comes in runs.
                    i += 1;
                    while i < s.len() && s[i] == b' ' {
                        i += 1;
                    }
                }
                // Identifiers first: only `b`, `c` and `r` may start a
                // literal instead.
                b'a' | b'd'..=b'q' | b's'..=b'z' | b'A'..=b'Z' | b'_' => {
                    let start = i;
                    i += 1;
                    while i < s.len() && ASCII_IDENT[s[i] as usize] {
                        i += 1;
                    }
                    if i < s.len() && s[i] >= 0x80 {
                        self.i = i;
                        self.ident_tail();
                        i = self.i;
                    }
                    self.sink.push(Kind::Ident, start, i);
                }
                b'~' | b'!' | b'@' | b'#' | b'$' | b'%' | b'^' | b'&' | b'*' | b'-' | b'='
                | b'+' | b'|' | b';' | b':' | b',' | b'.' | b'<' | b'>' | b'?' => {
                    match b {
                        b';' => run = 0,
                        b'.' | b'+' | b'-' | b'*' | b'%' | b'&' | b'|' | b'^' => {
                            run += 1;
                            shape.chained(run, self.line);
                        }
                        _ => {}
                    }
                    self.sink.push(Kind::Punct(b), i, i + 1);
                    i += 1;
                }
                b'(' | b'[' | b'{' => {
                    open.push((b, self.line, self.line_start, i));
                    if open.len() > shape.depth {
                        shape.depth = open.len();
                        shape.depth_line = self.line;
                    }
                    if b == b'{' {
                        run = 0;
                    }
                    self.sink.push(Kind::Open(b), i, i + 1);
                    i += 1;
                }
                b')' | b']' | b'}' => {
                    let want = match b {
                        b')' => b'(',
                        b']' => b'[',
                        _ => b'{',
                    };
                    match open.pop() {
                        Some((o, ..)) if o == want => {
                            if b == b'}' {
                                run = 0;
                            }
                            self.sink.push(Kind::Close(b), i, i + 1);
                            i += 1;
                        }
                        Some((o, line, ..)) => {
                            return Err(self.fail(
                                i,
                                format!(
                                    "`{}` does not close the `{}` opened on line {line}",
                                    b as char, o as char
                                ),
                            ))
                        }
                        None => return Err(self.fail(i, format!("unmatched `{}`", b as char))),
                    }
                }
                b'/' => match s.get(i + 1) {
                    Some(b'/') => i = memchr(b'\n', &s[i..]).map_or(s.len(), |k| i + k),
                    Some(b'*') => {
                        self.i = i;
                        self.block_comment()?;
                        i = self.i;
                    }
                    _ => {
                        run += 1;
                        shape.chained(run, self.line);
                        self.sink.push(Kind::Punct(b), i, i + 1);
                        i += 1;
                    }
                },
                _ => {
                    self.i = i;
                    let kind = match b {
                        b'"' => self.string(i + 1).map(|()| Some(Kind::Other))?,
                        b'\'' => self.quote().map(|()| Some(Kind::Other))?,
                        b'0'..=b'9' => {
                            self.number();
                            Some(Kind::Other)
                        }
                        // Prefixed literals, `b`/`c`/`r` identifiers,
                        // Unicode.
                        _ => self.word()?,
                    };
                    if let Some(kind) = kind {
                        self.sink.push(kind, i, self.i);
                    }
                    i = self.i;
                }
            }
        }
        self.i = i;
        if let Err(e) = shape.check() {
            self.shape_failed = true;
            return Err(e);
        }
        if let Some((o, line, line_start, at)) = open.pop() {
            self.line = line;
            self.line_start = line_start;
            return Err(self.fail(at, format!("`{}` is never closed", o as char)));
        }
        Ok(())
    }

    fn block_comment(&mut self) -> Result<(), Failure> {
        let (start, line, line_start) = (self.i, self.line, self.line_start);
        let mut depth = 0usize;
        let mut j = self.i;
        while j + 1 < self.s.len() {
            match (self.s[j], self.s[j + 1]) {
                (b'/', b'*') => {
                    depth += 1;
                    j += 2;
                }
                (b'*', b'/') => {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        self.bump_to(j);
                        return Ok(());
                    }
                }
                _ => j += 1,
            }
        }
        self.line = line;
        self.line_start = line_start;
        Err(self.fail(start, "block comment is never closed".into()))
    }

    /// A cooked string whose body starts at `from`.
    fn string(&mut self, from: usize) -> Result<(), Failure> {
        let start = self.i;
        let (line, line_start) = (self.line, self.line_start);
        let mut j = from;
        while j < self.s.len() {
            match self.s[j] {
                b'\\' => j += 2,
                b'"' => {
                    self.bump_to(j + 1);
                    self.suffix();
                    return Ok(());
                }
                _ => j += 1,
            }
        }
        self.line = line;
        self.line_start = line_start;
        Err(self.fail(start, "string literal is never closed".into()))
    }

    /// A raw string: `self.i` is at the first `#` or `"` after the prefix.
    fn raw_string(&mut self) -> Result<(), Failure> {
        let start = self.i;
        let hashes = self.s[self.i..].iter().take_while(|b| **b == b'#').count();
        if self.s.get(self.i + hashes) != Some(&b'"') {
            return Err(self.fail(start, "malformed raw string".into()));
        }
        let body = self.i + hashes + 1;
        let mut j = body;
        while let Some(k) = memchr(b'"', &self.s[j..]) {
            let q = j + k;
            if self.s[q + 1..]
                .iter()
                .take(hashes)
                .filter(|b| **b == b'#')
                .count()
                == hashes
            {
                self.bump_to(q + 1 + hashes);
                self.suffix();
                return Ok(());
            }
            j = q + 1;
        }
        Err(self.fail(start, "raw string literal is never closed".into()))
    }

    /// `'`: a char literal or a lifetime / label.
    fn quote(&mut self) -> Result<(), Failure> {
        let start = self.i;
        let Some(c) = self.char_at(self.i + 1) else {
            return Err(self.fail(start, "stray `'`".into()));
        };
        if c == '\\' {
            // An escaped char: up to the closing quote on this line.
            let rest = &self.s[self.i + 2..];
            let close = rest
                .iter()
                .enumerate()
                .skip(1)
                .take_while(|(_, b)| **b != b'\n')
                .find(|(_, b)| **b == b'\'')
                .map(|(k, _)| k);
            return match close {
                Some(k) => {
                    self.i += 2 + k + 1;
                    self.suffix();
                    Ok(())
                }
                None => Err(self.fail(start, "character literal is never closed".into())),
            };
        }
        let after = self.i + 1 + c.len_utf8();
        if self.s.get(after) == Some(&b'\'') {
            self.i = after + 1;
            if c == '\n' {
                self.line += 1;
                self.line_start = self.i - 1;
            }
            self.suffix();
            return Ok(());
        }
        if is_ident_start(c) || c == 'r' {
            // A lifetime or label (`'a`, `'r#try`).
            self.i += 1;
            if self.peek(0) == Some(b'r') && self.peek(1) == Some(b'#') {
                self.i += 2;
            }
            self.ident_tail();
            return Ok(());
        }
        Err(self.fail(start, "stray `'`".into()))
    }

    fn number(&mut self) {
        self.i += 1;
        while let Some(b) = self.peek(0) {
            match b {
                b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                    let exp = matches!(b, b'e' | b'E');
                    self.i += 1;
                    if exp && matches!(self.peek(0), Some(b'+' | b'-')) {
                        self.i += 1;
                    }
                }
                // `1.5`, but not `1..2` or `x.0.method()`.
                b'.' if self.peek(1).is_some_and(|c| c.is_ascii_digit()) => self.i += 1,
                // A suffix may continue with any identifier character.
                0x80.. => match self.char_at(self.i).filter(|c| is_ident_continue(*c)) {
                    Some(c) => self.i += c.len_utf8(),
                    None => break,
                },
                _ => break,
            }
        }
    }

    /// Identifier characters after a literal (`"x"suffix`, `1u8`).
    fn suffix(&mut self) {
        self.ident_tail();
    }

    #[inline]
    fn ident_tail(&mut self) {
        loop {
            // ASCII first: almost every identifier is.
            let ascii = self.s[self.i..]
                .iter()
                .position(|&b| !ASCII_IDENT[b as usize]);
            match ascii {
                Some(k) => self.i += k,
                None => {
                    self.i = self.s.len();
                    return;
                }
            }
            if self.s[self.i] < 0x80 {
                return;
            }
            match self.char_at(self.i) {
                Some(c) if is_ident_continue(c) => self.i += c.len_utf8(),
                _ => return,
            }
        }
    }

    /// An identifier, a prefixed literal (`b"..."`, `r#"..."#`, `br`, `c`,
    /// `cr`, `b'x'`), a raw identifier, Unicode whitespace, or a character
    /// that cannot start a token.
    fn word(&mut self) -> Result<Option<Kind>, Failure> {
        let start = self.i;
        let Some(c) = self.char_at(self.i) else {
            return Err(self.fail(start, "invalid text".into()));
        };
        if c.is_whitespace() || c == '\u{200e}' || c == '\u{200f}' {
            self.i += c.len_utf8();
            return Ok(None);
        }
        if !is_ident_start(c) {
            return Err(self.fail(
                start,
                format!("unexpected character `{}`", c.escape_default()),
            ));
        }
        let rest = &self.s[self.i..];
        let prefixed = |p: &[u8]| rest.starts_with(p);
        if prefixed(b"br\"") || prefixed(b"br#") || prefixed(b"cr\"") || prefixed(b"cr#") {
            self.i += 2;
            return self.raw_string().map(|()| Some(Kind::Other));
        }
        if prefixed(b"r\"") || (prefixed(b"r#") && rest.get(2) == Some(&b'"')) {
            self.i += 1;
            return self.raw_string().map(|()| Some(Kind::Other));
        }
        if prefixed(b"r##") {
            self.i += 1;
            return self.raw_string().map(|()| Some(Kind::Other));
        }
        if prefixed(b"b\"") || prefixed(b"c\"") {
            self.i += 1;
            return self.string(self.i + 1).map(|()| Some(Kind::Other));
        }
        if prefixed(b"b'") {
            self.i += 1;
            return self.quote().map(|()| Some(Kind::Other));
        }
        if prefixed(b"r#") {
            self.i += 2;
        } else {
            self.i += c.len_utf8();
        }
        self.ident_tail();
        Ok(Some(Kind::Ident))
    }
}

/// The index of the token closing the group opened at `open`.
pub(crate) fn close_of(toks: &[Tok], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, t) in toks.iter().enumerate().skip(open) {
        match t.kind {
            Kind::Open(_) => depth += 1,
            Kind::Close(_) => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether the outer attributes among `attrs` (an item's tokens before
/// its keywords) make it test code, as [`crate::parse::is_test_attr`]
/// judges it from the syntax tree: a path ending in `test` or `rstest`
/// (`#[test]`, `#[tokio::test(..)]`), or `#[cfg(P)]` where `P` holds only
/// in test builds (`test`, `all(test, ..)`, `any(test, test)`).
pub(crate) fn test_attrs(text: &str, attrs: &[Tok]) -> bool {
    let mut i = 0;
    while i < attrs.len() {
        // `#`, `[`, .., `]` (inner attributes `#![..]` are not the item's).
        if attrs[i].kind != Kind::Punct(b'#') {
            i += 1;
            continue;
        }
        let inner = is_punct(attrs, i + 1, b'!');
        let open = if inner { i + 2 } else { i + 1 };
        let Some(close) = close_of(attrs, open) else {
            return false;
        };
        if !inner && test_attr(text, &attrs[open + 1..close]) {
            return true;
        }
        i = close + 1;
    }
    false
}

/// One attribute's tokens inside `#[..]`.
fn test_attr(text: &str, toks: &[Tok]) -> bool {
    let (path, rest) = attr_path(text, toks);
    match path.as_slice() {
        ["cfg"] => {
            matches!(rest.first().map(|t| t.kind), Some(Kind::Open(b'(')))
                && close_of(rest, 0) == Some(rest.len() - 1)
                && cfg_list(text, &rest[1..rest.len() - 1])
                    .is_some_and(|l| l.len() == 1 && cfg_requires_test(text, l[0]))
        }
        [.., last] => matches!(*last, "test" | "rstest"),
        [] => false,
    }
}

/// Whether `#[cfg(args)]`, given the text inside its parentheses, holds
/// only in test builds, read as [`test_attrs`] reads it (`test`, `all(test,
/// feature = "pg")`, `any(test)`; not `not(test)`, `any(test, feature =
/// "x")`): for the reach scan, which keeps an attribute's arguments as
/// text.
pub(crate) fn cfg_args_require_test(args: &str) -> bool {
    tokens(args).is_ok_and(|toks| {
        cfg_list(args, &toks).is_some_and(|l| l.len() == 1 && cfg_requires_test(args, l[0]))
    })
}

/// The path at the start of `toks` (`tokio::test`, `::a::b`), and the
/// tokens after it.
fn attr_path<'t, 'k>(text: &'t str, toks: &'k [Tok]) -> (Vec<&'t str>, &'k [Tok]) {
    let mut segs = Vec::new();
    let mut k = 0;
    loop {
        if is_punct(toks, k, b':') && is_punct(toks, k + 1, b':') {
            k += 2;
        }
        match toks.get(k) {
            Some(t) if t.kind == Kind::Ident => {
                segs.push(word(text, t));
                k += 1;
            }
            _ => break,
        }
        if !(is_punct(toks, k, b':') && is_punct(toks, k + 1, b':')) {
            break;
        }
    }
    (segs, &toks[k.min(toks.len())..])
}

/// The comma-separated predicates of a `cfg` list, or `None` when one is
/// not a path, `path(..)` or `path = literal`.
fn cfg_list<'k>(text: &str, toks: &'k [Tok]) -> Option<Vec<&'k [Tok]>> {
    let mut out = Vec::new();
    let mut k = 0;
    while k < toks.len() {
        let from = k;
        let (path, rest) = attr_path(text, &toks[k..]);
        if path.is_empty() {
            return None;
        }
        k = toks.len() - rest.len();
        if matches!(toks.get(k).map(|t| t.kind), Some(Kind::Open(b'('))) {
            k = close_of(toks, k)? + 1;
        } else if is_punct(toks, k, b'=') {
            k += 2;
        }
        out.push(&toks[from..k.min(toks.len())]);
        match toks.get(k) {
            None => break,
            Some(t) if t.kind == Kind::Punct(b',') => k += 1,
            Some(_) => return None,
        }
    }
    Some(out)
}

/// Whether a `cfg` predicate holds only in test builds (as
/// `crate::parse`'s reading of the syntax tree does).
fn cfg_requires_test(text: &str, pred: &[Tok]) -> bool {
    let (path, rest) = attr_path(text, pred);
    match rest.first().map(|t| t.kind) {
        None => path == ["test"],
        Some(Kind::Open(b'(')) if rest.len() >= 2 => {
            let Some(args) = cfg_list(text, &rest[1..rest.len() - 1]) else {
                return false;
            };
            match path.as_slice() {
                ["all"] => args.iter().any(|a| cfg_requires_test(text, a)),
                ["any"] => !args.is_empty() && args.iter().all(|a| cfg_requires_test(text, a)),
                _ => false,
            }
        }
        _ => false,
    }
}

/// Whether token `k` is the punctuation `p`.
pub(crate) fn is_punct(toks: &[Tok], k: usize, p: u8) -> bool {
    toks.get(k).is_some_and(|t| t.kind == Kind::Punct(p))
}

/// The word of an identifier token (`r#type` is `type`).
pub(crate) fn word<'t>(text: &'t str, t: &Tok) -> &'t str {
    let w = &text[t.range()];
    w.strip_prefix("r#").unwrap_or(w)
}

#[cfg(test)]
mod tests {

    use super::{check, is_keyword, tokens, word_hash, Words};

    #[test]
    fn keywords_are_the_strict_ones_and_self() {
        let keywords = [
            "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
            "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod",
            "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super",
            "trait", "true", "type", "unsafe", "use", "where", "while",
        ];
        for k in keywords {
            assert!(is_keyword(k), "{k}");
            assert!(!is_keyword(&format!("{k}_")), "{k}_");
            assert!(!is_keyword(&k[1..]) || keywords.contains(&&k[1..]), "{k}");
        }
        for w in ["", "r#type", "Type", "union", "selfish", "matches", "u8"] {
            assert!(!is_keyword(w), "{w}");
        }
    }

    #[test]
    fn words_are_called_names() {
        let text = "use a::load_doc; // scoped(q)\nfn f() { let s = \"helper(x)\";\n\
                    load_doc(db); x.method(y); Store::find(1); r#try::<T>(z); let v: Vec<u8> = w; }";
        let words = check(text).unwrap();
        let has = |w: &str| words.any_of(&[word_hash(w)]);
        for w in ["load_doc", "a", "Store", "find", "try", "f"] {
            assert!(has(w), "{w}");
        }
        for w in ["scoped", "helper", "method", "v", "w", "s", "Vec", "u8"] {
            assert!(!has(w), "{w}");
        }
        // The token path finds the same words.
        let toks = tokens(text).unwrap();
        assert_eq!(Words::of_tokens(text, [&toks[..]]).0, words.0);
        let mut both = vec![word_hash("zzz"), word_hash("find")];
        both.sort_unstable();
        assert!(words.any_of(&both));
        assert!(!words.any_of(&[]));
    }

    fn pm2(text: &str) -> bool {
        text.parse::<proc_macro2::TokenStream>().is_ok()
    }

    #[test]
    fn accepts_rust() {
        for t in [
            "fn main() { let x = 'a'; let y = '\\n'; let z = '\\u{1F600}'; }",
            "fn f<'a>(x: &'a str) -> &'a str { 'outer: loop { break 'outer x; } }",
            "let s = r#\"a \"quoted\" b\"#; let t = br##\"x\"#y\"##; let u = b\"\\xff\";",
            "let c = c\"nul\"; let d = cr#\"raw\"#; let e = b'x'; let f = b'\\'';",
            "/* outer /* inner */ still */ let x = 1.5e-3f64 + 0x1F_u8 as f64 + 1..2;",
            "let r#type = 1; let ü = \"ünïcödé\"; let t = x.0.1;",
            "/// doc\n//! inner\nfn f() {}\n/** block doc */ struct S;",
            "macro_rules! m { ($($t:tt)*) => { $($t)* }; }",
            "let s = \"multi\nline\\\"\"; let z = 'static_label; let e = '\\'';",
            "let a = 1u32..=2; let b = 1e10; let c = 2.; let x = tuple.0;",
            "let x = 0x1F_u\u{11d31}; let y = 1.5e\u{1a55}3;",
        ] {
            assert!(pm2(t), "proc-macro2 rejects {t:?}");
            assert!(check(t).is_ok(), "{t:?}: {:?}", check(t).err());
        }
    }

    #[test]
    fn checks_nesting_and_chains_on_tokens() {
        let deep = format!(
            "fn f() {{\n let x = {}1{};\n}}\n",
            "(".repeat(1001),
            ")".repeat(1001)
        );
        let err = check(&deep).expect_err("too deep");
        assert_eq!(err.span.start.line, 2, "{}", err.message);
        assert!(
            err.message.contains("nesting deeper than"),
            "{}",
            err.message
        );
        // Brackets in strings and comments are not nesting.
        let quoted = format!(
            "const S: &str = \"{}\"; // {}\n",
            "(".repeat(1001),
            "[".repeat(1001)
        );
        assert!(check(&quoted).is_ok());
        let chain = format!("fn f() {{ x{}; }}", ".a()".repeat(30_001));
        let err = check(&chain).expect_err("too long");
        assert!(err.message.contains("chains more than"), "{}", err.message);
        let reset = format!("fn f() {{ {} }}", "x.a();".repeat(30_001));
        assert!(check(&reset).is_ok());
    }

    #[test]
    fn rejects_non_rust_with_position() {
        for (t, line) in [
            ("echo \"hi\n", 1),
            ("fn f() {\n  let x = (1;\n}\n", 3),
            ("fn f() {\n", 1),
            ("fn f() }\n", 1),
            ("let x = 1;\n/* never closed\n", 2),
            ("fn f() {}\nlet `x` = 1;\n", 2),
            ("let s = r#\"open\n", 1),
            ("a\nb\n'", 3),
        ] {
            let err = check(t).expect_err(t);
            assert_eq!(err.span.start.line, line, "{t:?}: {}", err.message);
            assert!(!pm2(t), "proc-macro2 accepts {t:?}");
        }
    }
}
