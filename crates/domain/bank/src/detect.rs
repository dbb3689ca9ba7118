//! Recognising a statement's format from its first bytes: OFX (an `OFXHEADER:` SGML header,
//! or XML with `<?OFX` or `<OFX>`), camt.053 (XML with a `BkToCstmrStmt` element), and
//! Barclays CSV (its header row). A generic CSV export cannot be told from any other CSV,
//! so it is never detected.

use crate::Format;
use crate::decode::decode;

/// How much of the file is looked at.
const WINDOW: usize = 64 * 1024;

/// The format of `bytes`, if it is one that can be recognised.
pub fn detect(bytes: &[u8]) -> Option<Format> {
    let head = bytes.get(..WINDOW).unwrap_or(bytes);
    let text = decode(head);
    let text = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    let upper = text.to_ascii_uppercase();
    if upper.starts_with("OFXHEADER") {
        return Some(Format::Ofx);
    }
    if text.starts_with('<') {
        if upper.contains("<?OFX") || upper.contains("<OFX>") {
            return Some(Format::Ofx);
        }
        if text.contains("BkToCstmrStmt") {
            return Some(Format::Camt053);
        }
        return None;
    }
    let header = text.lines().next().unwrap_or("");
    let fields: Vec<String> = header
        .split(',')
        .map(|f| f.trim().trim_matches('"').trim().to_ascii_lowercase())
        .collect();
    (fields == ["number", "date", "account", "amount", "subcategory", "memo"])
        .then_some(Format::BarclaysCsv)
}
