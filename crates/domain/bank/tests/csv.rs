//! Barclays CSV and mapped CSV samples, and malformed CSV.

use jiff::Timestamp;
use offimic_bank::{
    CsvMapping, Format, ParseError, Statement, StatementLine, member_reference, parse,
};

const BARCLAYS: &[u8] = include_bytes!("data/barclays.csv");
const GENERIC: &str = include_str!("data/generic-semicolon.csv");

/// The mapping for `generic-semicolon.csv`, as it would sit in a JSON config file.
const GENERIC_MAPPING: &str = r#"{
    "date": "Buchungstag",
    "date_format": "%d.%m.%Y",
    "amount": null,
    "credit": "Haben",
    "debit": "Soll",
    "reference": ["Auftraggeber/Empfänger", "Verwendungszweck"],
    "id": "Referenz",
    "delimiter": ";",
    "decimal_comma": true
}"#;

fn line(bank_id: Option<&str>, posted: &str, amount_p: i64, text: &str) -> StatementLine {
    StatementLine {
        bank_id: bank_id.map(String::from),
        posted: posted.parse::<Timestamp>().unwrap(),
        amount_p,
        text: text.to_string(),
    }
}

fn generic_mapping() -> CsvMapping {
    serde_json::from_str(GENERIC_MAPPING).unwrap()
}

fn signed_mapping() -> CsvMapping {
    serde_json::from_str(
        r#"{"date": "Date", "date_format": "%Y-%m-%d", "amount": "Amount",
            "credit": null, "debit": null, "reference": ["Description"], "id": null}"#,
    )
    .unwrap()
}

fn barclays_err(text: &str) -> ParseError {
    parse(text.as_bytes(), Format::BarclaysCsv, None).unwrap_err()
}

fn mapped_err(text: &str, mapping: &CsvMapping) -> ParseError {
    parse(text.as_bytes(), Format::Csv, Some(mapping)).unwrap_err()
}

#[test]
fn barclays_sample() {
    assert!(
        BARCLAYS.starts_with(b"\xEF\xBB\xBF"),
        "the sample has a BOM"
    );
    let statement = parse(BARCLAYS, Format::BarclaysCsv, None).unwrap();
    assert_eq!(
        statement,
        Statement {
            format: Format::BarclaysCsv,
            account: Some("20-12-34 43218765".into()),
            lines: vec![
                line(
                    None,
                    "2024-03-01T00:00:00Z",
                    3000,
                    "J SMITH SM0042          BGC"
                ),
                line(
                    None,
                    "2024-03-02T00:00:00Z",
                    2500,
                    "SMITH, ZOE SMO117         BGC"
                ),
                line(
                    None,
                    "2024-03-04T00:00:00Z",
                    -4299,
                    "TOOLS AND TIMBER LTD  ON 03 MAR          BCC"
                ),
                line(
                    Some("001234"),
                    "2024-03-05T00:00:00Z",
                    -850,
                    "CHEQUE 001234"
                ),
                line(
                    None,
                    "2024-03-06T00:00:00Z",
                    2000,
                    "R SMITHSON SN 0O99       FT"
                ),
            ],
        }
    );
    let refs: Vec<_> = statement
        .lines
        .iter()
        .map(|l| member_reference(&l.text, "SM"))
        .collect();
    assert_eq!(refs, [Some(42), Some(117), None, None, Some(99)]);
}

#[test]
fn barclays_header_is_case_and_space_tolerant() {
    let text = " number , DATE,Account, amount ,SubCategory,MEMO\n,29/02/2024,acc,1.00,x,memo\n";
    let statement = parse(text.as_bytes(), Format::BarclaysCsv, None).unwrap();
    assert_eq!(
        statement.lines,
        [line(None, "2024-02-29T00:00:00Z", 100, "memo")]
    );
}

#[test]
fn barclays_errors_name_the_line() {
    let header = "Number,Date,Account,Amount,Subcategory,Memo\n";
    let ok = ",01/03/2024,A,1.00,x,m\n";

    let err = barclays_err(&format!("{header}{ok}\n,31/02/2024,A,1.00,x,m\n"));
    assert_eq!(err.location, "line 4", "{err}");
    assert!(err.message.contains("\"31/02/2024\""), "{err}");

    let err = barclays_err(&format!("{header}{ok},02/03/2024,A,1.0.0,x,m\n"));
    assert_eq!(err.to_string(), "line 3: Amount \"1.0.0\" is not an amount");

    let err = barclays_err(&format!("{header}{ok},02/03/2024,A,,x,m\n"));
    assert_eq!(err.to_string(), "line 3: Amount is empty");

    let err = barclays_err(&format!("{header}{ok},02/03/2024\n"));
    assert_eq!(err.location, "line 3", "{err}");
    assert!(err.message.contains("Amount"), "{err}");

    let err = barclays_err("Number,Date,Account,Value,Subcategory,Memo\n,01/03/2024,A,1,x,m\n");
    assert_eq!(err.location, "line 1");
    assert!(err.message.contains("\"Amount\""), "{err}");

    // A quoted field left open swallows the rest of the file; the row is then short.
    let err = barclays_err(&format!("{header}{ok},\"02/03/2024,A,1.00,x,m\n"));
    assert_eq!(err.location, "line 3", "{err}");

    assert_eq!(barclays_err("").location, "line 1");
    assert_eq!(barclays_err("\n\n,,,\n").location, "line 1");
}

