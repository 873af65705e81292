use super::*;
use rampart_crypto::root::{Domain, RootKey};
use std::path::PathBuf;

const LISTEN: &str = "127.0.0.1:0";

struct Node {
    _dir: tempfile::TempDir,
    tls: PathBuf,
}

fn node() -> Node {
    let dir = tempfile::tempdir().unwrap();
    let tls = dir.path().join("tls");
    Node { _dir: dir, tls }
}

async fn store(dir: &tempfile::TempDir) -> Store {
    Store::open_sqlite(&dir.path().join("db")).await.unwrap()
}

#[tokio::test]
async fn first_node_imports_its_ca_and_the_key_is_sealed() {
    let db = tempfile::tempdir().unwrap();
    let store = store(&db).await;
    let key = RootKey::generate().domain_key(Domain::Tls);
    let a = node();
    let leaf = crate::tls::ensure(&a.tls, LISTEN.parse().unwrap()).unwrap();
    let files = TlsFiles::in_dir(&a.tls);
    let local = files.local_ca().unwrap().unwrap();
    let live = LiveCert::new(&leaf).unwrap();
    adopt(&store, &key, &a.tls, LISTEN.parse().unwrap(), &live)
        .await
        .unwrap();
    // Same CA, same server certificate, and ca.key has left the data dir.
    assert_eq!(crate::tls::read(&files.ca_cert).unwrap(), local.cert_pem);
    assert_eq!(crate::tls::read(&files.server_cert).unwrap(), leaf.cert_pem);
    assert!(!files.ca_key.exists());
    let raw = store
        .get(crate::bootstrap::META_TABLE, CA_ROW)
        .await
        .unwrap();
    let raw = String::from_utf8(raw.unwrap().value).unwrap();
    assert!(!raw.contains("PRIVATE KEY"), "CA key stored in plaintext");
    let stored = load_or_create(&store, &key, &files).await.unwrap();
    assert_eq!(stored.key_pem, local.key_pem);
    let other = RootKey::generate().domain_key(Domain::Tls);
    assert!(load_or_create(&store, &other, &files).await.is_err());
}

#[tokio::test]
async fn joining_node_reissues_from_the_store_ca_and_swaps() {
    let db = tempfile::tempdir().unwrap();
    let store = store(&db).await;
    let key = RootKey::generate().domain_key(Domain::Tls);
    let listen: SocketAddr = LISTEN.parse().unwrap();
    let (a, b) = (node(), node());
    let leaf_a = crate::tls::ensure(&a.tls, listen).unwrap();
    adopt(
        &store,
        &key,
        &a.tls,
        listen,
        &LiveCert::new(&leaf_a).unwrap(),
    )
    .await
    .unwrap();
    let leaf_b = crate::tls::ensure(&b.tls, listen).unwrap();
    let live_b = LiveCert::new(&leaf_b).unwrap();
    adopt(&store, &key, &b.tls, listen, &live_b).await.unwrap();
    let (fa, fb) = (TlsFiles::in_dir(&a.tls), TlsFiles::in_dir(&b.tls));
    let ca = crate::tls::read(&fa.ca_cert).unwrap();
    assert_eq!(crate::tls::read(&fb.ca_cert).unwrap(), ca);
    let served_b = crate::tls::read(&fb.server_cert).unwrap();
    assert_ne!(served_b, leaf_b.cert_pem);
    assert!(crate::tls::issued_by(&served_b, &ca));
    assert!(!fb.ca_key.exists());
    // A second adoption changes nothing.
    adopt(&store, &key, &b.tls, listen, &live_b).await.unwrap();
    assert_eq!(crate::tls::read(&fb.server_cert).unwrap(), served_b);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nodes_racing_on_an_empty_store_agree_on_one_ca() {
    let db = tempfile::tempdir().unwrap();
    let store = store(&db).await;
    let key = std::sync::Arc::new(RootKey::generate().domain_key(Domain::Tls));
    let nodes: Vec<Node> = (0..4).map(|_| node()).collect();
    let mut tasks = Vec::new();
    for n in &nodes {
        crate::tls::ensure(&n.tls, LISTEN.parse().unwrap()).unwrap();
        let files = TlsFiles::in_dir(&n.tls);
        let (store, key) = (store.clone(), key.clone());
        tasks.push(tokio::spawn(async move {
            load_or_create(&store, &key, &files).await.unwrap()
        }));
    }
    let mut cas = Vec::new();
    for task in tasks {
        cas.push(task.await.unwrap());
    }
    for ca in &cas {
        assert_eq!(ca.cert_pem, cas[0].cert_pem);
        assert_eq!(ca.key_pem, cas[0].key_pem);
    }
}
