//! The http-01 fetch against a loopback HTTP server whose answers depend on the Host and
//! path: redirects followed within the rules and the bound, others refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Answers by `(host without port, path)`: `(status, Location or body)`.
type Routes = Arc<HashMap<(String, String), (u16, String)>>;

/// A server on a free loopback port answering the routes `make` gives for that port (404
/// else); its port.
async fn serve(
    make: impl FnOnce(u16) -> Vec<((&'static str, &'static str), (u16, String))>,
) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let routes: Routes = Arc::new(
        make(port)
            .into_iter()
            .map(|((h, p), a)| ((h.to_owned(), p.to_owned()), a))
            .collect(),
    );
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let routes = routes.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let n = tcp.read(&mut buf).await.unwrap_or(0);
                let text = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = text.split(' ').nth(1).unwrap_or_default().to_owned();
                let host = text
                    .lines()
                    .find_map(|l| l.strip_prefix("host: ").or(l.strip_prefix("Host: ")))
                    .unwrap_or_default();
                let host = host.split(':').next().unwrap_or_default().to_owned();
                let reply = match routes.get(&(host, path)) {
                    Some((200, body)) => format!(
                        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    ),
                    Some((status, location)) => format!(
                        "HTTP/1.1 {status} Moved\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    ),
                    None => {
                        "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                            .to_owned()
                    }
                };
                let _ = tcp.write_all(reply.as_bytes()).await;
            });
        }
    });
    port
}

/// Every name resolves to the loopback address.
async fn loopback(_: String) -> Vec<IpAddr> {
    vec![IpAddr::from([127, 0, 0, 1])]
}

const START: &str = "/.well-known/acme-challenge/tok";

#[tokio::test]
async fn answers_without_redirects_are_read() {
    let port = serve(|_| vec![(("a.test", START), (200, "tok.key".into()))]).await;
    let body = http_get(loopback, "a.test", port, "tok").await.unwrap();
    assert_eq!(body, "tok.key");
}

#[tokio::test]
async fn redirects_are_followed_across_hosts_and_relative_paths() {
    let port = serve(|port| {
        vec![
            (
                ("a.test", START),
                (302, format!("http://B.test:{port}/x/first")),
            ),
            (("b.test", "/x/first"), (301, "second?q=1".to_owned())),
            (("b.test", "/x/second?q=1"), (307, "/final".to_owned())),
            (("b.test", "/final"), (200, "tok.key".to_owned())),
        ]
    })
    .await;
    let body = http_get(loopback, "a.test", port, "tok").await.unwrap();
    assert_eq!(body, "tok.key");
}

#[tokio::test]
async fn a_redirect_to_another_port_fails_the_fetch() {
    let port = serve(|_| vec![(("a.test", START), (302, "http://a.test:1/x".to_owned()))]).await;
    let err = http_get(loopback, "a.test", port, "tok").await.unwrap_err();
    assert_eq!(err.kind, "connection");
    assert!(err.detail.contains("is not followed"), "{}", err.detail);
}

#[tokio::test]
async fn redirect_loops_stop_after_ten() {
    let port = serve(|_| vec![(("a.test", START), (302, START.to_owned()))]).await;
    let err = http_get(loopback, "a.test", port, "tok").await.unwrap_err();
    assert!(
        err.detail.contains("more than 10 redirects"),
        "{}",
        err.detail
    );
}

#[test]
fn redirects_leave_neither_plain_http_nor_the_port_nor_go_to_addresses() {
    let from = Target {
        host: "a.test".into(),
        path: START.into(),
    };
    let to = |l: &str| follow(&from, l, 8080);
    assert!(
        to("https://a.test:8080/x")
            .unwrap_err()
            .contains("only http")
    );
    assert!(to("ftp://a.test/x").unwrap_err().contains("only http"));
    assert!(
        to("http://a.test:9090/x")
            .unwrap_err()
            .contains("only port 8080")
    );
    assert!(
        to("http://a.test/x")
            .unwrap_err()
            .contains("only port 8080")
    );
    assert!(
        to("http://127.0.0.1:8080/x")
            .unwrap_err()
            .contains("IP addresses")
    );
    assert!(
        to("http://[::1]:8080/x")
            .unwrap_err()
            .contains("IP addresses")
    );
    let ok = to("http://B.test:8080/y?z").unwrap();
    assert_eq!((ok.host.as_str(), ok.path.as_str()), ("b.test", "/y?z"));
    let relative = to("other").unwrap();
    assert_eq!(relative.path, "/.well-known/acme-challenge/other");
    let on_80 = follow(&from, "http://c.test/p", 80).unwrap();
    assert_eq!(on_80.host, "c.test");
    let keeps_scheme = follow(&from, "//d.test/q", 80).unwrap();
    assert_eq!(
        (keeps_scheme.host.as_str(), keeps_scheme.path.as_str()),
        ("d.test", "/q")
    );
    let root = to("http://e.test:8080").unwrap();
    assert_eq!((root.host.as_str(), root.path.as_str()), ("e.test", "/"));
}
