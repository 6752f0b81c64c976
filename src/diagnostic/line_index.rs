//! The one conversion between byte offsets and [`Pos`] (1-based line,
//! 0-based column in characters) for every stage that needs it: migration
//! DDL ranges, sqlparser locations, config error positions, undecodable
//! files and the renderers. It indexes a text once — the byte offset where
//! each line starts, plus whether the line is ASCII — so a lookup is a
//! binary search and, on an ASCII line, a subtraction; counting from the
//! start of the file for every statement made a 1.6 MB schema dump take
//! half a minute. Lines end at `\n`; a `\r` before it is an ordinary
//! character of the line, as proc-macro2 and sqlparser count it.

use super::{Pos, Span};
use std::ops::Range;

/// Line starts of one text.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset where each line starts; the first is 0.
    starts: Vec<usize>,
    /// Whether each line (without its `\n`) is ASCII, so that its columns
    /// are byte distances.
    ascii: Vec<bool>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text` (one pass over its bytes).
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        let ascii = (0..starts.len())
            .map(|l| {
                let end = starts.get(l + 1).map_or(text.len(), |s| s - 1);
                text.as_bytes()[starts[l]..end].is_ascii()
            })
            .collect();
        LineIndex {
            text,
            starts,
            ascii,
        }
    }

    /// The indexed text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Position of byte `offset`; an offset past the end is the end, one
    /// inside a character is that character.
    pub fn pos(&self, offset: usize) -> Pos {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        // The last line starting at or before `offset`; `starts[0]` is 0.
        let line = self.starts.partition_point(|s| *s <= offset) - 1;
        let start = self.starts[line];
        let col = if self.ascii[line] {
            offset - start
        } else {
            self.text[start..offset].chars().count()
        };
        Pos {
            line: to_u32(line + 1),
            col: to_u32(col),
        }
    }

    /// Span of a byte range.
    pub fn span(&self, r: &Range<usize>) -> Span {
        Span {
            start: self.pos(r.start),
            end: self.pos(r.end),
        }
    }

    /// Number of lines; a text ending in `\n` has an empty last line
    /// after it, and the empty text has one empty line.
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Text of 1-based `line`, without its `\n`; `None` for line 0 or a
    /// line past the last.
    pub fn line(&self, line: u32) -> Option<&'a str> {
        let l = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = *self.starts.get(l)?;
        let end = self.starts.get(l + 1).map_or(self.text.len(), |s| s - 1);
        Some(&self.text[start..end])
    }

    /// Byte offset of 1-based `line`, 0-based character column `col`; a
    /// column past the end of the line is the end of the line (its `\n`).
    /// `None` for line 0 or a line past the last.
    pub fn offset(&self, line: u32, col: u32) -> Option<usize> {
        let l = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = *self.starts.get(l)?;
        let end = self.starts.get(l + 1).map_or(self.text.len(), |s| s - 1);
        let col = usize::try_from(col).unwrap_or(usize::MAX);
        if self.ascii[l] {
            return Some(start + col.min(end - start));
        }
        let text = &self.text[start..end];
        Some(start + text.char_indices().nth(col).map_or(text.len(), |(i, _)| i))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(line: u32, col: u32) -> Pos {
        Pos { line, col }
    }

    /// The definitions the index must agree with: count from the start.
    fn naive_pos(text: &str, offset: usize) -> Pos {
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        p(
            before.matches('\n').count() as u32 + 1,
            before[line_start..].chars().count() as u32,
        )
    }

    fn naive_offset(text: &str, line: u32, col: u32) -> Option<usize> {
        if line == 0 {
            return None;
        }
        let mut start = 0;
        for _ in 1..line {
            start += text[start..].find('\n')? + 1;
        }
        let rest = &text[start..];
        let rest = &rest[..rest.find('\n').unwrap_or(rest.len())];
        Some(
            start
                + rest
                    .char_indices()
                    .nth(col as usize)
                    .map_or(rest.len(), |(i, _)| i),
        )
    }

    #[test]
    fn empty_text() {
        let li = LineIndex::new("");
        assert_eq!(li.pos(0), p(1, 0));
        assert_eq!(li.pos(7), p(1, 0));
        assert_eq!(li.offset(1, 0), Some(0));
        assert_eq!(li.offset(1, 5), Some(0));
        assert_eq!(li.offset(2, 0), None);
        assert_eq!(li.offset(0, 0), None);
    }

    #[test]
    fn without_trailing_newline() {
        let t = "ab\ncd";
        let li = LineIndex::new(t);
        assert_eq!(li.pos(2), p(1, 2), "the newline ends line 1");
        assert_eq!(li.pos(3), p(2, 0));
        assert_eq!(li.pos(t.len()), p(2, 2), "the end of the text");
        assert_eq!(li.offset(2, 9), Some(t.len()));
        assert_eq!(li.offset(3, 0), None);
    }

    #[test]
    fn with_trailing_newline_the_end_is_an_empty_line() {
        let t = "ab\n";
        let li = LineIndex::new(t);
        assert_eq!(li.pos(t.len()), p(2, 0));
        assert_eq!(li.offset(2, 0), Some(3));
        assert_eq!(li.offset(3, 0), None);
    }

    #[test]
    fn crlf_keeps_the_carriage_return_in_the_line() {
        let t = "ab\r\ncd\r\n";
        let li = LineIndex::new(t);
        assert_eq!(li.pos(2), p(1, 2));
        assert_eq!(li.pos(3), p(1, 3), "`\\r` is a column of line 1");
        assert_eq!(li.pos(4), p(2, 0));
        assert_eq!(li.offset(1, 9), Some(3), "clamped before the `\\n`");
        assert_eq!(li.offset(2, 1), Some(5));
    }

    #[test]
    fn columns_are_characters() {
        let t = "x\n-- é 日 z\n";
        let li = LineIndex::new(t);
        let z = t.find('z').unwrap_or(0);
        assert_eq!(li.pos(z), p(2, 7));
        assert_eq!(li.offset(2, 7), Some(z));
        // Inside `日`: the start of that character.
        let ri = t.find('日').unwrap_or(0);
        assert_eq!(li.pos(ri + 1), p(2, 5));
        assert_eq!(li.pos(ri), p(2, 5));
        assert_eq!(li.offset(2, 99), Some(t.len() - 1));
    }

    #[test]
    fn spans_map_both_ends() {
        let li = LineIndex::new("a\nbc");
        let s = li.span(&(1..4));
        assert_eq!((s.start, s.end), (p(1, 1), p(2, 2)));
    }

    proptest! {
        #[test]
        fn agrees_with_counting_from_the_start(
            text in "[ab\\r\\né日]{0,40}",
            at in 0usize..60,
            line in 0u32..12,
            col in 0u32..12,
        ) {
            let li = LineIndex::new(&text);
            let mut off = at.min(text.len());
            while !text.is_char_boundary(off) {
                off -= 1;
            }
            prop_assert_eq!(li.pos(at), naive_pos(&text, off));
            prop_assert_eq!(li.offset(line, col), naive_offset(&text, line, col));
        }
    }
}
