//! A tiny authoritative DNS responder for tests: UDP on 127.0.0.1, answering CNAME questions
//! from a map that the test changes (NXDOMAIN for names it does not hold).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::UdpSocket;

/// The responder's records (lowercase name without the final dot → target).
#[derive(Clone, Default)]
pub struct Records(Arc<Mutex<HashMap<String, String>>>);

impl Records {
    pub fn set(&self, name: &str, target: &str) {
        let key = name.trim_end_matches('.').to_ascii_lowercase();
        self.0.lock().unwrap().insert(key, target.to_owned());
    }

    pub fn clear(&self) {
        self.0.lock().unwrap().clear();
    }

    fn get(&self, name: &str) -> Option<String> {
        self.0.lock().unwrap().get(name).cloned()
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
    let target = records.get(&name).filter(|_| qtype == 5 || qtype == 255);
    let mut out = query[..2].to_vec();
    let rcode = if target.is_some() { 0 } else { 3 };
    out.extend_from_slice(&[
        0x85,
        0x80 | rcode,
        0,
        1,
        0,
        u8::from(target.is_some()),
        0,
        0,
        0,
        0,
    ]);
    out.extend_from_slice(query.get(12..question_end)?);
    if let Some(target) = target {
        let rdata = encode_name(&target);
        out.extend_from_slice(&[0xc0, 0x0c, 0, 5, 0, 1, 0, 0, 0, 60]);
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
