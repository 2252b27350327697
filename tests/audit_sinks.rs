//! Audit sinks against real receivers on loopback: a JSONL file that rotates, a syslog
//! listener over UDP and TCP, and an HTTP webhook that fails before it succeeds. Every event
//! arrives at least once, and by event id exactly once.

#[macro_use]
mod common;

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, UdpSocket};
use std::sync::{Arc, Mutex};

use common::{Backend, Env};
use serde_json::{json, Value};

fn events(n: usize) -> (String, Vec<String>) {
    let mut text = String::new();
    let mut ids = Vec::new();
    for i in 0..n {
        let id = uuid::Uuid::new_v4().to_string();
        ids.push(id.clone());
        let e = json!({
            "event_id": id, "timestamp": chrono::Utc::now().to_rfc3339(), "user_id": format!("u{i}"), "organization_id": "acme",
            "event_type": "execution", "event_category": "operational", "severity": if i % 5 == 0 { "error" } else { "info" },
            "source": {"component": "agent", "version": "1", "host": "node-1"},
            "action": {"operation": "run", "resource": "job"},
            "outcome": {"status": "success"},
            "data": {"sensitive_data_accessed": false, "compliance_flags": []}
        });
        text.push_str(&(e.to_string() + "\n"));
    }
    (text, ids)
}

fn ingest(env: &Env, text: &str) -> common::Out {
    let p = env
        .work
        .join(format!("{}.jsonl", uuid::Uuid::new_v4().simple()));
    std::fs::write(&p, text).unwrap();
    env.run(&["audit", "ingest", p.to_str().unwrap()])
}

fn a_jsonl_sink_rotates_and_holds_every_event_once(store: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let env = store.env().var(
        "AUDIT_SINKS",
        &format!("jsonl:{}?max_bytes=20000&keep=10", path.display()),
    );
    let (text, ids) = events(200);
    for chunk in text.lines().collect::<Vec<_>>().chunks(40) {
        let o = ingest(&env, &(chunk.join("\n") + "\n"));
        assert_eq!(o.code, 0, "{o:?}");
    }
    let mut files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() > 1, "the file rotated: {files:?}");
    let mut seen = Vec::new();
    for f in &files {
        for line in std::fs::read_to_string(f).unwrap().lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            seen.push(v["event_id"].as_str().unwrap().to_owned());
        }
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no event twice");
    // Beside the ingested events, the sink holds the ingests' own records.
    let ingested: HashSet<&String> = unique.iter().copied().filter(|i| ids.contains(i)).collect();
    assert_eq!(ingested, ids.iter().collect::<HashSet<_>>());
    assert_eq!(
        unique.len(),
        ids.len() + 5,
        "one record of each of the 5 ingests"
    );
}

fn syslog_over_udp_and_tcp_gets_rfc5424_messages(store: Backend) {
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    udp.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
    let tcp_addr = tcp.local_addr().unwrap();
    let tcp_got = Arc::new(Mutex::new(Vec::<u8>::new()));
    let sink = tcp_got.clone();
    std::thread::spawn(move || {
        for s in tcp.incoming() {
            let mut s = s.unwrap();
            let mut buf = Vec::new();
            let _ = s.read_to_end(&mut buf);
            sink.lock().unwrap().extend(buf);
        }
    });
    let env = store.env().var(
        "AUDIT_SINKS",
        &format!(
            "syslog+udp://{},syslog+tcp://{tcp_addr}",
            udp.local_addr().unwrap()
        ),
    );
    let (text, ids) = events(10);
    let o = ingest(&env, &text);
    assert_eq!(o.code, 0, "{o:?}");
    let mut got = Vec::new();
    let mut buf = [0u8; 65536];
    while got.len() < 10 {
        let n = udp.recv(&mut buf).expect("a syslog datagram");
        got.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    let header = regex::Regex::new(r"^<(\d+)>1 \S+ node-1 pc-hybrid - execution \[pchybrid@32473 event_id=.(\S+). sequence=.(\d+).\] \{").unwrap();
    for (i, m) in got.iter().enumerate() {
        let c = header
            .captures(m)
            .unwrap_or_else(|| panic!("not RFC 5424: {m}"));
        let pri: u32 = c[1].parse().unwrap();
        assert_eq!(pri, 13 * 8 + if i % 5 == 0 { 3 } else { 6 }, "{m}");
        assert_eq!(&c[2], ids[i]);
    }
    // TCP: octet-counted frames, same messages.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let raw = loop {
        let raw = String::from_utf8(tcp_got.lock().unwrap().clone()).unwrap();
        if raw.contains(r#""operation":"audit.ingest""#) && ids.iter().all(|id| raw.contains(id)) {
            break raw;
        }
        assert!(std::time::Instant::now() < until, "TCP got only: {raw}");
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    let mut rest = raw.as_str();
    let (mut frames, mut own) = (0, 0);
    while !rest.is_empty() {
        let (len, tail) = rest.split_once(' ').unwrap();
        let len: usize = len.parse().unwrap();
        let m = &tail[..len];
        if m.contains(r#""operation":"audit.ingest""#) {
            own += 1;
        } else {
            assert!(header.is_match(m), "{m}");
            frames += 1;
        }
        rest = &tail[len..];
    }
    // The ten, and the ingest's own record.
    assert_eq!((frames, own), (10, 1));
}

fn a_webhook_that_fails_first_gets_every_event_after_retries(store: Backend) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let received = Arc::new(Mutex::new(Vec::<Value>::new()));
    let sink = received.clone();
    std::thread::spawn(move || {
        let mut requests = 0;
        for s in listener.incoming() {
            let mut s = s.unwrap();
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                r.read_line(&mut line).unwrap();
                if line == "\r\n" || line.is_empty() {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0u8; len];
            r.read_exact(&mut body).unwrap();
            requests += 1;
            // The first two deliveries fail: the sink must retry with the same events.
            let status = if requests <= 2 {
                "500 Internal Server Error"
            } else {
                "200 OK"
            };
            if requests > 2 {
                let v: Value = serde_json::from_slice(&body).unwrap();
                sink.lock()
                    .unwrap()
                    .extend(v["events"].as_array().unwrap().iter().cloned());
            }
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    let env = store
        .env()
        .var("AUDIT_SINKS", &format!("http://{addr}/siem"));
    let (text, ids) = events(25);
    let o = ingest(&env, &text);
    assert_eq!(o.code, 0, "{o:?}");
    // A second ingest of the same events (at least once from the sender) adds nothing new.
    ingest(&env, &text);
    let got = received.lock().unwrap().clone();
    let got_ids: Vec<String> = got
        .iter()
        .filter(|e| e["action"]["operation"] != "audit.ingest")
        .map(|e| e["event_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got_ids, ids, "every event once, in order");
    assert!(got.iter().all(|e| e["hash"].as_str().unwrap().len() == 64));
}

#[test]
fn a_bad_sink_setting_is_refused() {
    let env = Env::new().var("AUDIT_SINKS", "ftp://nowhere");
    let o = env.run(&["audit", "tail"]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.contains("$AUDIT_SINKS"), "{o:?}");
}

on_both_stores!(
    a_jsonl_sink_rotates_and_holds_every_event_once,
    syslog_over_udp_and_tcp_gets_rfc5424_messages,
    a_webhook_that_fails_first_gets_every_event_after_retries,
);
