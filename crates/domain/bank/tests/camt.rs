//! camt.053 samples and malformed camt.053.

use jiff::Timestamp;
use offimic_bank::{Format, ParseError, Statement, StatementLine, member_reference, parse};

const CAMT: &str = include_str!("data/camt053.xml");

fn line(bank_id: Option<&str>, posted: &str, amount_p: i64, text: &str) -> StatementLine {
    StatementLine {
        bank_id: bank_id.map(String::from),
        posted: posted.parse::<Timestamp>().unwrap(),
        amount_p,
        text: text.to_string(),
    }
}

fn camt_err(text: &str) -> ParseError {
    parse(text.as_bytes(), Format::Camt053, None).unwrap_err()
}

/// A minimal camt.053.001.02 document around `entries`.
fn v02(entries: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
<BkToCstmrStmt><GrpHdr><MsgId>1</MsgId></GrpHdr>
<Stmt><Acct><Id><Othr><Id>43218765</Id></Othr></Id></Acct>
{entries}
</Stmt></BkToCstmrStmt></Document>
"#
    )
}

#[test]
fn camt053_sample() {
    let statement = parse(CAMT.as_bytes(), Format::Camt053, None).unwrap();
    assert_eq!(
        statement,
        Statement {
            format: Format::Camt053,
            account: Some("GB33BUKB20201555555555".into()),
            lines: vec![
                line(
                    Some("ASR-20240301-0001"),
                    "2024-03-01T00:00:00Z",
                    3000,
                    "J SMITH SM0042 BANK GIRO CREDIT"
                ),
                line(
                    Some("TX-0077"),
                    "2024-03-02T08:30:00Z",
                    2550,
                    "Brontë & Daughters Membership fees SMO117"
                ),
                line(
                    Some("INV-881"),
                    "2024-03-04T00:00:00Z",
                    -4299,
                    "TOOLS & TIMBER LTD Invoice 881"
                ),
                line(None, "2024-03-31T00:00:00Z", -120, "ACCOUNT FEE"),
            ],
        }
    );
    let refs: Vec<_> = statement
        .lines
        .iter()
        .map(|l| member_reference(&l.text, "SM"))
        .collect();
    assert_eq!(refs, [Some(42), Some(117), None, None]);
}

#[test]
fn older_version_with_prefixes_and_plain_dbtr_name() {
    let text = v02(
        r#"<Ntry><NtryRef>NR-9</NtryRef><Amt Ccy="GBP">5</Amt><CdtDbtInd>CRDT</CdtDbtInd>
        <BookgDt><DtTm>2024-06-01T10:00:00</DtTm></BookgDt>
        <NtryDtls><Btch><NbOfTxs>1</NbOfTxs></Btch><TxDtls>
        <RltdPties><Dbtr><Nm>A N OTHER</Nm></Dbtr></RltdPties>
        <RmtInf><Ustrd><![CDATA[sn 0042 <thanks>]]></Ustrd><Ustrd/></RmtInf></TxDtls></NtryDtls></Ntry>"#,
    );
    let statement = parse(text.as_bytes(), Format::Camt053, None).unwrap();
    assert_eq!(statement.account.as_deref(), Some("43218765"));
    assert_eq!(
        statement.lines,
        [line(
            Some("NR-9"),
            "2024-06-01T10:00:00Z",
            500,
            "A N OTHER sn 0042 <thanks>"
        )]
    );

    let prefixed = r#"<?xml version="1.0"?>
<c:Document xmlns:c="urn:iso:std:iso:20022:tech:xsd:camt.053.001.13"><c:BkToCstmrStmt><c:Stmt>
<c:Ntry><c:Amt>1.50</c:Amt><c:CdtDbtInd>DBIT</c:CdtDbtInd><c:ValDt><c:DtTm>2024-06-01T10:00:00+02:00</c:DtTm></c:ValDt>
<c:AddtlNtryInf>&#83;&#x4D;7</c:AddtlNtryInf></c:Ntry>
</c:Stmt></c:BkToCstmrStmt></c:Document>"#;
    let statement = parse(prefixed.as_bytes(), Format::Camt053, None).unwrap();
    assert_eq!(
        statement.lines,
        [line(None, "2024-06-01T08:00:00Z", -150, "SM7")]
    );
}

