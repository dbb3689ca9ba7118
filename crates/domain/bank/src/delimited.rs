//! CSV statements: Barclays' own export (`Number,Date,Account,Amount,Subcategory,Memo`) and
//! any other bank's export described by a [`CsvMapping`]. Both need a header row; blank rows
//! are skipped; errors name the 1-based line of the file.

use jiff::Timestamp;
use jiff::fmt::strtime;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::amount::parse_pence;
use crate::{Format, ParseError, Statement, StatementLine};

/// Which columns of a CSV export hold what, so that the export can be read as a statement.
///
/// Column names are matched against the header row ignoring case and surrounding
/// whitespace. Give either `amount` (a signed amount, credits positive) or `credit` and/or
/// `debit` (unsigned amounts in separate columns; a debit becomes negative, and a row may
/// fill either one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsvMapping {
    /// Header of the posting-date column.
    pub date: String,
    /// strftime-style format of the date column, e.g. `"%d/%m/%Y"` or `"%Y-%m-%d"`. It may
    /// include a time (`"%d/%m/%Y %H:%M"`) and an offset (`%z`); without one the time is UTC.
    pub date_format: String,
    /// Header of the signed amount column.
    pub amount: Option<String>,
    /// Header of the money-in column.
    pub credit: Option<String>,
    /// Header of the money-out column.
    pub debit: Option<String>,
    /// Headers of the columns whose text, joined with spaces, holds the payer and reference.
    pub reference: Vec<String>,
    /// Header of the bank's transaction id column, if the export has one.
    pub id: Option<String>,
    /// Field separator, a single ASCII character.
    #[serde(default = "default_delimiter")]
    pub delimiter: char,
    /// Amounts are written `12,50` rather than `12.50`.
    #[serde(default)]
    pub decimal_comma: bool,
}

fn default_delimiter() -> char {
    ','
}

/// How amounts are laid out, once the mapping has been checked.
enum Amounts {
    Signed(usize),
    Split {
        credit: Option<usize>,
        debit: Option<usize>,
    },
}

/// A mapping resolved against a header row: column indexes.
struct Columns<'m> {
    mapping: &'m CsvMapping,
    date: usize,
    amounts: Amounts,
    reference: Vec<usize>,
    id: Option<usize>,
    account: Option<usize>,
}

/// Parses a Barclays CSV export.
pub(crate) fn parse_barclays(text: &str) -> Result<Statement, ParseError> {
    let mapping = CsvMapping {
        date: "Date".into(),
        date_format: "%d/%m/%Y".into(),
        amount: Some("Amount".into()),
        credit: None,
        debit: None,
        reference: vec!["Memo".into()],
        id: Some("Number".into()),
        delimiter: ',',
        decimal_comma: false,
    };
    parse_with(text, &mapping, Format::BarclaysCsv, Some("Account"))
}

/// Parses a CSV export described by `mapping`.
pub(crate) fn parse_mapped(text: &str, mapping: &CsvMapping) -> Result<Statement, ParseError> {
    parse_with(text, mapping, Format::Csv, None)
}

fn parse_with(
    text: &str,
    mapping: &CsvMapping,
    format: Format,
    account_column: Option<&str>,
) -> Result<Statement, ParseError> {
    let delimiter = u8::try_from(mapping.delimiter)
        .ok()
        .filter(|d| d.is_ascii() && !matches!(d, b'"' | b'\r' | b'\n'))
        .ok_or_else(|| {
            ParseError::new(
                "mapping",
                format!(
                    "delimiter {:?} is not a single ASCII character",
                    mapping.delimiter
                ),
            )
        })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());

    let mut columns: Option<Columns<'_>> = None;
    let mut account: Option<String> = None;
    let mut lines = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let more = reader.read_record(&mut record).map_err(|e| {
            let line = line_of(text, e.position().map_or(0, csv::Position::byte));
            ParseError::at_line(line, format!("unreadable CSV: {e}"))
        })?;
        if !more {
            break;
        }
        // The csv crate's own line numbers do not count the blank lines it skips, and its
        // record offsets point before them.
        let start = record.position().map_or(0, csv::Position::byte);
        let skipped = text
            .as_bytes()
            .get(usize::try_from(start).unwrap_or(usize::MAX)..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        let line = line_of(
            text,
            start.saturating_add(u64::try_from(skipped).unwrap_or(0)),
        );
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let Some(cols) = &columns else {
            columns = Some(Columns::resolve(mapping, &record, line, account_column)?);
            continue;
        };
        let field = |i: usize| record.get(i).map(str::trim).unwrap_or("");
        if account.is_none() {
            account = cols
                .account
                .map(field)
                .filter(|a| !a.is_empty())
                .map(String::from);
        }
        lines.push(cols.line(&record, line)?);
    }
    if columns.is_none() {
        return Err(ParseError::at_line(1, "no header row: the file is empty"));
    }
    Ok(Statement {
        format,
        account,
        lines,
    })
}

