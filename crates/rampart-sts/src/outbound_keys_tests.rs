//! Keys kept in a SQLite store: made once, the same from a second handle, sealed at rest.

use super::*;
use rampart_crypto::root::{Domain, RootKey};

async fn store(dir: &tempfile::TempDir) -> Store {
    Store::open_sqlite(&dir.path().join("store.db"))
        .await
        .expect("store")
}

#[tokio::test]
async fn keys_are_made_once_and_sealed_in_the_store() {
    let dir = tempfile::tempdir().expect("dir");
    let root = RootKey::generate();
    let key = root.domain_key(Domain::Credentials);
    let first = store(&dir).await;
    let keys = OutboundKeys {
        store: &first,
        key: &key,
    };
    let (pair, kid) = keys
        .signing_key("123456789012", Algorithm::Rs256, 1)
        .await
        .expect("key");
    assert_eq!(pair.kid(), kid);
    let (_, again) = keys
        .signing_key("123456789012", Algorithm::Rs256, 2)
        .await
        .expect("key");
    assert_eq!(again, kid);
    let second = store(&dir).await;
    let reopened = OutboundKeys {
        store: &second,
        key: &key,
    };
    let (pair, reread) = reopened
        .signing_key("123456789012", Algorithm::Rs256, 3)
        .await
        .expect("key");
    assert_eq!((pair.kid(), reread), (kid.clone(), kid.clone()));
    let jwks = reopened.public_jwks("123456789012").await.expect("jwks");
    assert_eq!(jwks, vec![pair.public_jwk(Algorithm::Rs256)]);
    assert!(
        reopened
            .public_jwks("210987654321")
            .await
            .expect("jwks")
            .is_empty()
    );
    let row = second
        .get(OUTBOUND_KEYS, "123456789012/RS256")
        .await
        .expect("get")
        .expect("row");
    let pkcs8 = pair.pkcs8().expect("pkcs8");
    let stored = String::from_utf8_lossy(&row.value).into_owned();
    assert!(!stored.contains(&STANDARD.encode(pkcs8.as_slice())));
    let other = RootKey::generate().domain_key(Domain::Credentials);
    let foreign = OutboundKeys {
        store: &second,
        key: &other,
    };
    assert!(
        foreign
            .signing_key("123456789012", Algorithm::Rs256, 4)
            .await
            .is_err()
    );
}
