//! OFX statements, both OFX 1.x (SGML: `KEY:VALUE` header lines, then `<OFX>` with leaf tags
//! that are usually left unclosed, e.g. `<TRNAMT>30.00`) and OFX 2.x (XML: `<?xml?>` and
//! `<?OFX?>` declarations, every tag closed).
//!
//! One small tokenizer reads both: a leaf is a start tag followed by text, whether or not a
//! closing tag follows; aggregates (`<STMTTRN>`, `<BANKACCTFROM>` …) are always closed in
//! both versions. Every `STMTTRN` becomes a [`StatementLine`]; the account is the first
//! `BANKACCTFROM/ACCTID` (or `CCACCTFROM/ACCTID` for card statements). Errors name the
//! 1-based line of the file.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::Offset;

use crate::amount::parse_pence;
use crate::{Format, ParseError, Statement, StatementLine, join_text};

/// Parses a whole OFX 1.x or 2.x file (already decoded to text).
pub(crate) fn parse(text: &str) -> Result<Statement, ParseError> {
    let mut tokens = Tokenizer::new(text);
    let mut seen_ofx = false;
    let mut closed = false;
    let mut in_account = false;
    let mut account: Option<String> = None;
    let mut txn: Option<Txn> = None;
    let mut lines = Vec::new();
    // The last start tag, waiting for its text (if it turns out to be a leaf).
    let mut pending: Option<(String, usize)> = None;

    while let Some(token) = tokens.next_token()? {
        match token {
            Token::Open { name, line } => {
                if !seen_ofx {
                    seen_ofx = name == "OFX";
                    continue;
                }
                match name.as_str() {
                    "STMTTRN" => {
                        if let Some(open) = &txn {
                            return Err(ParseError::at_line(
                                line,
                                format!(
                                    "<STMTTRN> inside the STMTTRN opened at line {} \
                                     (missing </STMTTRN>?)",
                                    open.line
                                ),
                            ));
                        }
                        txn = Some(Txn::new(line));
                    }
                    "BANKACCTFROM" | "CCACCTFROM" => in_account = true,
                    _ => {}
                }
                pending = Some((name, line));
            }
            Token::Close { name, line } => {
                pending = None;
                if !seen_ofx {
                    continue;
                }
                match name.as_str() {
                    "STMTTRN" => match txn.take() {
                        Some(open) => lines.push(open.finish()?),
                        None => {
                            return Err(ParseError::at_line(
                                line,
                                "</STMTTRN> without a matching <STMTTRN>",
                            ));
                        }
                    },
                    "BANKACCTFROM" | "CCACCTFROM" => in_account = false,
                    "OFX" => {
                        closed = true;
                        break;
                    }
                    _ => {}
                }
            }
            Token::Text { value, line } => {
                let Some((name, _)) = pending.take() else {
                    continue;
                };
                if let Some(open) = txn.as_mut() {
                    open.leaf(&name, value, line)?;
                } else if in_account && name == "ACCTID" && account.is_none() {
                    account = Some(value);
                }
            }
        }
    }
    if !seen_ofx {
        return Err(ParseError::at_line(1, "no <OFX> element: not an OFX file"));
    }
    if let Some(open) = txn {
        return Err(ParseError::at_line(
            open.line,
            "STMTTRN is not closed (no </STMTTRN> before the end of the file)",
        ));
    }
    if !closed {
        return Err(ParseError::at_line(
            tokens.line,
            "the file ends before </OFX> (is it truncated?)",
        ));
    }
    Ok(Statement {
        format: Format::Ofx,
        account,
        lines,
    })
}

/// A `STMTTRN` being read.
struct Txn {
    line: usize,
    posted: Option<Timestamp>,
    amount_p: Option<i64>,
    fitid: Option<String>,
    name: Option<String>,
    memo: Option<String>,
}

impl Txn {
    fn new(line: usize) -> Self {
        Txn {
            line,
            posted: None,
            amount_p: None,
            fitid: None,
            name: None,
            memo: None,
        }
    }

