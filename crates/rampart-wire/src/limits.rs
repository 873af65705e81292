//! The listener's limits: connection life-cycle timeouts, HTTP/2 limits, connection caps and the
//! memory budget for request bodies, with the defaults a production server is expected to have.

use serde::Deserialize;
use std::time::Duration;

/// Every limit the listener and the gateway enforce before a request reaches a service.
///
/// Deserialized from the `[limits]` table of `rampart.toml`; every field is optional there and
/// falls back to [`ServerLimits::default`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerLimits {
    /// A TLS handshake must complete within this many seconds.
    pub tls_handshake_timeout_secs: u64,
    /// A connection must start its first request (HTTP/1 head or HTTP/2 preface) within this.
    pub first_request_timeout_secs: u64,
    /// Once its first byte arrived, an HTTP/1 request head must be complete within this.
    pub header_read_timeout_secs: u64,
    /// A keep-alive connection with no request in flight is closed after this many seconds.
    pub idle_timeout_secs: u64,
    /// A request body must keep arriving: no gap between two chunks longer than this.
    pub body_read_timeout_secs: u64,
    /// And on average at least this many bytes a second, after the first
    /// `body_read_timeout_secs` (slower bodies are cut with 408 `RequestTimeout`).
    pub body_min_bytes_per_sec: u64,
    /// The largest request body accepted (413 above it).
    pub max_body_bytes: usize,
    /// Bytes of request bodies held in memory at once across all connections (503 `SlowDown`
    /// beyond it).
    pub body_budget_bytes: usize,
    /// Open connections overall (further capped by the descriptor limit).
    pub max_connections: usize,
    /// Open connections from one source address.
    pub max_connections_per_ip: usize,
    /// Concurrent streams on one HTTP/2 connection.
    pub http2_max_concurrent_streams: u32,
    /// The largest request head: HTTP/2 header list size and HTTP/1 read buffer, in bytes.
    pub max_header_bytes: u32,
    /// HTTP/2 keep-alive ping interval (the peer must answer within the same time).
    pub http2_keepalive_secs: u64,
    /// HTTP/2 streams a peer may reset before they are accepted (reset-flood guard).
    pub http2_max_pending_reset_streams: usize,
    /// HTTP/2 streams the server may reset because of peer errors before closing the connection.
    pub http2_max_local_error_resets: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            tls_handshake_timeout_secs: 10,
            first_request_timeout_secs: 10,
            header_read_timeout_secs: 10,
            idle_timeout_secs: 60,
            body_read_timeout_secs: 10,
            body_min_bytes_per_sec: 1024,
            max_body_bytes: 2 * 1024 * 1024,
            body_budget_bytes: 64 * 1024 * 1024,
            max_connections: 10_000,
            max_connections_per_ip: 1_000,
            http2_max_concurrent_streams: 100,
            max_header_bytes: 64 * 1024,
            http2_keepalive_secs: 30,
            http2_max_pending_reset_streams: 20,
            http2_max_local_error_resets: 256,
        }
    }
}

impl ServerLimits {
    /// The TLS handshake timeout.
    pub fn tls_handshake_timeout(&self) -> Duration {
        secs(self.tls_handshake_timeout_secs)
    }
    /// How long a new connection may wait before its first request.
    pub fn first_request_timeout(&self) -> Duration {
        secs(self.first_request_timeout_secs)
    }
    /// How long an HTTP/1 request head may take once started.
    pub fn header_read_timeout(&self) -> Duration {
        secs(self.header_read_timeout_secs)
    }
    /// How long a connection may stay idle between requests.
    pub fn idle_timeout(&self) -> Duration {
        secs(self.idle_timeout_secs)
    }
    /// The longest gap between two body chunks (and the grace before the rate applies).
    pub fn body_read_timeout(&self) -> Duration {
        secs(self.body_read_timeout_secs)
    }
    /// The HTTP/2 keep-alive ping interval and timeout.
    pub fn http2_keepalive(&self) -> Duration {
        secs(self.http2_keepalive_secs)
    }

    /// Refuses settings that would make the server unusable.
    pub fn validate(&self) -> Result<(), String> {
        let timeouts = [
            (
                "tls_handshake_timeout_secs",
                self.tls_handshake_timeout_secs,
            ),
            (
                "first_request_timeout_secs",
                self.first_request_timeout_secs,
            ),
            ("header_read_timeout_secs", self.header_read_timeout_secs),
            ("idle_timeout_secs", self.idle_timeout_secs),
            ("body_read_timeout_secs", self.body_read_timeout_secs),
            ("http2_keepalive_secs", self.http2_keepalive_secs),
        ];
        if let Some((name, _)) = timeouts.iter().find(|(_, v)| *v == 0) {
            return Err(format!("limits.{name} must be at least 1"));
        }
        if self.max_connections == 0 || self.max_connections_per_ip == 0 {
            return Err("limits.max_connections and max_connections_per_ip must be >= 1".into());
        }
        if self.body_budget_bytes < self.max_body_bytes {
            return Err("limits.body_budget_bytes must be >= limits.max_body_bytes".into());
        }
        if self.max_header_bytes < 8192 || self.http2_max_concurrent_streams == 0 {
            return Err(
                "limits.max_header_bytes must be >= 8192 and http2_max_concurrent_streams >= 1"
                    .into(),
            );
        }
        Ok(())
    }
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_a_partial_table_keeps_them() {
        assert_eq!(ServerLimits::default().validate(), Ok(()));
        let parsed: ServerLimits =
            serde_json::from_str(r#"{"idle_timeout_secs": 5}"#).expect("partial table");
        assert_eq!(parsed.idle_timeout_secs, 5);
        assert_eq!(
            parsed.max_body_bytes,
            ServerLimits::default().max_body_bytes
        );
    }

    #[test]
    fn unusable_settings_are_refused() {
        let zero = ServerLimits {
            idle_timeout_secs: 0,
            ..ServerLimits::default()
        };
        assert!(zero.validate().is_err());
        let small_budget = ServerLimits {
            body_budget_bytes: 10,
            ..ServerLimits::default()
        };
        assert!(small_budget.validate().is_err());
        assert!(serde_json::from_str::<ServerLimits>(r#"{"nope": 1}"#).is_err());
    }
}
