//! `detect()`, and that no input — truncated, mutated or garbage — makes a parser panic.

use offimic_bank::{CsvMapping, Format, detect, parse};

const OFX1: &[u8] = include_bytes!("data/barclays-ofx1.ofx");
const OFX2: &[u8] = include_bytes!("data/ofx2.ofx");
const BARCLAYS: &[u8] = include_bytes!("data/barclays.csv");
const GENERIC: &[u8] = include_bytes!("data/generic-semicolon.csv");
const CAMT: &[u8] = include_bytes!("data/camt053.xml");

fn generic_mapping() -> CsvMapping {
    CsvMapping {
        date: "Buchungstag".into(),
        date_format: "%d.%m.%Y".into(),
        amount: None,
        credit: Some("Haben".into()),
        debit: Some("Soll".into()),
        reference: vec!["Auftraggeber/Empfänger".into(), "Verwendungszweck".into()],
        id: Some("Referenz".into()),
        delimiter: ';',
        decimal_comma: true,
    }
}

#[test]
fn detects_the_samples() {
    assert_eq!(detect(OFX1), Some(Format::Ofx));
    assert_eq!(detect(OFX2), Some(Format::Ofx));
    assert_eq!(detect(BARCLAYS), Some(Format::BarclaysCsv));
    assert_eq!(detect(CAMT), Some(Format::Camt053));
    assert_eq!(detect(GENERIC), None, "generic CSV is never detected");
}

#[test]
fn detect_variants() {
    assert_eq!(
        detect(b"\r\n  OFXHEADER:100\r\nDATA:OFXSGML"),
        Some(Format::Ofx)
    );
    assert_eq!(detect(b"ofxheader:100"), Some(Format::Ofx));
    assert_eq!(detect(b"<OFX>\n<SIGNONMSGSRSV1>"), Some(Format::Ofx));
    assert_eq!(
        detect(b"<?xml version=\"1.0\"?>\n<?OFX OFXHEADER=\"200\"?>"),
        Some(Format::Ofx)
    );
    assert_eq!(
        detect(b"\xEF\xBB\xBF<?xml version=\"1.0\"?><Document><BkToCstmrStmt>"),
        Some(Format::Camt053)
    );
    assert_eq!(
        detect(b"<?xml version=\"1.0\"?><n:Document xmlns:n=\"x\"><n:BkToCstmrStmt>"),
        Some(Format::Camt053)
    );
    assert_eq!(detect(b"<Document><BkToCstmrAcctRpt>"), None);
    assert_eq!(
        detect(b" NUMBER , date,\"Account\",Amount ,SUBCATEGORY,memo\r\n"),
        Some(Format::BarclaysCsv)
    );
    assert_eq!(detect(b"Number,Date,Account,Amount,Subcategory"), None);
    assert_eq!(
        detect(b"Number,Date,Account,Amount,Subcategory,Memo,Extra"),
        None
    );
    assert_eq!(detect(b"Date,Description,Amount\n"), None);
    assert_eq!(detect(b""), None);
    assert_eq!(detect(b"\xFF\xFE\x00<"), None);
}

#[test]
fn format_names() {
    let names: Vec<_> = Format::ALL.iter().map(Format::name).collect();
    assert_eq!(names, ["OFX", "Barclays CSV", "CSV", "camt.053"]);
    assert_eq!(Format::Camt053.to_string(), "camt.053");
}

/// Runs every parser (and `detect`) over `bytes`; only a panic can fail this.
fn survive(bytes: &[u8]) {
    let mapping = generic_mapping();
    let _ = detect(bytes);
    for format in Format::ALL {
        let _ = parse(bytes, format, Some(&mapping));
    }
}

#[test]
fn truncated_samples_never_panic() {
    for sample in [OFX1, OFX2, BARCLAYS, GENERIC, CAMT] {
        for cut in 0..=sample.len() {
            survive(&sample[..cut]);
            survive(&sample[cut..]);
        }
    }
}