    fn leaf(&mut self, name: &str, value: String, line: usize) -> Result<(), ParseError> {
        match name {
            "DTPOSTED" => {
                if self.posted.is_some() {
                    return Err(ParseError::at_line(line, "second DTPOSTED in one STMTTRN"));
                }
                let posted = parse_datetime(&value).map_err(|why| {
                    ParseError::at_line(
                        line,
                        format!("DTPOSTED {value:?} is not an OFX date: {why}"),
                    )
                })?;
                self.posted = Some(posted);
            }
            "TRNAMT" => {
                if self.amount_p.is_some() {
                    return Err(ParseError::at_line(line, "second TRNAMT in one STMTTRN"));
                }
                // OFX allows a comma as the decimal mark as well as a period.
                let amount = parse_pence(&value, &['.', ','])
                    .map_err(|why| ParseError::at_line(line, format!("TRNAMT {value:?} {why}")))?;
                self.amount_p = Some(amount);
            }
            "FITID" => {
                self.fitid.get_or_insert(value);
            }
            // NAME may also sit in a PAYEE aggregate; either way it is the payee's name.
            "NAME" => {
                self.name.get_or_insert(value);
            }
            "MEMO" => {
                self.memo.get_or_insert(value);
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(self) -> Result<StatementLine, ParseError> {
        let Some(posted) = self.posted else {
            return Err(ParseError::at_line(self.line, "STMTTRN has no DTPOSTED"));
        };
        let Some(amount_p) = self.amount_p else {
            return Err(ParseError::at_line(self.line, "STMTTRN has no TRNAMT"));
        };
        Ok(StatementLine {
            bank_id: self.fitid.filter(|id| !id.is_empty()),
            posted,
            amount_p,
            text: join_text([self.name.as_deref(), self.memo.as_deref()]),
        })
    }
}

enum Token {
    /// `<NAME>` (also `<NAME/>`, which is followed by a matching `Close`).
    Open { name: String, line: usize },
    /// `</NAME>`.
    Close { name: String, line: usize },
    /// Non-blank text between tags, trimmed, entities decoded.
    Text { value: String, line: usize },
}

/// Splits OFX text into tags and text, skipping `<?…?>`, `<!…>` and comments, and counting
/// lines. Tag names are upper-cased; attributes (which OFX does not use) are ignored.
struct Tokenizer<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
    /// A `Close` owed for a self-closing `<NAME/>`.
    owed_close: Option<(String, usize)>,
}

impl<'a> Tokenizer<'a> {
    fn new(text: &'a str) -> Self {
        Tokenizer {
            text,
            pos: 0,
            line: 1,
            owed_close: None,
        }
    }

    /// Advances over `s` (a prefix of the rest of the input), counting line breaks: `\n`,
    /// `\r\n`, and a lone `\r`.
    fn advance(&mut self, len: usize) {
        let chunk = self.text.get(self.pos..self.pos + len).unwrap_or("");
        self.line += count_lines(chunk);
        // A `\r` at the end of this chunk followed by `\n` at the start of the next was
        // counted once as a lone `\r`; the `\n` must then not count again.
        if chunk.ends_with('\r')
            && self
                .text
                .get(self.pos + len..)
                .is_some_and(|r| r.starts_with('\n'))
        {
            self.line -= 1;
        }
        self.pos += len;
    }

    fn next_token(&mut self) -> Result<Option<Token>, ParseError> {
        if let Some((name, line)) = self.owed_close.take() {
            return Ok(Some(Token::Close { name, line }));
        }
        loop {
            let rest = self.text.get(self.pos..).unwrap_or("");
            if rest.is_empty() {
                return Ok(None);
            }
            if !rest.starts_with('<') {
                let len = rest.find('<').unwrap_or(rest.len());
                let raw = rest.get(..len).unwrap_or("");
                let leading = raw.len() - raw.trim_start().len();
                let line = self.line + count_lines(raw.get(..leading).unwrap_or(""));
                self.advance(len);
                let trimmed = raw.trim();
                if trimmed.is_empty() {
                    continue;
                }
                return Ok(Some(Token::Text {
                    value: decode_entities(trimmed),
                    line,
                }));
            }
            let line = self.line;
            if rest.starts_with("<!--") {
                let len = rest
                    .find("-->")
                    .map(|i| i + 3)
                    .ok_or_else(|| ParseError::at_line(line, "comment is not closed"))?;
                self.advance(len);
                continue;
            }
            // `<` … `>`; another `<` first means the tag was never closed.
            let end = rest
                .get(1..)
                .and_then(|r| r.find(['<', '>']))
                .map(|i| i + 1);
            let Some(end) = end.filter(|&i| rest.as_bytes().get(i) == Some(&b'>')) else {
                let shown: String = rest.chars().take(20).take_while(|c| *c != '\n').collect();
                return Err(ParseError::at_line(
                    line,
                    format!("tag {:?} is not closed with '>'", shown.trim_end()),
                ));
            };
            let inner = rest.get(1..end).unwrap_or("");
            self.advance(end + 1);
            if inner.starts_with('?') || inner.starts_with('!') {
                continue;
            }
            let (closing, inner) = match inner.strip_prefix('/') {
                Some(r) => (true, r),
                None => (false, inner),
            };
            let (self_closing, inner) = match inner.trim_end().strip_suffix('/') {
                Some(r) => (true, r),
                None => (false, inner),
            };
            let name = inner
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            if name.is_empty() {
                return Err(ParseError::at_line(line, "empty tag <>"));
            }
            if closing {
                return Ok(Some(Token::Close { name, line }));
            }
            if self_closing {
                self.owed_close = Some((name.clone(), line));
            }
            return Ok(Some(Token::Open { name, line }));
        }
    }
}

fn count_lines(s: &str) -> usize {
    let bytes = s.as_bytes();
    bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count()
}

/// Decodes `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;` and numeric references;
/// anything else (including a lone `&`) is kept as it is.
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp).unwrap_or(""));
        let after = rest.get(amp + 1..).unwrap_or("");
        let entity = after
            .find(';')
            .filter(|&semi| semi <= 10)
            .and_then(|semi| Some((semi, entity_char(after.get(..semi)?)?)));
        match entity {
            Some((semi, c)) => {
                out.push(c);
                rest = after.get(semi + 1..).unwrap_or("");
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity_char(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some('\u{A0}'),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code).filter(|&c| c != '\0')
        }
    }
}

