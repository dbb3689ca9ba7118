//! dnsmasq (and OpenWrt) leases files: `<expiry-epoch> <mac> <ip> <hostname|*> <client-id|*>` per
//! line. A lease counts while it has not expired (expiry 0 means infinite). DHCPv6 lines (an IPv6
//! address, an IAID where the MAC would be) and the `duid` line are skipped.

use super::{ParseError, push_unique};
use crate::mac::Mac;

/// Devices holding a live lease at `now` (seconds since the epoch).
pub fn parse(file: &str, now: i64) -> Result<Vec<Mac>, ParseError> {
    let mut devices = Vec::new();
    for (index, line) in file.lines().enumerate() {
        let number = index + 1;
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() || fields[0] == "duid" {
            continue;
        }
        if fields.len() < 4 {
            return Err(ParseError::new(
                number,
                format!("expected at least 4 fields, found {}", fields.len()),
            ));
        }
        let expiry: i64 = fields[0]
            .parse()
            .map_err(|_| ParseError::new(number, "expiry is not a number"))?;
        if fields[2].contains(':') {
            continue; // DHCPv6 lease: the second field is an IAID, not a MAC.
        }
        let mac: Mac = fields[1]
            .parse()
            .map_err(|_| ParseError::new(number, "second field is not a MAC address"))?;
        if expiry == 0 || expiry > now {
            push_unique(&mut devices, mac);
        }
    }
    Ok(devices)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEASES: &str = "1767001200 00:1b:63:12:34:56 192.168.1.20 laptop 01:00:1b:63:12:34:56\n\
1767000000 5a:11:22:33:44:55 192.168.1.21 * *\n\
0 b8:27:eb:00:00:01 192.168.1.2 printer *\n\
duid 00:01:00:01:2c:aa:bb:cc:00:11:22:33:44:55\n\
1767001200 12345678 fd00::20 laptop 00:01:00:01:aa\n";

    #[test]
    fn live_leases_count() {
        let devices: Vec<String> = parse(LEASES, 1767000600)
            .unwrap()
            .iter()
            .map(Mac::to_string)
            .collect();
        assert_eq!(devices, ["00:1b:63:12:34:56", "b8:27:eb:00:00:01"]);
    }

    #[test]
    fn infinite_leases_never_expire() {
        assert_eq!(parse(LEASES, i64::MAX).unwrap().len(), 1);
    }

    #[test]
    fn malformed_lines_are_errors() {
        assert_eq!(parse("1767001200 00:1b\n", 0).unwrap_err().line, 1);
        assert!(
            parse("soon 00:1b:63:12:34:56 10.0.0.1 x *\n", 0)
                .unwrap_err()
                .message
                .contains("expiry")
        );
        assert!(
            parse("0 laptop 10.0.0.1 x *\n", 0)
                .unwrap_err()
                .message
                .contains("MAC")
        );
    }
}