#[test]
fn missing_elements_name_the_entry() {
    let text = CAMT.replacen(
        "<CdtDbtInd>CRDT</CdtDbtInd>\n        <Sts><Cd>BOOK</Cd></Sts>\n        <BookgDt><DtTm>",
        "<Sts><Cd>BOOK</Cd></Sts>\n        <BookgDt><DtTm>",
        1,
    );
    let err = camt_err(&text);
    assert_eq!(
        err.to_string(),
        "element Ntry[2]/CdtDbtInd: required element is missing"
    );

    let text = CAMT.replace(r#"<Amt Ccy="GBP">42.99</Amt>"#, "");
    assert_eq!(camt_err(&text).location, "element Ntry[3]/Amt");

    let text = CAMT.replace("<ValDt><Dt>2024-03-04</Dt></ValDt>", "");
    let err = camt_err(&text);
    assert_eq!(err.location, "element Ntry[3]/BookgDt");
    assert!(err.message.contains("ValDt"), "{err}");
}

#[test]
fn bad_values_name_the_element() {
    let text = CAMT.replace(
        r#"<Amt Ccy="GBP">42.99</Amt>"#,
        r#"<Amt Ccy="GBP">42.9.9</Amt>"#,
    );
    assert_eq!(
        camt_err(&text).to_string(),
        "element Ntry[3]/Amt: \"42.9.9\" is not an amount"
    );

    let text = CAMT.replace(
        r#"<Amt Ccy="GBP">42.99</Amt>"#,
        r#"<Amt Ccy="GBP">-42.99</Amt>"#,
    );
    assert_eq!(camt_err(&text).location, "element Ntry[3]/Amt");

    let text = CAMT.replace(
        "<CdtDbtInd>DBIT</CdtDbtInd>",
        "<CdtDbtInd>DEBIT</CdtDbtInd>",
    );
    assert_eq!(camt_err(&text).location, "element Ntry[3]/CdtDbtInd");

    let text = CAMT.replace("2024-03-02T09:30:00+01:00", "2024-03-02 09:30");
    let err = camt_err(&text);
    assert_eq!(err.location, "element Ntry[2]/BookgDt/DtTm", "{err}");

    let text = CAMT.replace(
        "<ValDt><Dt>2024-03-04</Dt></ValDt>",
        "<ValDt><Dt>04/03/2024</Dt></ValDt>",
    );
    assert_eq!(camt_err(&text).location, "element Ntry[3]/ValDt/Dt");
}

#[test]
fn malformed_xml_names_line_and_path() {
    // Line 53 of the sample is `<Amt Ccy="GBP">25.5</Amt>` in the second entry.
    let text = CAMT.replace(
        r#"<Amt Ccy="GBP">25.5</Amt>"#,
        r#"<Amt Ccy="GBP">25.5</Amount>"#,
    );
    let err = camt_err(&text);
    assert!(err.location.starts_with("line 53, element "), "{err}");
    assert!(err.location.ends_with("Stmt/Ntry[2]/Amt"), "{err}");

    let cut = CAMT.find("<Ntry>\n        <Amt Ccy=\"GBP\">1.20").unwrap();
    let err = camt_err(&CAMT[..cut + 30]);
    assert!(err.location.contains("Ntry[4]"), "{err}");

    let err = camt_err(&CAMT.replace("&amp;", "&bogus;"));
    assert!(err.location.contains("Ntry[2]"), "{err}");
    assert!(err.message.contains("bogus"), "{err}");

    let err = camt_err("<Document><BkToCstmrStmt><Stmt>\n<Ntry <Amt>");
    assert!(err.location.starts_with("line 2"), "{err}");
}

#[test]
fn not_a_statement() {
    let err = camt_err(
        r#"<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08"><BkToCstmrAcctRpt/></Document>"#,
    );
    assert_eq!(err.location, "element Document");
    assert!(camt_err("").message.contains("BkToCstmrStmt"));
    assert!(
        camt_err("Number,Date,Account,Amount,Subcategory,Memo")
            .message
            .contains("BkToCstmrStmt")
    );
}

#[test]
fn empty_statement() {
    let statement = parse(v02("").as_bytes(), Format::Camt053, None).unwrap();
    assert_eq!(statement.lines, []);
    assert_eq!(statement.account.as_deref(), Some("43218765"));
}
