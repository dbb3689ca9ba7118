//! ISO 20022 camt.053 (`BankToCustomerStatement`, any `camt.053.001.XX` version): every
//! `Stmt/Ntry` becomes a [`StatementLine`]; the account is the first `Stmt/Acct/Id/IBAN` (or
//! `Othr/Id`). Namespaces are ignored (elements are matched by local name). Entries are
//! numbered from 1 through the whole document, and errors name the element path within
//! the entry (`element Ntry[2]/CdtDbtInd`) or, for malformed XML, the line and the path of
//! open elements.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::amount::parse_pence;
use crate::{Format, ParseError, Statement, StatementLine, join_text};

/// Parses a camt.053 document (already decoded to text).
pub(crate) fn parse(text: &str) -> Result<Statement, ParseError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().expand_empty_elements = true;

    // Open elements: local names, and how to show them in paths (`Ntry[3]`).
    let mut stack: Vec<String> = Vec::new();
    let mut shown: Vec<String> = Vec::new();
    let mut text_buf = String::new();
    let mut seen_statement = false;
    let mut entries = 0usize;
    let mut entry: Option<Entry> = None;
    let mut account: Option<String> = None;
    let mut lines = Vec::new();

    let xml_error = |pos: u64, shown: &[String], message: String| {
        let pos = usize::try_from(pos).unwrap_or(usize::MAX).min(text.len());
        let line = 1 + text
            .as_bytes()
            .get(..pos)
            .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count());
        let location = if shown.is_empty() {
            format!("line {line}")
        } else {
            format!("line {line}, element {}", shown.join("/"))
        };
        ParseError::new(location, message)
    };

    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => {
                return Err(xml_error(
                    reader.error_position(),
                    &shown,
                    format!("malformed XML: {e}"),
                ));
            }
        };
        match event {
            Event::Start(start) => {
                let local = start.local_name();
                let name: String = AsRef::<str>::as_ref(&local).to_string();
                text_buf.clear();
                let parent = stack.last().map(String::as_str);
                let grandparent = stack.len().checked_sub(2).and_then(|i| stack.get(i));
                if name == "BkToCstmrStmt" {
                    seen_statement = true;
                }
                let is_entry = name == "Ntry"
                    && entry.is_none()
                    && parent == Some("Stmt")
                    && grandparent.is_some_and(|g| g == "BkToCstmrStmt");
                stack.push(name.clone());
                if is_entry {
                    entries += 1;
                    shown.push(format!("Ntry[{entries}]"));
                    entry = Some(Entry::new(entries, stack.len()));
                } else {
                    shown.push(name);
                }
            }
            Event::End(_) => {
                let value = std::mem::take(&mut text_buf);
                let value = value.trim();
                if let Some(open) = entry.as_mut() {
                    if stack.len() > open.depth {
                        let rel: Vec<&str> = stack
                            .get(open.depth..)
                            .unwrap_or_default()
                            .iter()
                            .map(String::as_str)
                            .collect();
                        open.field(&rel, value);
                    } else if stack.len() == open.depth
                        && let Some(done) = entry.take()
                    {
                        lines.push(done.finish()?);
                    }
                } else if account.is_none() && !value.is_empty() {
                    let n = stack.len();
                    let tail = |k: usize| stack.get(n.saturating_sub(k)..).unwrap_or_default();
                    if tail(4) == ["Stmt", "Acct", "Id", "IBAN"]
                        || tail(5) == ["Stmt", "Acct", "Id", "Othr", "Id"]
                    {
                        account = Some(value.to_string());
                    }
                }
                stack.pop();
                shown.pop();
            }
            Event::Text(t) => text_buf.push_str(&t.xml10_content()),
            Event::CData(c) => text_buf.push_str(&c.xml10_content()),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    Ok(None) => resolve_predefined_entity(&r).map(String::from),
                    Err(e) => {
                        return Err(xml_error(
                            reader.buffer_position(),
                            &shown,
                            format!("bad character reference: {e}"),
                        ));
                    }
                };
                match resolved {
                    Some(s) => text_buf.push_str(&s),
                    None => {
                        return Err(xml_error(
                            reader.buffer_position(),
                            &shown,
                            format!("unknown entity &{};", &*r),
                        ));
                    }
                }
            }
            Event::Eof => break,
            Event::Empty(_)
            | Event::Comment(_)
            | Event::Decl(_)
            | Event::PI(_)
            | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(xml_error(
            reader.buffer_position(),
            &shown,
            format!("the document ends inside <{open}>"),
        ));
    }
    if !seen_statement {
        return Err(ParseError::new(
            "element Document",
            "not a camt.053 statement (no BkToCstmrStmt element)",
        ));
    }
    Ok(Statement {
        format: Format::Camt053,
        account,
        lines,
    })
}