#[test]
fn truncated_ofx_and_camt_are_errors() {
    // A cut file must be an error, never a shorter statement that silently drops money.
    for (sample, format, end) in [
        (OFX1, Format::Ofx, &b"</OFX>"[..]),
        (OFX2, Format::Ofx, b"</OFX>"),
        (CAMT, Format::Camt053, b"</Document>"),
    ] {
        let complete = sample.windows(end.len()).position(|w| w == end).unwrap() + end.len();
        assert!(parse(sample, format, None).is_ok());
        for cut in 0..complete {
            assert!(
                parse(&sample[..cut], format, None).is_err(),
                "{format} cut at {cut} parsed"
            );
        }
    }
}

#[test]
fn mutated_samples_never_panic() {
    // A small deterministic generator (xorshift) so the test needs no extra crates.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let interesting = b"<>/&;\"',.-+0123456789\r\n\t []:?!O\xC3\xA9\xFF\x80";
    for sample in [OFX1, OFX2, BARCLAYS, GENERIC, CAMT] {
        for _ in 0..400 {
            let mut bytes = sample.to_vec();
            for _ in 0..(1 + next() % 8) {
                let at = (next() % bytes.len() as u64) as usize;
                let b = interesting[(next() % interesting.len() as u64) as usize];
                match next() % 3 {
                    0 => bytes[at] = b,
                    1 => bytes.insert(at, b),
                    _ => {
                        bytes.remove(at);
                    }
                }
                if bytes.is_empty() {
                    break;
                }
            }
            survive(&bytes);
        }
    }
}

#[test]
fn garbage_never_panics() {
    let mut inputs: Vec<Vec<u8>> = vec![
        vec![],
        b"<".to_vec(),
        b">".to_vec(),
        b"</".to_vec(),
        b"<>".to_vec(),
        b"</>".to_vec(),
        b"<!--".to_vec(),
        b"<?".to_vec(),
        b"<OFX><STMTTRN><DTPOSTED>".to_vec(),
        b"<OFX><STMTTRN><TRNAMT>&".to_vec(),
        b"<OFX><STMTTRN><TRNAMT>&#;&#x;&#99999999999;".to_vec(),
        b"<OFX><STMTTRN><DTPOSTED>20240101[".to_vec(),
        b"<OFX><STMTTRN><DTPOSTED>\xC3\xA920240101</STMTTRN></OFX>".to_vec(),
        b"<OFX><STMTTRN><DTPOSTED>99991231235959.999999999[-12]<TRNAMT>1</STMTTRN></OFX>".to_vec(),
        b"<OFX><STMTTRN><DTPOSTED>00000101[+14]<TRNAMT>1</STMTTRN></OFX>".to_vec(),
        b"<OFX><STMTTRN><DTPOSTED>20240101<TRNAMT>-92233720368547758.08</STMTTRN></OFX>".to_vec(),
        b"<Document><BkToCstmrStmt><Stmt><Ntry><Amt>1</Amt></Ntry>".to_vec(),
        b"<Document><BkToCstmrStmt><Stmt><Ntry><Ntry></Ntry></Ntry></Stmt></BkToCstmrStmt></Document>".to_vec(),
        b"<Document><BkToCstmrStmt><Stmt><Ntry><Amt>1</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>\xC3\xA9</Dt></BookgDt></Ntry></Stmt></BkToCstmrStmt></Document>".to_vec(),
        b"<a></b>".to_vec(),
        b"\"".to_vec(),
        b"Number,Date,Account,Amount,Subcategory,Memo\n\"".to_vec(),
        b"Number,Date,Account,Amount,Subcategory,Memo\n,01/01/2024,,99999999999999999999,,\n".to_vec(),
        b"\xEF\xBB\xBF".to_vec(),
        vec![0; 64],
        (0..=255u8).collect(),
        (0..=255u8).rev().cycle().take(2000).collect(),
    ];
    inputs.push(b"<OFX>".repeat(1000));
    inputs.push(b"<a>".repeat(1000));
    for input in &inputs {
        survive(input);
    }
}
