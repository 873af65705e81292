//! The process's descriptor limit: raised to the hard limit at start, and the connection cap
//! kept below it so that an accept never fails for want of a descriptor the store or the
//! logs need.

use rampart_wire::ServerLimits;

/// Descriptors kept for everything but client connections: the database (SQLite reader pool
/// or PostgreSQL pool), log and TLS files, the listener, the unseal socket.
const RESERVED_DESCRIPTORS: u64 = 64;

/// Raises the soft `RLIMIT_NOFILE` to the hard limit and caps `limits.max_connections` below
/// what is then available.
pub fn fit_connections(mut limits: ServerLimits) -> ServerLimits {
    let soft = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(soft) => soft,
        Err(err) => {
            tracing::warn!(error = %err, "could not read or raise the descriptor limit");
            return limits;
        }
    };
    let available = soft.saturating_sub(RESERVED_DESCRIPTORS).max(1);
    let available = usize::try_from(available).unwrap_or(usize::MAX);
    if available < limits.max_connections {
        tracing::warn!(
            descriptors = soft,
            max_connections = available,
            configured = limits.max_connections,
            "the descriptor limit caps open connections below the configured maximum"
        );
        limits.max_connections = available;
    }
    limits.max_connections_per_ip = limits.max_connections_per_ip.min(limits.max_connections);
    limits
}
