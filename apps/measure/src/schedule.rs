//! Running on a schedule: the `watch` daemon aligned to slot boundaries, and the cron and
//! systemd files that `cron` prints.

use std::path::Path;
use std::time::Duration;

use jiff::Timestamp;
use offimic_occupancy::SLOT_SECONDS;

use crate::run::Agent;

/// Parses `10m`, `20m`, `1h`…: whole minutes or hours, a multiple of the 10-minute slot.
pub fn parse_interval(text: &str) -> Result<Duration, String> {
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?}: expected a number followed by m or h, e.g. 10m"))?;
    let seconds = match unit {
        "m" => number * 60,
        "h" => number * 3600,
        _ => {
            return Err(format!(
                "{text:?}: the unit must be m (minutes) or h (hours)"
            ));
        }
    };
    let slot = SLOT_SECONDS as u64;
    if seconds == 0 || seconds % slot != 0 {
        return Err(format!(
            "{text:?}: the interval must be a multiple of 10 minutes, one scan per slot"
        ));
    }
    Ok(Duration::from_secs(seconds))
}

/// The next multiple of `every` (counted from the epoch) after `now`.
pub fn next_boundary(now: Timestamp, every: Duration) -> Timestamp {
    let every = every.as_secs() as i64;
    let next = (now.as_second().div_euclid(every) + 1) * every;
    Timestamp::from_second(next).unwrap_or(now)
}

/// Measures at every boundary, for ever. Failures are logged and the loop goes on.
pub fn watch(agent: &Agent, every: Duration) -> u8 {
    eprintln!(
        "offimic-measure: watching, one measurement every {} minutes",
        every.as_secs() / 60
    );
    loop {
        let now = Timestamp::now();
        let next = next_boundary(now, every);
        let wait = (next - now).get_milliseconds().max(0) as u64;
        std::thread::sleep(Duration::from_millis(wait));
        agent.send(Timestamp::now());
    }
}

/// A crontab line, and a systemd service and timer, for the binary running now.
pub fn cron_files(config: &Path) -> String {
    let binary = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "/usr/local/bin/offimic-measure".into());
    let config = config.display();
    format!(
        "# crontab (crontab -e): one measurement every 10 minutes\n\
         */10 * * * * {binary} send --config {config}\n\
         \n\
         # /etc/systemd/system/offimic-measure.service\n\
         [Unit]\n\
         Description=offimic presence measurement\n\
         Wants=network-online.target\n\
         After=network-online.target\n\
         \n\
         [Service]\n\
         Type=oneshot\n\
         ExecStart={binary} send --config {config}\n\
         # exit status 75: measured but spooled, the server was unreachable\n\
         SuccessExitStatus=75\n\
         AmbientCapabilities=CAP_NET_RAW\n\
         \n\
         # /etc/systemd/system/offimic-measure.timer  (then: systemctl enable --now offimic-measure.timer)\n\
         [Unit]\n\
         Description=offimic presence measurement every 10 minutes\n\
         \n\
         [Timer]\n\
         OnCalendar=*:0/10\n\
         AccuracySec=1s\n\
         \n\
         [Install]\n\
         WantedBy=timers.target\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_are_whole_slots() {
        assert_eq!(parse_interval("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_interval("1h"), Ok(Duration::from_secs(3600)));
        for bad in ["5m", "0m", "10", "10s", "m", "ten", "15m"] {
            assert!(parse_interval(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn boundaries_align_to_the_clock() {
        let now: Timestamp = "2026-11-27T10:03:17Z".parse().unwrap();
        assert_eq!(
            next_boundary(now, Duration::from_secs(600)).to_string(),
            "2026-11-27T10:10:00Z"
        );
        assert_eq!(
            next_boundary(now, Duration::from_secs(3600)).to_string(),
            "2026-11-27T11:00:00Z"
        );
        let on: Timestamp = "2026-11-27T10:10:00Z".parse().unwrap();
        assert_eq!(
            next_boundary(on, Duration::from_secs(600)).to_string(),
            "2026-11-27T10:20:00Z"
        );
    }

    #[test]
    fn cron_files_name_the_config() {
        let text = cron_files(Path::new("/etc/offimic/measure.json"));
        assert!(text.contains("*/10 * * * * "));
        assert!(text.contains("send --config /etc/offimic/measure.json"));
        assert!(text.contains("OnCalendar=*:0/10"));
    }
}
