//! OFX 1.x (SGML) and 2.x (XML) samples, and malformed OFX.

use jiff::Timestamp;
use offimic_bank::{Format, ParseError, Statement, StatementLine, member_reference, parse};

const OFX1: &[u8] = include_bytes!("data/barclays-ofx1.ofx");
const OFX2: &str = include_str!("data/ofx2.ofx");

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn line(bank_id: &str, posted: &str, amount_p: i64, text: &str) -> StatementLine {
    StatementLine {
        bank_id: Some(bank_id.to_string()),
        posted: ts(posted),
        amount_p,
        text: text.to_string(),
    }
}

fn ofx_err(text: &str) -> ParseError {
    parse(text.as_bytes(), Format::Ofx, None).unwrap_err()
}

/// The Barclays OFX 1.x sample as text (it is Windows-1252, not UTF-8).
fn ofx1_text() -> String {
    OFX1.iter().map(|&b| char::from(b)).collect()
}

#[test]
fn barclays_ofx1_sample() {
    assert!(
        OFX1.contains(&0xCB),
        "the sample must be Windows-1252 (Ë is 0xCB)"
    );
    let statement = parse(OFX1, Format::Ofx, None).unwrap();
    assert_eq!(
        statement,
        Statement {
            format: Format::Ofx,
            account: Some("20123443218765".into()),
            lines: vec![
                line(
                    "24061A0001",
                    "2024-03-01T00:00:00Z",
                    3000,
                    "J SMITH SM0042 BGC"
                ),
                line(
                    "24062A0002",
                    "2024-03-02T00:00:00Z",
                    2500,
                    "ZOË BRONTË SMO117 SUBS"
                ),
                line(
                    "24064A0003",
                    "2024-03-04T12:00:00Z",
                    -4299,
                    "TOOLS & TIMBER LTD CARD PAYMENT 03MAR"
                ),
                line(
                    "24075A0004",
                    "2024-03-15T00:00:00Z",
                    2050,
                    "SMITHSON R SN 0O99"
                ),
                line("24096A0005", "2024-04-05T00:00:00Z", 1250, "A N OTHER"),
            ],
        }
    );
    let refs: Vec<_> = statement
        .lines
        .iter()
        .map(|l| member_reference(&l.text, "SM"))
        .collect();
    assert_eq!(refs, [Some(42), Some(117), None, Some(99), None]);
}

#[test]
fn ofx2_xml_sample() {
    let statement = parse(OFX2.as_bytes(), Format::Ofx, None).unwrap();
    assert_eq!(
        statement,
        Statement {
            format: Format::Ofx,
            account: Some("55501234".into()),
            lines: vec![
                line(
                    "202405010001",
                    "2024-05-01T13:30:00Z",
                    3000,
                    "Zoë Brontë Membership sm 0O117"
                ),
                line(
                    "202405020002",
                    "2024-05-02T22:00:00Z",
                    -12000,
                    "Laser <Tubes> & Co"
                ),
                line("202405310003", "2024-05-31T00:00:00Z", 1, "INTEREST"),
            ],
        }
    );
    assert_eq!(member_reference(&statement.lines[0].text, "SM"), Some(117));
}

#[test]
fn sgml_on_one_line_and_lf_endings() {
    let text = "OFXHEADER:100\nDATA:OFXSGML\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS>\
        <CCACCTFROM><ACCTID>4111</CCACCTFROM><BANKTRANLIST>\
        <STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20240101120000.5[+2:EET]<TRNAMT>1,5<FITID>A\
        <NAME>X</STMTTRN></BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>";
    let statement = parse(text.as_bytes(), Format::Ofx, None).unwrap();
    assert_eq!(statement.account.as_deref(), Some("4111"));
    assert_eq!(
        statement.lines,
        [line("A", "2024-01-01T10:00:00.5Z", 150, "X")]
    );
}

#[test]
fn no_transactions_is_an_empty_statement() {
    let statement = parse(b"OFXHEADER:100\n\n<OFX>\n</OFX>\n", Format::Ofx, None).unwrap();
    assert_eq!(statement.lines, []);
    assert_eq!(statement.account, None);
}