/// Which date element an entry's date came from.
struct DateField {
    /// Path for messages, e.g. `BookgDt/Dt`.
    path: &'static str,
    value: String,
}

/// An `Ntry` being read.
#[derive(Default)]
struct Entry {
    index: usize,
    /// Depth of the `Ntry` element in the stack.
    depth: usize,
    amount: Option<String>,
    credit_debit: Option<String>,
    booking: Option<DateField>,
    value_date: Option<DateField>,
    acct_svcr_ref: Option<String>,
    ntry_ref: Option<String>,
    tx_acct_svcr_ref: Option<String>,
    end_to_end: Option<String>,
    debtors: Vec<String>,
    creditors: Vec<String>,
    remittance: Vec<String>,
    additional: Vec<String>,
}

impl Entry {
    fn new(index: usize, depth: usize) -> Self {
        Entry {
            index,
            depth,
            ..Entry::default()
        }
    }

    /// Records a leaf's text, given its path below `Ntry`.
    fn field(&mut self, rel: &[&str], value: &str) {
        let first = |slot: &mut Option<String>| {
            if slot.is_none() && !value.is_empty() {
                *slot = Some(value.to_string());
            }
        };
        let date = |slot: &mut Option<DateField>, path: &'static str| {
            if slot.is_none() {
                *slot = Some(DateField {
                    path,
                    value: value.to_string(),
                });
            }
        };
        match rel {
            ["Amt"] => first(&mut self.amount),
            ["CdtDbtInd"] => first(&mut self.credit_debit),
            ["BookgDt", "Dt"] => date(&mut self.booking, "BookgDt/Dt"),
            ["BookgDt", "DtTm"] => date(&mut self.booking, "BookgDt/DtTm"),
            ["ValDt", "Dt"] => date(&mut self.value_date, "ValDt/Dt"),
            ["ValDt", "DtTm"] => date(&mut self.value_date, "ValDt/DtTm"),
            ["AcctSvcrRef"] => first(&mut self.acct_svcr_ref),
            ["NtryRef"] => first(&mut self.ntry_ref),
            ["AddtlNtryInf"] => self.additional.push(value.to_string()),
            ["NtryDtls", .., "TxDtls", "Refs", "AcctSvcrRef"] => first(&mut self.tx_acct_svcr_ref),
            ["NtryDtls", .., "TxDtls", "Refs", "EndToEndId"]
                if !value.eq_ignore_ascii_case("NOTPROVIDED") =>
            {
                first(&mut self.end_to_end);
            }
            ["NtryDtls", .., "TxDtls", "RltdPties", "Dbtr", "Nm"]
            | ["NtryDtls", .., "TxDtls", "RltdPties", "Dbtr", "Pty", "Nm"] => {
                self.debtors.push(value.to_string());
            }
            ["NtryDtls", .., "TxDtls", "RltdPties", "Cdtr", "Nm"]
            | ["NtryDtls", .., "TxDtls", "RltdPties", "Cdtr", "Pty", "Nm"] => {
                self.creditors.push(value.to_string());
            }
            ["NtryDtls", .., "TxDtls", "RmtInf", "Ustrd"] => {
                self.remittance.push(value.to_string())
            }
            _ => {}
        }
    }

    fn finish(self) -> Result<StatementLine, ParseError> {
        let n = self.index;
        let err = |path: &str, message: String| {
            ParseError::new(format!("element Ntry[{n}]/{path}"), message)
        };
        let missing = |path: &str| err(path, "required element is missing".into());

        let amount_text = self.amount.ok_or_else(|| missing("Amt"))?;
        let magnitude = parse_pence(&amount_text, &['.'])
            .map_err(|why| err("Amt", format!("{amount_text:?} {why}")))?;
        if magnitude < 0 {
            return Err(err(
                "Amt",
                format!("{amount_text:?} is negative; the sign belongs in CdtDbtInd"),
            ));
        }
        let indicator = self.credit_debit.ok_or_else(|| missing("CdtDbtInd"))?;
        let amount_p = match indicator.as_str() {
            "CRDT" => magnitude,
            "DBIT" => -magnitude,
            other => {
                return Err(err(
                    "CdtDbtInd",
                    format!("{other:?} is neither CRDT nor DBIT"),
                ));
            }
        };

        let date = self
            .booking
            .or(self.value_date)
            .ok_or_else(|| err("BookgDt", "the entry has neither BookgDt nor ValDt".into()))?;
        let posted = parse_iso_datetime(&date.value)
            .map_err(|why| err(date.path, format!("{:?} {why}", date.value)))?;

        let bank_id = self
            .acct_svcr_ref
            .or(self.ntry_ref)
            .or(self.tx_acct_svcr_ref)
            .or(self.end_to_end);

        // The counterparty: who paid us for a credit, whom we paid for a debit.
        let names = if indicator == "DBIT" {
            self.creditors
        } else {
            self.debtors
        };
        let text = join_text(
            names
                .iter()
                .chain(&self.remittance)
                .chain(&self.additional)
                .map(|s| Some(s.as_str())),
        );
        Ok(StatementLine {
            bank_id,
            posted,
            amount_p,
            text,
        })
    }
}

