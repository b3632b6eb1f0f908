//! A real SMTP server on loopback for the tests: `sink.py` (Python's aiosmtpd) in a child
//! process, killed on drop. Every message it accepts is kept as a file, with its envelope.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A message as the server received it.
pub struct Received {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub raw: Vec<u8>,
}

pub struct SmtpSink {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

/// A port nothing listens on right now (for "server down", and to start a sink on later).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp/sink.py")
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        SmtpSink::start_on(free_port(), 0, "451")
    }

    /// A server on `port` that answers `fail_code` to the first `fail_first` messages.
    pub fn start_on(port: u16, fail_first: u32, fail_code: &str) -> SmtpSink {
        let dir = tempfile::tempdir().expect("sink dir");
        let mut child = Command::new("python3")
            .arg(script())
            .args(["--port", &port.to_string()])
            .arg("--dir")
            .arg(dir.path())
            .args(["--fail-first", &fail_first.to_string()])
            .args(["--fail-code", fail_code])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 with aiosmtpd (pip install aiosmtpd)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("sink output");
        assert!(
            line.starts_with("ready"),
            "the SMTP sink did not start: {line:?}"
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the SMTP sink does not accept");
            std::thread::sleep(Duration::from_millis(50));
        }
        SmtpSink { child, port, dir }
    }

    /// Every message received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("sink dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| {
                let env: serde_json::Value = serde_json::from_slice(
                    &std::fs::read(p.with_extension("json")).expect("envelope"),
                )
                .expect("envelope json");
                Received {
                    mail_from: env["mail_from"].as_str().unwrap_or_default().to_owned(),
                    rcpt_tos: env["rcpt_tos"]
                        .as_array()
                        .expect("rcpt_tos")
                        .iter()
                        .map(|v| v.as_str().unwrap_or_default().to_owned())
                        .collect(),
                    raw: std::fs::read(p).expect("message"),
                }
            })
            .collect()
    }
}

pub fn url_for(port: u16) -> String {
    format!("smtp://127.0.0.1:{port}?tls=none&timeout=5")
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
