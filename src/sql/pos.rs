//! Converting sqlparser's line/column `Location`s (1-based, columns counted
//! in characters) into byte offsets, through the shared
//! [`LineIndex`](crate::diagnostic::LineIndex) of the statement's text.

use crate::diagnostic::LineIndex;
use sqlparser::tokenizer::{Location, Span};
use std::ops::Range;

/// The line index of one statement's text, plus the offset of that text
/// inside the larger text whose byte offsets we report.
pub(crate) struct Locator<'a> {
    lines: LineIndex<'a>,
    base: usize,
}

impl<'a> Locator<'a> {
    /// Index `text`, which starts at byte `base` of the reported text.
    pub fn new(text: &'a str, base: usize) -> Self {
        Locator {
            lines: LineIndex::new(text),
            base,
        }
    }

    /// Byte offset (in the reported text) of a location; `None` for the
    /// empty location or one outside the text.
    pub fn offset(&self, loc: Location) -> Option<usize> {
        let line = u32::try_from(loc.line).ok()?;
        let col = u32::try_from(loc.column.checked_sub(1)?).ok()?;
        Some(self.base + self.lines.offset(line, col)?)
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
        let li = Locator::new(t, 10);
        assert_eq!(li.offset(Location::new(1, 1)), Some(10));
        assert_eq!(li.offset(Location::new(2, 6)), Some(10 + 3 + 6));
        assert_eq!(
            li.offset(Location::new(3, 3)),
            Some(10 + t.find('x').unwrap_or(0))
        );
        assert_eq!(li.offset(Location::new(0, 0)), None);
        assert_eq!(li.offset(Location::new(1, 0)), None);
        assert_eq!(li.offset(Location::new(9, 1)), None);
    }
}
