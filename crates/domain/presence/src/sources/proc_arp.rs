//! `/proc/net/arp`: the kernel's IPv4 neighbour table, six whitespace-separated columns under a
//! header. Only complete entries (flag `0x2`) count; incomplete ones show a zero address.

use super::{ParseError, push_unique};
use crate::mac::Mac;

const HEADER_START: &str = "IP address";
const ATF_COM: u32 = 0x2;

/// Devices in the table, optionally only those on `interface`.
pub fn parse(table: &str, interface: Option<&str>) -> Result<Vec<Mac>, ParseError> {
    let mut devices = Vec::new();
    for (index, line) in table.lines().enumerate() {
        let number = index + 1;
        if line.trim().is_empty() || (number == 1 && line.starts_with(HEADER_START)) {
            continue;
        }
        let columns: Vec<&str> = line.split_whitespace().collect();
        let [_ip, _hw_type, flags, mac, _mask, device] = columns[..] else {
            return Err(ParseError::new(
                number,
                format!("expected 6 columns, found {}", columns.len()),
            ));
        };
        let flags = flags
            .strip_prefix("0x")
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .ok_or_else(|| ParseError::new(number, "flags column is not hexadecimal"))?;
        let mac: Mac = mac
            .parse()
            .map_err(|_| ParseError::new(number, "HW address column is not a MAC address"))?;
        if flags & ATF_COM != 0 && interface.is_none_or(|wanted| wanted == device) {
            push_unique(&mut devices, mac);
        }
    }
    Ok(devices)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "IP address       HW type     Flags       HW address            Mask     Device\n\
10.99.0.4        0x1         0x6         00:11:22:33:44:55     *        br0\n\
10.99.0.3        0x1         0x2         5a:11:22:33:44:55     *        br0\n\
10.99.0.5        0x1         0x0         00:00:00:00:00:00     *        br0\n\
192.168.1.9      0x1         0x2         00:1b:63:12:34:56     *        eth0\n";

    #[test]
    fn complete_entries_count_and_incomplete_ones_do_not() {
        let devices: Vec<String> = parse(TABLE, None)
            .unwrap()
            .iter()
            .map(Mac::to_string)
            .collect();
        assert_eq!(
            devices,
            [
                "00:11:22:33:44:55",
                "5a:11:22:33:44:55",
                "00:1b:63:12:34:56"
            ]
        );
    }

    #[test]
    fn interface_filter() {
        assert_eq!(parse(TABLE, Some("eth0")).unwrap().len(), 1);
        assert_eq!(parse(TABLE, Some("wlan0")).unwrap().len(), 0);
    }

    #[test]
    fn malformed_rows_are_errors() {
        let error = parse(
            "IP address HW type Flags HW address Mask Device\n10.0.0.1 0x1 0x2\n",
            None,
        )
        .unwrap_err();
        assert_eq!(error.line, 2);
        let error = parse("10.0.0.1 0x1 zz 00:11:22:33:44:55 * br0\n", None).unwrap_err();
        assert!(error.message.contains("flags"));
    }
}