#[test]
fn missing_or_empty_fitid_gives_no_bank_id() {
    let text = "<OFX><STMTTRN><DTPOSTED>20240101<TRNAMT>1<MEMO>m</STMTTRN>\
        <STMTTRN><DTPOSTED>20240101<TRNAMT>2<FITID></FITID></STMTTRN></OFX>";
    let statement = parse(text.as_bytes(), Format::Ofx, None).unwrap();
    assert_eq!(statement.lines[0].bank_id, None);
    assert_eq!(statement.lines[0].text, "m");
    assert_eq!(statement.lines[1].bank_id, None);
    assert_eq!(statement.lines[1].text, "");
}

#[test]
fn bad_amount_names_its_line() {
    let text = ofx1_text().replace("<TRNAMT>25\r\n", "<TRNAMT>12.3.4\r\n");
    let err = ofx_err(&text);
    assert_eq!(err.location, "line 50");
    assert_eq!(
        err.to_string(),
        "line 50: TRNAMT \"12.3.4\" is not an amount"
    );

    let text = ofx1_text().replace("<TRNAMT>25\r\n", "<TRNAMT>25.001\r\n");
    assert_eq!(
        ofx_err(&text).to_string(),
        "line 50: TRNAMT \"25.001\" has more than 2 decimal places"
    );
}

#[test]
fn bad_date_names_its_line() {
    let text = ofx1_text().replace("<DTPOSTED>20240315", "<DTPOSTED>2024-03-15");
    let err = ofx_err(&text);
    assert_eq!(err.location, "line 65");
    assert!(err.message.starts_with("DTPOSTED \"2024-03-15\""), "{err}");

    let text = OFX2.replace("20240502230000[+1:BST]", "20240502230000[+1:BST");
    let err = ofx_err(&text);
    assert_eq!(err.location, "line 36", "{err}");
}

#[test]
fn missing_fields_name_the_stmttrn_line() {
    let text = ofx1_text().replace("<DTPOSTED>20240304120000[0:GMT]\r\n", "");
    let err = ofx_err(&text);
    assert_eq!(err.to_string(), "line 55: STMTTRN has no DTPOSTED");

    let text = OFX2.replace("<TRNAMT>-120.00</TRNAMT>", "");
    let err = ofx_err(&text);
    assert_eq!(err.to_string(), "line 34: STMTTRN has no TRNAMT");
}

#[test]
fn structural_errors() {
    // The fourth STMTTRN never closed: the fifth opens inside it.
    let text = ofx1_text().replacen(
        "</STMTTRN>\r\n<STMTTRN>\r\n<TRNTYPE>CREDIT\r\n<DTPOSTED>20240405",
        "<STMTTRN>\r\n<TRNTYPE>CREDIT\r\n<DTPOSTED>20240405",
        1,
    );
    let err = ofx_err(&text);
    assert_eq!(err.location, "line 70", "{err}");
    assert!(err.message.contains("line 63"), "{err}");

    // Truncated inside a transaction.
    let text: String = ofx1_text().lines().take(60).collect::<Vec<_>>().join("\n");
    let err = ofx_err(&text);
    assert_eq!(err.location, "line 55", "{err}");
    assert!(err.message.contains("not closed"), "{err}");

    // A tag without '>'.
    let text = ofx1_text().replace("<FITID>24064A0003", "<FITID 24064A0003");
    let err = ofx_err(&text);
    assert_eq!(err.location, "line 59", "{err}");

    assert_eq!(
        ofx_err("<OFX><BANKTRANLIST></STMTTRN></OFX>").to_string(),
        "line 1: </STMTTRN> without a matching <STMTTRN>"
    );
    assert_eq!(ofx_err("OFXHEADER:100\n\nhello").location, "line 1");
    assert_eq!(ofx_err("").location, "line 1");
    assert_eq!(ofx_err("<OFX>\n<!-- never ends").location, "line 2");

    // Cut after a complete transaction: still an error, as money would go missing.
    let text: String = ofx1_text().lines().take(54).collect::<Vec<_>>().join("\n");
    assert_eq!(
        ofx_err(&text).to_string(),
        "line 54: the file ends before </OFX> (is it truncated?)"
    );
}