#[test]
fn barclays_header_only_is_an_empty_statement() {
    let statement = parse(
        b"Number,Date,Account,Amount,Subcategory,Memo\r\n\r\n",
        Format::BarclaysCsv,
        None,
    )
    .unwrap();
    assert_eq!(statement.lines, []);
    assert_eq!(statement.account, None);
}

#[test]
fn generic_sample_with_decimal_comma_and_credit_debit_columns() {
    let mapping = generic_mapping();
    assert_eq!(mapping.delimiter, ';');
    assert!(mapping.decimal_comma);
    let statement = parse(GENERIC.as_bytes(), Format::Csv, Some(&mapping)).unwrap();
    assert_eq!(
        statement,
        Statement {
            format: Format::Csv,
            account: None,
            lines: vec![
                line(
                    Some("REF-0001"),
                    "2024-03-01T00:00:00Z",
                    3000,
                    "Jan Schmidt SM0042 Beitrag März"
                ),
                line(
                    Some("REF-0002"),
                    "2024-03-02T00:00:00Z",
                    2550,
                    "Müller; Anna Mitglied SN 117"
                ),
                line(
                    Some("REF-0003"),
                    "2024-03-04T00:00:00Z",
                    -4299,
                    "Werkzeug GmbH Rechnung 881"
                ),
                line(None, "2024-03-05T00:00:00Z", -300, "Kontoführung"),
            ],
        }
    );
    assert_eq!(member_reference(&statement.lines[1].text, "SM"), Some(117));
}

#[test]
fn generic_signed_amounts_and_defaults() {
    let mapping = signed_mapping();
    assert_eq!(mapping.delimiter, ',');
    assert!(!mapping.decimal_comma);
    let text = "\u{FEFF}Date,Description,Amount\r\n\
        2024-03-01,\"SMITH J, SM0042\",£30.00\r\n\
        2024-03-02,Card purchase,-£4.5\r\n\
        2024-03-03,Refund,+1\r\n";
    let statement = parse(text.as_bytes(), Format::Csv, Some(&mapping)).unwrap();
    assert_eq!(
        statement.lines,
        [
            line(None, "2024-03-01T00:00:00Z", 3000, "SMITH J, SM0042"),
            line(None, "2024-03-02T00:00:00Z", -450, "Card purchase"),
            line(None, "2024-03-03T00:00:00Z", 100, "Refund"),
        ]
    );
}

#[test]
fn generic_latin1_input() {
    let mapping = signed_mapping();
    let bytes = b"Date,Description,Amount\n2024-03-01,Zo\xEB SM7,5\n";
    let statement = parse(bytes, Format::Csv, Some(&mapping)).unwrap();
    assert_eq!(statement.lines[0].text, "Zoë SM7");
}

#[test]
fn generic_errors() {
    let mapping = generic_mapping();
    let header = GENERIC.lines().next().unwrap();

    let err = mapped_err(
        &format!("{header}\n01.03.2024;x;n;r;;1,00;id\n2024-03-02;x;n;r;;1,00;id\n"),
        &mapping,
    );
    assert_eq!(err.location, "line 3", "{err}");
    assert!(
        err.message.starts_with("Buchungstag \"2024-03-02\""),
        "{err}"
    );

    let err = mapped_err(&format!("{header}\n01.03.2024;x;n;r;;1.00;id\n"), &mapping);
    assert_eq!(err.to_string(), "line 2: Haben \"1.00\" is not an amount");

    let err = mapped_err(&format!("{header}\n01.03.2024;x;n;r;;-1,00;id\n"), &mapping);
    assert_eq!(err.to_string(), "line 2: Haben \"-1,00\" is negative");

    let err = mapped_err(&format!("{header}\n01.03.2024;x;n;r;;;id\n"), &mapping);
    assert_eq!(err.location, "line 2");
    assert!(
        err.message.contains("neither a credit nor a debit"),
        "{err}"
    );

    let err = mapped_err("Buchungstag;Valuta;Soll;Haben;Referenz\n", &mapping);
    assert_eq!(err.location, "line 1");
    assert!(err.message.contains("\"Auftraggeber/Empfänger\""), "{err}");

    // A debit column holding a negative number is still a debit.
    let ok = parse(
        format!("{header}\n01.03.2024;x;n;r;-2,00;;id\n").as_bytes(),
        Format::Csv,
        Some(&mapping),
    )
    .unwrap();
    assert_eq!(ok.lines[0].amount_p, -200);
}

#[test]
fn mapping_mistakes() {
    let text = "Date,Description,Amount\n2024-03-01,x,1\n";
    let err = parse(text.as_bytes(), Format::Csv, None).unwrap_err();
    assert_eq!(err.location, "mapping");
    assert!(err.message.contains("mapping"), "{err}");

    let mut both = signed_mapping();
    both.credit = Some("Amount".into());
    assert_eq!(mapped_err(text, &both).location, "mapping");

    let mut neither = signed_mapping();
    neither.amount = None;
    assert_eq!(mapped_err(text, &neither).location, "mapping");

    let mut wide = signed_mapping();
    wide.delimiter = '¦';
    assert_eq!(mapped_err(text, &wide).location, "mapping");

    let unknown = r#"{"date": "D", "date_format": "%Y", "amount": "A", "credit": null,
        "debit": null, "reference": [], "id": null, "colour": "blue"}"#;
    assert!(serde_json::from_str::<CsvMapping>(unknown).is_err());
}