/// Parses an OFX date-time: `YYYYMMDD`, `YYYYMMDDHHMM`, `YYYYMMDDHHMMSS` or
/// `YYYYMMDDHHMMSS.XXX` (any number of fraction digits up to 9), optionally followed by a
/// `[offset]` or `[offset:TZ]` part giving the offset from UTC in hours (`-5`, `+1`, `0`,
/// `5.30`/`5.5` for +05:30, `5.45`/`5.75` for +05:45). Without an offset the time is UTC.
pub(crate) fn parse_datetime(s: &str) -> Result<Timestamp, String> {
    let s = s.trim();
    let (main, zone) = match s.split_once('[') {
        Some((main, zone)) => {
            let zone = zone
                .strip_suffix(']')
                .ok_or("the time zone part has no closing ']'")?;
            (main, Some(zone))
        }
        None => (s, None),
    };
    let (digits, fraction) = match main.split_once('.') {
        Some((d, f)) => (d, Some(f)),
        None => (main, None),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("expected digits YYYYMMDD[HHMM[SS]]".into());
    }
    if !matches!(digits.len(), 8 | 12 | 14) {
        return Err("expected YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS".into());
    }
    let nanos = match fraction {
        None => 0,
        Some(f)
            if digits.len() == 14
                && (1..=9).contains(&f.len())
                && f.bytes().all(|b| b.is_ascii_digit()) =>
        {
            let mut n: i32 = 0;
            for i in 0..9 {
                let d = f.as_bytes().get(i).map_or(0, |b| i32::from(b - b'0'));
                n = n * 10 + d;
            }
            n
        }
        Some(_) => return Err("bad fraction of a second".into()),
    };
    // Every slice below is within `digits`, which is known to be ASCII digits of length 8+.
    let num = |from: usize, to: usize| -> i16 {
        digits
            .get(from..to)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
    };
    let year = num(0, 4);
    let [month, day, hour, minute, second] = [(4, 6), (6, 8), (8, 10), (10, 12), (12, 14)]
        .map(|(a, b)| i8::try_from(num(a, b)).unwrap_or(-1));
    let (hour, minute, second) = match digits.len() {
        8 => (0, 0, 0),
        12 => (hour, minute, 0),
        _ => (hour, minute, second),
    };
    let civil = DateTime::new(year, month, day, hour, minute, second, nanos)
        .map_err(|e| format!("no such date/time ({e})"))?;
    let offset = match zone {
        Some(z) => parse_offset(z)?,
        None => Offset::UTC,
    };
    offset
        .to_timestamp(civil)
        .map_err(|e| format!("out of range ({e})"))
}

