//! Hive13's device protocol, the parts that need no database: HiveWeb's canonical JSON
//! (`canon`), the SHA-512 checksums that sign requests and responses (`checksum`), and the small
//! rules of the operations (`rules`: Perl's `int()`, quiet hours, log timestamps).

pub mod canon;
pub mod checksum;
pub mod client;
pub mod rules;

pub use canon::{CanonError, canonical};
pub use checksum::{checksum, checksums_match, sign};
