//! `arp-scan` output (1.9 and 1.10): host lines `IP<TAB>MAC[<TAB>vendor]`, optionally with the
//! header (`Interface: …, MAC: <scanner>, …`, `Starting arp-scan …`) and the footer, which
//! `--plain` suppresses. The scanner's own MAC in the header is reported separately so it is never
//! counted, and duplicate replies (`(DUP: n)`) collapse into one device.

use std::net::Ipv4Addr;

use super::{ParseError, push_unique};
use crate::mac::Mac;

/// What one arp-scan run saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArpScan {
    /// The scanning interface's own address, when the header was printed.
    pub scanner: Option<Mac>,
    /// Every responding device, once.
    pub devices: Vec<Mac>,
}

pub fn parse(output: &str) -> Result<ArpScan, ParseError> {
    let mut scan = ArpScan::default();
    for (index, line) in output.lines().enumerate() {
        let number = index + 1;
        if line.trim().is_empty() || is_banner(line) {
            continue;
        }
        if let Some(rest) = line.strip_prefix("Interface: ") {
            scan.scanner = header_mac(rest).map_err(|m| ParseError::new(number, m))?;
            continue;
        }
        let mac = host_line(line).map_err(|m| ParseError::new(number, m))?;
        push_unique(&mut scan.devices, mac);
    }
    Ok(scan)
}

fn is_banner(line: &str) -> bool {
    line.starts_with("Starting arp-scan ")
        || line.starts_with("Ending arp-scan ")
        || (line.contains(" packets received by filter") && line.contains(" dropped"))
}

/// `Interface: br0, type: EN10MB, MAC: 56:76:cb:31:c3:5b, IPv4: 10.99.0.1` (1.9.6+), or the older
/// `Interface: eth0, datalink type: EN10MB (Ethernet)` without a MAC.
fn header_mac(rest: &str) -> Result<Option<Mac>, String> {
    for field in rest.split(", ") {
        if let Some(mac) = field.strip_prefix("MAC: ") {
            return mac
                .parse()
                .map(Some)
                .map_err(|_| "header: the scanner's MAC is malformed".to_owned());
        }
    }
    Ok(None)
}

fn host_line(line: &str) -> Result<Mac, String> {
    let mut fields = line.split('\t');
    let (Some(ip), Some(mac)) = (fields.next(), fields.next()) else {
        return Err(format!("expected IP<TAB>MAC, got {:?}", redact(line)));
    };
    ip.parse::<Ipv4Addr>()
        .map_err(|_| format!("expected an IPv4 address, got {:?}", redact(ip)))?;
    // arp-scan prints lower-case colon-separated addresses; insist on exactly that.
    let canonical = mac.len() == 17
        && mac.bytes().enumerate().all(|(i, b)| {
            if i % 3 == 2 {
                b == b':'
            } else {
                matches!(b, b'0'..=b'9' | b'a'..=b'f')
            }
        });
    if !canonical {
        return Err("expected a MAC address in the second column".into());
    }
    mac.parse().map_err(|e: crate::MacError| e.to_string())
}

/// A line is quoted in an error without its hex digits, in case it holds an address.
fn redact(line: &str) -> String {
    line.chars()
        .map(|c| if c.is_ascii_hexdigit() { 'x' } else { c })
        .take(80)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// arp-scan 1.10.0 default output, recorded in a namespace with two responders.
    const DEFAULT_OUTPUT: &str = "Interface: br0, type: EN10MB, MAC: 56:76:cb:31:c3:5b, IPv4: 10.99.0.1\n\
Starting arp-scan 1.10.0 with 8 hosts (https://github.com/royhills/arp-scan)\n\
10.99.0.2\t00:1b:63:12:34:56\tApple, Inc.\n\
10.99.0.3\t5a:11:22:33:44:55\t(Unknown: locally administered)\n\
\n\
2 packets received by filter, 0 packets dropped by kernel\n\
Ending arp-scan 1.10.0: 8 hosts scanned in 1.468 seconds (5.45 hosts/sec). 2 responded\n";

    #[test]
    fn default_output_reports_hosts_and_the_scanner_separately() {
        let scan = parse(DEFAULT_OUTPUT).unwrap();
        assert_eq!(scan.scanner.unwrap().to_string(), "56:76:cb:31:c3:5b");
        let devices: Vec<String> = scan.devices.iter().map(Mac::to_string).collect();
        assert_eq!(devices, ["00:1b:63:12:34:56", "5a:11:22:33:44:55"]);
    }

    #[test]
    fn duplicate_replies_count_once() {
        let output = "10.99.0.2\t00:1b:63:12:34:56\tApple, Inc.\n\
10.99.0.2\t00:1b:63:12:34:56\tApple, Inc. (DUP: 2)\n\
10.99.0.4\t00:1b:63:12:34:56\n";
        assert_eq!(parse(output).unwrap().devices.len(), 1);
    }

    #[test]
    fn two_devices_answering_for_one_ip_both_count() {
        // --ignoredups would have dropped the second one; we dedupe by MAC instead.
        let output = "10.99.0.2\t00:1b:63:12:34:56\n10.99.0.2\t00:1b:63:12:34:57\n";
        assert_eq!(parse(output).unwrap().devices.len(), 2);
    }

    #[test]
    fn plain_quiet_output_has_no_header() {
        let output = "10.99.0.2\t00:1b:63:12:34:56\n10.99.0.3\t5a:11:22:33:44:55\n";
        let scan = parse(output).unwrap();
        assert_eq!(scan.scanner, None);
        assert_eq!(scan.devices.len(), 2);
    }

    #[test]
    fn old_header_without_mac_is_accepted() {
        let output = "Interface: eth0, datalink type: EN10MB (Ethernet)\n\
Starting arp-scan 1.9 with 256 hosts (http://www.nta-monitor.com/tools/arp-scan/)\n\
10.0.0.7\t00:1b:63:12:34:56\tApple, Inc.\n";
        let scan = parse(output).unwrap();
        assert_eq!(scan.scanner, None);
        assert_eq!(scan.devices.len(), 1);
    }

    #[test]
    fn zero_responders_is_an_empty_scan() {
        let output = "Interface: br0, type: EN10MB, MAC: 56:76:cb:31:c3:5b, IPv4: 10.99.0.1\n\
Starting arp-scan 1.10.0 with 8 hosts (https://github.com/royhills/arp-scan)\n\n\
0 packets received by filter, 0 packets dropped by kernel\n\
Ending arp-scan 1.10.0: 8 hosts scanned in 1.400 seconds (5.71 hosts/sec). 0 responded\n";
        assert!(parse(output).unwrap().devices.is_empty());
    }

    #[test]
    fn unexpected_lines_are_errors_with_their_number() {
        let error = parse("10.99.0.2\t00:1b:63:12:34:56\nsomething else\n").unwrap_err();
        assert_eq!(error.line, 2);
        let error = parse("10.99.0.2\t00-1B-63-12-34-56\n").unwrap_err();
        assert!(error.message.contains("second column"));
        let error = parse("999.0.0.1\t00:1b:63:12:34:56\n").unwrap_err();
        assert!(error.message.contains("IPv4"));
    }

    #[test]
    fn errors_never_quote_an_address() {
        let error = parse("garbage 00:1b:63:12:34:56\n").unwrap_err();
        assert!(!error.message.contains("1b:63"), "{}", error.message);
    }
}
