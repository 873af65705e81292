//! A tiny authoritative DNS responder for tests: UDP on 127.0.0.1, answering CNAME and CAA
//! (`issue`) questions from maps that the test changes (NXDOMAIN for names it does not hold).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::UdpSocket;

/// The responder's records (lowercase name without the final dot, and type → RDATA).
#[derive(Clone, Default)]
pub struct Records(Arc<Mutex<HashMap<RecordKey, Vec<u8>>>>);

/// A record's name and type.
type RecordKey = (String, u16);

impl Records {
    /// A CNAME from `name` to `target`.
    pub fn set(&self, name: &str, target: &str) {
        self.put(name, 5, encode_name(target));
    }

    /// A CAA `issue` record at `name` naming `issuer`.
    pub fn caa(&self, name: &str, issuer: &str) {
        let mut rdata = vec![0, 5];
        rdata.extend_from_slice(b"issue");
        rdata.extend_from_slice(issuer.as_bytes());
        self.put(name, 257, rdata);
    }

    fn put(&self, name: &str, kind: u16, rdata: Vec<u8>) {
        let key = name.trim_end_matches('.').to_ascii_lowercase();
        self.0.lock().unwrap().insert((key, kind), rdata);
    }

    pub fn clear(&self) {
        self.0.lock().unwrap().clear();
    }

    fn get(&self, name: &str, kind: u16) -> Option<Vec<u8>> {
        self.0
            .lock()
            .unwrap()
            .get(&(name.to_owned(), kind))
            .cloned()
    }
}

/// Starts the responder; its address and records.
pub async fn start() -> (SocketAddr, Records) {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = socket.local_addr().unwrap();
    let records = Records::default();
    let held = records.clone();
    tokio::spawn(async move {
        let mut buf = [0u8; 1500];
        while let Ok((n, peer)) = socket.recv_from(&mut buf).await {
            if let Some(reply) = answer(&buf[..n], &held) {
                let _ = socket.send_to(&reply, peer).await;
            }
        }
    });
    (addr, records)
}

/// The reply to one query.
fn answer(query: &[u8], records: &Records) -> Option<Vec<u8>> {
    let (name, end) = read_name(query, 12)?;
    let question_end = end + 4;
    let qtype = u16::from_be_bytes([query[end], query[end + 1]]);
    let found = records.get(&name, qtype);
    let answers = u8::from(found.is_some());
    let rcode = if found.is_some() { 0 } else { 3 };
    let mut out = query[..2].to_vec();
    out.extend_from_slice(&[0x85, 0x80 | rcode, 0, 1, 0, answers, 0, 0, 0, 0]);
    out.extend_from_slice(query.get(12..question_end)?);
    if let Some(rdata) = found {
        out.extend_from_slice(&[0xc0, 0x0c]);
        out.extend_from_slice(&qtype.to_be_bytes());
        out.extend_from_slice(&[0, 1, 0, 0, 0, 60]);
        out.extend_from_slice(&u16::try_from(rdata.len()).unwrap().to_be_bytes());
        out.extend_from_slice(&rdata);
    }
    Some(out)
}

/// The lowercase dotted name at `at` and the offset after it.
fn read_name(msg: &[u8], mut at: usize) -> Option<(String, usize)> {
    let mut labels = Vec::new();
    loop {
        let len = usize::from(*msg.get(at)?);
        at += 1;
        if len == 0 {
            return Some((labels.join(".").to_ascii_lowercase(), at));
        }
        labels.push(String::from_utf8_lossy(msg.get(at..at + len)?).into_owned());
        at += len;
    }
}

/// `name` in wire form.
fn encode_name(name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for label in name.trim_end_matches('.').split('.') {
        out.push(u8::try_from(label.len()).unwrap());
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
    out
}