impl<'m> Columns<'m> {
    fn resolve(
        mapping: &'m CsvMapping,
        header: &csv::StringRecord,
        line: u64,
        account_column: Option<&str>,
    ) -> Result<Self, ParseError> {
        let find = |name: &str| {
            header
                .iter()
                .position(|h| h.trim().to_lowercase() == name.trim().to_lowercase())
        };
        let require = |role: &str, name: &str| {
            find(name).ok_or_else(|| {
                ParseError::at_line(
                    line,
                    format!("column {name:?} ({role}) is not in the header row"),
                )
            })
        };
        let amounts = match (&mapping.amount, &mapping.credit, &mapping.debit) {
            (Some(amount), None, None) => Amounts::Signed(require("amount", amount)?),
            (None, credit, debit) if credit.is_some() || debit.is_some() => Amounts::Split {
                credit: credit
                    .as_deref()
                    .map(|c| require("credit", c))
                    .transpose()?,
                debit: debit.as_deref().map(|d| require("debit", d)).transpose()?,
            },
            _ => {
                return Err(ParseError::new(
                    "mapping",
                    "give either `amount` or `credit`/`debit` columns, not both or neither",
                ));
            }
        };
        Ok(Columns {
            mapping,
            date: require("date", &mapping.date)?,
            amounts,
            reference: mapping
                .reference
                .iter()
                .map(|r| require("reference", r))
                .collect::<Result<_, _>>()?,
            id: mapping
                .id
                .as_deref()
                .map(|i| require("id", i))
                .transpose()?,
            account: account_column.and_then(find),
        })
    }

    fn line(&self, record: &csv::StringRecord, line: u64) -> Result<StatementLine, ParseError> {
        let err = |message: String| ParseError::at_line(line, message);
        let header = |i: usize, fallback: &str| -> String { self.header_name(i, fallback) };
        let required = |i: usize, what: &str| {
            record.get(i).map(str::trim).ok_or_else(|| {
                err(format!(
                    "the row has {} fields, so no {:?} column",
                    record.len(),
                    header(i, what)
                ))
            })
        };
        let optional = |i: usize| record.get(i).map_or("", str::trim);

        let date_text = required(self.date, "date")?;
        let posted = parse_date(date_text, &self.mapping.date_format).map_err(|why| {
            err(format!(
                "{} {date_text:?} does not match the date format {:?} ({why})",
                self.mapping.date, self.mapping.date_format
            ))
        })?;

        let separators: &[char] = if self.mapping.decimal_comma {
            &[',']
        } else {
            &['.']
        };
        let amount = |i: usize, what: &str, text: &str| {
            parse_pence(strip_currency(text).as_str(), separators)
                .map_err(|why| err(format!("{} {text:?} {why}", header(i, what))))
        };
        let amount_p = match self.amounts {
            Amounts::Signed(i) => {
                let text = required(i, "amount")?;
                if text.is_empty() {
                    return Err(err(format!("{} is empty", header(i, "amount"))));
                }
                amount(i, "amount", text)?
            }
            Amounts::Split { credit, debit } => {
                let credit_text = credit.map_or("", optional);
                let debit_text = debit.map_or("", optional);
                let mut total: Option<i64> = None;
                if let Some(i) = credit.filter(|_| !credit_text.is_empty()) {
                    let value = amount(i, "credit", credit_text)?;
                    if value < 0 {
                        return Err(err(format!(
                            "{} {credit_text:?} is negative",
                            header(i, "credit")
                        )));
                    }
                    total = Some(value);
                }
                if let Some(i) = debit.filter(|_| !debit_text.is_empty()) {
                    // Some banks write debits as negative numbers even in a debit column.
                    let value = amount(i, "debit", debit_text)?.abs();
                    total = Some(total.unwrap_or(0) - value);
                }
                total
                    .ok_or_else(|| err("the row has neither a credit nor a debit amount".into()))?
            }
        };

        let text = self
            .reference
            .iter()
            .map(|&i| optional(i))
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let bank_id = self
            .id
            .map(optional)
            .filter(|id| !id.is_empty())
            .map(String::from);
        Ok(StatementLine {
            bank_id,
            posted,
            amount_p,
            text,
        })
    }

