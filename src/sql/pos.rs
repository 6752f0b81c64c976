//! Converting sqlparser's line/column `Location`s (1-based, columns counted
//! in characters) into byte offsets.

use sqlparser::tokenizer::{Location, Span};
use std::ops::Range;

/// Line-start table of one text, plus the offset of that text inside the
/// larger text whose byte offsets we report.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    base: usize,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Index `text`, which starts at byte `base` of the reported text.
    pub fn new(text: &'a str, base: usize) -> Self {
        let mut starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                starts.push(i + 1);
            }
        }
        LineIndex { text, base, starts }
    }

    /// Byte offset (in the reported text) of a location; `None` for the
    /// empty location or one outside the text.
    pub fn offset(&self, loc: Location) -> Option<usize> {
        if loc.line == 0 || loc.column == 0 {
            return None;
        }
        let line = usize::try_from(loc.line - 1).ok()?;
        let start = *self.starts.get(line)?;
        let col = usize::try_from(loc.column - 1).ok()?;
        let rest = self.text.get(start..)?;
        let mut off = rest.len();
        for (n, (i, ch)) in rest.char_indices().enumerate() {
            if n == col {
                off = i;
                break;
            }
            if ch == '\n' {
                off = i;
                break;
            }
        }
        Some(self.base + start + off)
    }

    /// Byte offset (in the reported text) where the indexed text starts.
    pub fn offset_start(&self) -> usize {
        self.base
    }

    /// Byte range of a span; `None` when the span is empty/unknown.
    pub fn range(&self, span: Span) -> Option<Range<usize>> {
        let s = self.offset(span.start)?;
        let e = self.offset(span.end)?;
        (s <= e).then_some(s..e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_chars_to_bytes() {
        let t = "ab\n-- é ü\n  x";
        let li = LineIndex::new(t, 10);
        assert_eq!(li.offset(Location::new(1, 1)), Some(10));
        assert_eq!(li.offset(Location::new(2, 6)), Some(10 + 3 + 6));
        assert_eq!(
            li.offset(Location::new(3, 3)),
            Some(10 + t.find('x').unwrap_or(0))
        );
        assert_eq!(li.offset(Location::new(0, 0)), None);
        assert_eq!(li.offset(Location::new(9, 1)), None);
    }
}