/// `-5`, `+1`, `0`, `5.30`, `5.5`, optionally followed by `:NAME`.
fn parse_offset(zone: &str) -> Result<Offset, String> {
    let number = zone.split(':').next().unwrap_or("").trim();
    let (negative, unsigned) = match number.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, number.strip_prefix('+').unwrap_or(number)),
    };
    let (hours, fraction) = match unsigned.split_once('.') {
        Some((h, f)) => (h, f),
        None => (unsigned, ""),
    };
    let bad = || format!("bad time zone offset {number:?}");
    if hours.is_empty() || hours.len() > 2 || !hours.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let hours: i32 = hours.parse().map_err(|_| bad())?;
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let frac: i32 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().map_err(|_| bad())?
    };
    let minutes = match (fraction.len(), frac) {
        (0, _) => 0,
        // Tenths of an hour: 5.5 → 5:30.
        (1, f) => f * 6,
        // Either written as minutes (5.30, 5.45) or as hundredths of an hour (5.50, 5.75).
        (2, m @ (0 | 30 | 45)) => m,
        (2, h @ (25 | 50 | 75)) => h * 60 / 100,
        _ => return Err(bad()),
    };
    let seconds = (hours * 60 + minutes) * 60;
    Offset::from_seconds(if negative { -seconds } else { seconds }).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn dates_without_zone_are_utc() {
        assert_eq!(parse_datetime("20240301"), Ok(ts("2024-03-01T00:00:00Z")));
        assert_eq!(
            parse_datetime("202403011015"),
            Ok(ts("2024-03-01T10:15:00Z"))
        );
        assert_eq!(
            parse_datetime("20240301101530"),
            Ok(ts("2024-03-01T10:15:30Z"))
        );
        assert_eq!(
            parse_datetime("20240301101530.250"),
            Ok(ts("2024-03-01T10:15:30.25Z"))
        );
    }

    #[test]
    fn zones_convert_to_utc() {
        assert_eq!(
            parse_datetime("20240301120000[-5:EST]"),
            Ok(ts("2024-03-01T17:00:00Z"))
        );
        assert_eq!(
            parse_datetime("20240301120000.000[0:GMT]"),
            Ok(ts("2024-03-01T12:00:00Z"))
        );
        assert_eq!(
            parse_datetime("20240701000000[+1:BST]"),
            Ok(ts("2024-06-30T23:00:00Z"))
        );
        assert_eq!(
            parse_datetime("20240301[-8]"),
            Ok(ts("2024-03-01T08:00:00Z"))
        );
        assert_eq!(
            parse_datetime("20240301120000[5.30:IST]"),
            Ok(ts("2024-03-01T06:30:00Z"))
        );
        assert_eq!(
            parse_datetime("20240301120000[+5.5:IST]"),
            Ok(ts("2024-03-01T06:30:00Z"))
        );
        assert_eq!(
            parse_datetime("20240301120000[5.75:NPT]"),
            Ok(ts("2024-03-01T06:15:00Z"))
        );
        assert_eq!(
            parse_datetime("20240301120000[-3.30:NST]"),
            Ok(ts("2024-03-01T15:30:00Z"))
        );
    }

    #[test]
    fn bad_dates() {
        for bad in [
            "",
            "2024030",
            "2024-03-01",
            "20240230",
            "20241301",
            "20240301250000",
            "20240301106000",
            "202403011015.5",
            "20240301101530.",
            "20240301101530.1234567890",
            "20240301[",
            "20240301[-5:EST",
            "20240301[x:EST]",
            "20240301[5.17]",
            "20240301[99]",
            "20240301[]",
            "2024٠٣01",
            "20240301[-.5]",
        ] {
            assert!(parse_datetime(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn entities() {
        assert_eq!(decode_entities("A &amp; B &lt;x&gt;"), "A & B <x>");
        assert_eq!(decode_entities("M&S"), "M&S");
        assert_eq!(decode_entities("&#233;&#xE9;&bogus;&"), "éé&bogus;&");
        assert_eq!(decode_entities("&#0;&#xFFFFFFFF;"), "&#0;&#xFFFFFFFF;");
    }

    #[test]
    fn line_counting() {
        assert_eq!(count_lines("a\nb\r\nc\rd"), 3);
        let mut t = Tokenizer::new("<A>\r\n<B>x\r<C>y\n</A>");
        let mut lines = Vec::new();
        while let Some(tok) = t.next_token().unwrap() {
            lines.push(match tok {
                Token::Open { line, .. } | Token::Close { line, .. } | Token::Text { line, .. } => {
                    line
                }
            });
        }
        assert_eq!(lines, [1, 2, 2, 3, 3, 4]);
    }
}