    /// The mapping's name for column `i`, for messages.
    fn header_name(&self, i: usize, fallback: &str) -> String {
        let m = self.mapping;
        let name = if i == self.date {
            Some(&m.date)
        } else {
            match self.amounts {
                Amounts::Signed(a) if a == i => m.amount.as_ref(),
                Amounts::Split {
                    credit: Some(c), ..
                } if c == i => m.credit.as_ref(),
                Amounts::Split { debit: Some(d), .. } if d == i => m.debit.as_ref(),
                _ => None,
            }
        };
        name.map_or_else(|| fallback.to_string(), Clone::clone)
    }
}

/// The 1-based line of byte `offset` in `text` (line breaks: `\n`, `\r\n`, lone `\r`).
fn line_of(text: &str, offset: u64) -> u64 {
    let offset = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(text.len());
    let before = text.as_bytes().get(..offset).unwrap_or_default();
    let breaks = before
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && text.as_bytes().get(i + 1) != Some(&b'\n')))
        .count();
    1 + u64::try_from(breaks).unwrap_or(u64::MAX - 1)
}

/// Drops one currency symbol after an optional sign: `£5.00`, `-£5.00`, `£-5.00`.
fn strip_currency(text: &str) -> String {
    let t = text.trim();
    let (sign, rest) = match t.strip_prefix(['-', '+']) {
        Some(r) => (t.get(..1).unwrap_or(""), r),
        None => ("", t),
    };
    match rest.strip_prefix(['£', '€', '$']) {
        Some(r) => format!("{sign}{}", r.trim_start()),
        None => t.to_string(),
    }
}

/// Parses a date (or date and time) with a strftime format; UTC unless it carries an offset.
fn parse_date(text: &str, format: &str) -> Result<Timestamp, String> {
    let parsed = strtime::parse(format, text).map_err(|e| e.to_string())?;
    if parsed.offset().is_some() {
        return parsed.to_timestamp().map_err(|e| e.to_string());
    }
    parsed
        .to_datetime()
        .and_then(|dt| dt.to_zoned(TimeZone::UTC))
        .map(|z| z.timestamp())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_symbols() {
        assert_eq!(strip_currency("£5.00"), "5.00");
        assert_eq!(strip_currency("-£5.00"), "-5.00");
        assert_eq!(strip_currency(" £-5.00 "), "-5.00");
        assert_eq!(strip_currency("5.00"), "5.00");
        assert_eq!(strip_currency("£"), "");
    }

    #[test]
    fn dates() {
        let ts = |s: &str| s.parse::<Timestamp>().unwrap();
        assert_eq!(
            parse_date("01/03/2024", "%d/%m/%Y"),
            Ok(ts("2024-03-01T00:00:00Z"))
        );
        assert_eq!(
            parse_date("2024-03-01", "%Y-%m-%d"),
            Ok(ts("2024-03-01T00:00:00Z"))
        );
        assert_eq!(
            parse_date("01/03/2024 14:05", "%d/%m/%Y %H:%M"),
            Ok(ts("2024-03-01T14:05:00Z"))
        );
        assert_eq!(
            parse_date("2024-07-01 00:30 +0100", "%Y-%m-%d %H:%M %z"),
            Ok(ts("2024-06-30T23:30:00Z"))
        );
        assert!(parse_date("31/02/2024", "%d/%m/%Y").is_err());
        assert!(parse_date("2024-03-01", "%d/%m/%Y").is_err());
        assert!(parse_date("", "%d/%m/%Y").is_err());
    }
}