/// An ISO date (`2024-03-01`, optionally with an offset, which is ignored as the day is what
/// is meant) → midnight UTC, or an ISO date-time with or without offset (`Z`, `+01:00`);
/// without one it is taken as UTC.
fn parse_iso_datetime(s: &str) -> Result<Timestamp, String> {
    if !s.contains('T') {
        let day = s.get(..10).ok_or("is not a date")?;
        let rest = s.get(10..).unwrap_or("");
        if !(rest.is_empty() || rest == "Z" || rest.starts_with(['+', '-'])) {
            return Err("is not a date".into());
        }
        let date: Date = day.parse().map_err(|e| format!("is not a date ({e})"))?;
        return date
            .to_zoned(TimeZone::UTC)
            .map(|z| z.timestamp())
            .map_err(|e| format!("is out of range ({e})"));
    }
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Ok(ts);
    }
    let dt: DateTime = s.parse().map_err(|e| format!("is not a date-time ({e})"))?;
    dt.to_zoned(TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|e| format!("is out of range ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        let ts = |s: &str| s.parse::<Timestamp>().unwrap();
        assert_eq!(
            parse_iso_datetime("2024-03-01"),
            Ok(ts("2024-03-01T00:00:00Z"))
        );
        assert_eq!(
            parse_iso_datetime("2024-03-01+01:00"),
            Ok(ts("2024-03-01T00:00:00Z"))
        );
        assert_eq!(
            parse_iso_datetime("2024-03-01Z"),
            Ok(ts("2024-03-01T00:00:00Z"))
        );
        assert_eq!(
            parse_iso_datetime("2024-03-01T10:15:00"),
            Ok(ts("2024-03-01T10:15:00Z"))
        );
        assert_eq!(
            parse_iso_datetime("2024-03-01T10:15:00.123+01:00"),
            Ok(ts("2024-03-01T09:15:00.123Z"))
        );
        assert_eq!(
            parse_iso_datetime("2024-03-01T10:15:00Z"),
            Ok(ts("2024-03-01T10:15:00Z"))
        );
        for bad in [
            "",
            "2024-3-1",
            "01/03/2024",
            "2024-02-30",
            "2024-03-01X",
            "2024-03-01T25:00",
            "é",
        ] {
            assert!(parse_iso_datetime(bad).is_err(), "{bad:?}");
        }
    }
}
