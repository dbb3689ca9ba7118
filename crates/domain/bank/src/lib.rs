//! Bank statements, parsed into the lines a membership system matches against members'
//! payments. Pure: bytes in, [`Statement`] out, no I/O.
//!
//! Formats: OFX 1.x (SGML) and 2.x (XML) in `ofx`, Barclays' CSV export and any other CSV
//! export described by a [`CsvMapping`] in `delimited`, and ISO 20022 camt.053 in `camt`
//! (module `amount` owns exact decimal parsing, `decode` the UTF-8/Windows-1252 choice).
//! [`detect`] recognises every format but the generic CSV; [`parse`] reads one;
//! [`member_reference`] finds the member number in a line's text. Input that is not valid
//! UTF-8 is read as Windows-1252. Amounts are exact integer pence; times are UTC.

mod amount;
mod camt;
mod decode;
mod delimited;
mod detect;
mod ofx;
mod reference;

use std::fmt;

use jiff::Timestamp;

pub use delimited::CsvMapping;
pub use detect::detect;
pub use reference::{DEFAULT_REFERENCE_PREFIX, member_reference};

/// One line of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    /// The bank's own id for the transaction (OFX `FITID`; camt `AcctSvcrRef`, `NtryRef`,
    /// `TxDtls/Refs/AcctSvcrRef` or `EndToEndId`; the CSV id column), when the file has one.
    pub bank_id: Option<String>,
    /// When the transaction was posted, in UTC; a date without a time is 00:00:00 UTC.
    pub posted: Timestamp,
    /// Signed pence: credits positive, debits negative.
    pub amount_p: i64,
    /// The payer's name and reference text, where the member reference is looked for.
    pub text: String,
}

/// A parsed statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub format: Format,
    /// The statement's account (OFX `ACCTID`, camt IBAN or other id, Barclays' `Account`).
    pub account: Option<String>,
    /// The lines in file order.
    pub lines: Vec<StatementLine>,
}

/// A statement file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Ofx,
    BarclaysCsv,
    Csv,
    Camt053,
}

impl Format {
    /// Every format, in the order of [`Format::name`]s shown to users.
    pub const ALL: [Format; 4] = [
        Format::Ofx,
        Format::BarclaysCsv,
        Format::Csv,
        Format::Camt053,
    ];

    /// The name shown to people: "OFX", "Barclays CSV", "CSV", "camt.053".
    pub fn name(&self) -> &'static str {
        match self {
            Format::Ofx => "OFX",
            Format::BarclaysCsv => "Barclays CSV",
            Format::Csv => "CSV",
            Format::Camt053 => "camt.053",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a statement could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// `line 14` (OFX 1.x, CSV), `element Ntry[3]/Amt` or `line 20, element …` (XML),
    /// or `mapping` for a mistake in a [`CsvMapping`].
    pub location: String,
    pub message: String,
}

impl ParseError {
    pub fn new(location: impl Into<String>, message: impl Into<String>) -> Self {
        ParseError {
            location: location.into(),
            message: message.into(),
        }
    }

    pub(crate) fn at_line(line: impl fmt::Display, message: impl Into<String>) -> Self {
        ParseError::new(format!("line {line}"), message)
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Parses `bytes` as a statement in `format`. A generic [`Format::Csv`] needs a `mapping`;
/// the other formats ignore it.
pub fn parse(
    bytes: &[u8],
    format: Format,
    mapping: Option<&CsvMapping>,
) -> Result<Statement, ParseError> {
    let text = decode::decode(bytes);
    match format {
        Format::Ofx => ofx::parse(&text),
        Format::BarclaysCsv => delimited::parse_barclays(&text),
        Format::Csv => match mapping {
            Some(mapping) => delimited::parse_mapped(&text, mapping),
            None => Err(ParseError::new(
                "mapping",
                "a generic CSV statement needs a column mapping (CsvMapping)",
            )),
        },
        Format::Camt053 => camt::parse(&text),
    }
}

/// Joins the non-empty, trimmed parts with single spaces.
pub(crate) fn join_text<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> String {
    parts
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
