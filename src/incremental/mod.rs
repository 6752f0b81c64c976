//! The performance layer: what a run can leave unparsed and what it can
//! take from the last run, without changing a finding. The prefilter
//! decides from bytes and tokens which files can matter, the slicer blanks
//! the function bodies a file's queries do not need, the helper matcher
//! finds the skipped code that calls a workspace helper (so it is parsed
//! after all), and the cache keeps each file's facts by content hash.
//! Each is checked against the slow path it replaces (prefilter off, no
//! cache) by the tests named in ARCHITECTURE.md.

pub mod cache;
pub mod prefilter;
pub mod rescue;
pub mod slice;
